using System;
using System.Collections.Generic;

namespace Microsoft.ML.Layers.Callbacks
{
    /// <summary>A callback from delegates (Keras's <c>LambdaCallback</c>); any of them may be null.</summary>
    public sealed class LambdaCallback : Callback
    {
        private readonly Action<int, IReadOnlyDictionary<string, double>>? _onEpochBegin;
        private readonly Action<int, IReadOnlyDictionary<string, double>>? _onEpochEnd;
        private readonly Action<int, IReadOnlyDictionary<string, double>>? _onTrainBatchBegin;
        private readonly Action<int, IReadOnlyDictionary<string, double>>? _onTrainBatchEnd;
        private readonly Action<IReadOnlyDictionary<string, double>>? _onTrainBegin;
        private readonly Action<IReadOnlyDictionary<string, double>>? _onTrainEnd;

        /// <summary>Creates the callback.</summary>
        public LambdaCallback(
            Action<int, IReadOnlyDictionary<string, double>>? onEpochBegin = null,
            Action<int, IReadOnlyDictionary<string, double>>? onEpochEnd = null,
            Action<int, IReadOnlyDictionary<string, double>>? onTrainBatchBegin = null,
            Action<int, IReadOnlyDictionary<string, double>>? onTrainBatchEnd = null,
            Action<IReadOnlyDictionary<string, double>>? onTrainBegin = null,
            Action<IReadOnlyDictionary<string, double>>? onTrainEnd = null)
        {
            _onEpochBegin = onEpochBegin;
            _onEpochEnd = onEpochEnd;
            _onTrainBatchBegin = onTrainBatchBegin;
            _onTrainBatchEnd = onTrainBatchEnd;
            _onTrainBegin = onTrainBegin;
            _onTrainEnd = onTrainEnd;
        }

        /// <inheritdoc />
        public override void OnEpochBegin(int epoch, IReadOnlyDictionary<string, double> logs) => _onEpochBegin?.Invoke(epoch, logs);

        /// <inheritdoc />
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs) => _onEpochEnd?.Invoke(epoch, logs);

        /// <inheritdoc />
        public override void OnTrainBatchBegin(int batch, IReadOnlyDictionary<string, double> logs)
            => _onTrainBatchBegin?.Invoke(batch, logs);

        /// <inheritdoc />
        public override void OnTrainBatchEnd(int batch, IReadOnlyDictionary<string, double> logs) => _onTrainBatchEnd?.Invoke(batch, logs);

        /// <inheritdoc />
        public override void OnTrainBegin(IReadOnlyDictionary<string, double> logs) => _onTrainBegin?.Invoke(logs);

        /// <inheritdoc />
        public override void OnTrainEnd(IReadOnlyDictionary<string, double> logs) => _onTrainEnd?.Invoke(logs);
    }
}
