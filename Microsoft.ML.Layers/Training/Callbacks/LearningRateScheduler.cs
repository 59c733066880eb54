using System;
using System.Collections.Generic;
using Microsoft.ML.Layers.Optimizers;

namespace Microsoft.ML.Layers.Callbacks
{
    /// <summary>Sets the learning rate at the start of each epoch from <c>schedule(epoch, current_rate)</c> (Keras's
    /// <c>LearningRateScheduler</c>).</summary>
    public sealed class LearningRateScheduler : Callback
    {
        private readonly Func<int, double, double> _schedule;

        /// <summary>Creates the callback.</summary>
        public LearningRateScheduler(Func<int, double, double> schedule)
            => _schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));

        /// <inheritdoc />
        public override void OnEpochBegin(int epoch, IReadOnlyDictionary<string, double> logs)
        {
            var optimizer = Model!.Optimizer ?? throw new InvalidOperationException("LearningRateScheduler needs a compiled model.");
            optimizer.LearningRate = _schedule(epoch, optimizer.CurrentLearningRate);
        }
    }
}
