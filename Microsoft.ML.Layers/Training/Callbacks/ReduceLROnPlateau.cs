using System;
using System.Collections.Generic;
using Microsoft.ML.Layers.Optimizers;

namespace Microsoft.ML.Layers.Callbacks
{
    /// <summary>
    /// Multiplies the learning rate by <c>factor</c> when a monitored quantity has not improved for <c>patience</c> epochs,
    /// then waits <c>cooldown</c> epochs, never going below <c>minLr</c> (Keras's <c>ReduceLROnPlateau</c>).
    /// </summary>
    public sealed class ReduceLROnPlateau : Callback
    {
        private readonly bool _higherIsBetter;
        private double _best;
        private int _wait;
        private int _cooldownCounter;

        /// <summary>Creates the callback with Keras's defaults.</summary>
        public ReduceLROnPlateau(MonitoredValue? monitor = null, double factor = 0.1, int patience = 10,
            MonitorMode mode = MonitorMode.Auto, double minDelta = 1e-4, int cooldown = 0, double minLr = 0)
        {
            if (factor >= 1.0 || factor <= 0)
                throw new ArgumentOutOfRangeException(nameof(factor),
                    $"ReduceLROnPlateau does not support a factor >= 1.0 or <= 0. Received: factor={factor}");
            Monitor = (monitor ?? MonitoredValue.ValLoss).Name;
            Factor = factor;
            Patience = patience;
            MinDelta = minDelta;
            Cooldown = cooldown;
            MinLr = minLr;
            Mode = mode;
            _higherIsBetter = MonitorImprovement.HigherIsBetter(mode, Monitor);
        }

        /// <summary>The log entry watched.</summary>
        public string Monitor { get; }

        /// <summary>Whether the monitored quantity improves when it goes down or up.</summary>
        public MonitorMode Mode { get; }

        /// <summary>The factor applied to the learning rate.</summary>
        public double Factor { get; }

        /// <summary>Epochs without improvement before reducing.</summary>
        public int Patience { get; }

        /// <summary>The smallest change that counts as an improvement.</summary>
        public double MinDelta { get; }

        /// <summary>Epochs to wait after a reduction.</summary>
        public int Cooldown { get; }

        /// <summary>The lowest learning rate.</summary>
        public double MinLr { get; }

        /// <inheritdoc />
        public override void OnTrainBegin(IReadOnlyDictionary<string, double> logs)
        {
            _best = _higherIsBetter ? double.NegativeInfinity : double.PositiveInfinity;
            _wait = 0;
            _cooldownCounter = 0;
        }

        /// <inheritdoc />
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
        {
            if (!logs.TryGetValue(Monitor, out double current))
                throw new InvalidOperationException($"ReduceLROnPlateau monitors '{Monitor}', which is not in the logs " +
                    $"({string.Join(", ", logs.Keys)}).");
            var optimizer = Model!.Optimizer ?? throw new InvalidOperationException("ReduceLROnPlateau needs a compiled model.");
            if (_cooldownCounter > 0)
            {
                _cooldownCounter--;
                _wait = 0;
            }
            if (MonitorImprovement.Improves(current, _best, MinDelta, _higherIsBetter))
            {
                _best = current;
                _wait = 0;
            }
            else if (_cooldownCounter <= 0)
            {
                _wait++;
                if (_wait >= Patience)
                {
                    double old = optimizer.CurrentLearningRate;
                    if (old > MinLr)
                    {
                        optimizer.LearningRate = Math.Max(old * Factor, MinLr);
                        _cooldownCounter = Cooldown;
                        _wait = 0;
                    }
                }
            }
        }
    }
}
