using System;
using System.Collections.Generic;

namespace Microsoft.ML.Layers.Callbacks
{
    /// <summary>
    /// Stops training when a monitored quantity has stopped improving for <c>patience</c> epochs (Keras's <c>EarlyStopping</c>);
    /// with <c>restoreBestWeights</c>, the weights of the best epoch are put back when it stops.
    /// </summary>
    public sealed class EarlyStopping : Callback
    {
        private double _best;
        private int _wait;
        private IReadOnlyList<Array>? _bestWeights;
        private bool _higherIsBetter;

        /// <summary>Creates the callback with Keras's defaults.</summary>
        public EarlyStopping(MonitoredValue? monitor = null, double minDelta = 0, int patience = 0, MonitorMode mode = MonitorMode.Auto,
            double? baseline = null, bool restoreBestWeights = false, int startFromEpoch = 0)
        {
            Monitor = (monitor ?? MonitoredValue.ValLoss).Name;
            MinDelta = Math.Abs(minDelta);
            Patience = patience >= 0 ? patience : throw new ArgumentOutOfRangeException(nameof(patience), $"Received: patience={patience}");
            Mode = mode;
            _higherIsBetter = MonitorImprovement.HigherIsBetter(mode, Monitor);
            Baseline = baseline;
            RestoreBestWeights = restoreBestWeights;
            StartFromEpoch = startFromEpoch;
        }

        /// <summary>The log entry watched, e.g. <c>"val_loss"</c>.</summary>
        public string Monitor { get; }

        /// <summary>The smallest change that counts as an improvement.</summary>
        public double MinDelta { get; }

        /// <summary>Epochs without improvement before stopping.</summary>
        public int Patience { get; }

        /// <summary>Whether the monitored quantity improves when it goes down or up.</summary>
        public MonitorMode Mode { get; }

        /// <summary>A value the monitored quantity must beat, or null.</summary>
        public double? Baseline { get; }

        /// <summary>Whether to restore the best epoch's weights when stopping.</summary>
        public bool RestoreBestWeights { get; }

        /// <summary>Epochs to wait before watching (warm-up).</summary>
        public int StartFromEpoch { get; }

        /// <summary>The epoch training stopped at (0-based), or null when it ran to the end.</summary>
        public int? StoppedEpoch { get; private set; }

        /// <summary>The best epoch seen (0-based).</summary>
        public int BestEpoch { get; private set; }

        /// <inheritdoc />
        public override void OnTrainBegin(IReadOnlyDictionary<string, double> logs)
        {
            _wait = 0;
            StoppedEpoch = null;
            _best = Baseline ?? (_higherIsBetter ? double.NegativeInfinity : double.PositiveInfinity);
            _bestWeights = null;
            BestEpoch = 0;
        }

        /// <inheritdoc />
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
        {
            if (epoch < StartFromEpoch)
                return;
            if (!logs.TryGetValue(Monitor, out double current))
                throw new InvalidOperationException($"EarlyStopping monitors '{Monitor}', which is not in the logs " +
                    $"({string.Join(", ", logs.Keys)}). Pass validation data for val_ metrics.");
            if (RestoreBestWeights && _bestWeights is null)
                _bestWeights = Model!.GetWeights();
            _wait++;
            if (MonitorImprovement.Improves(current, _best, MinDelta, _higherIsBetter))
            {
                _best = current;
                BestEpoch = epoch;
                if (RestoreBestWeights)
                    _bestWeights = Model!.GetWeights();
                _wait = 0;
                return;
            }
            if (_wait >= Patience && epoch > 0)
            {
                StoppedEpoch = epoch;
                Model!.StopTraining = true;
                if (RestoreBestWeights && _bestWeights is not null)
                    Model.SetWeights(_bestWeights);
            }
        }
    }
}
