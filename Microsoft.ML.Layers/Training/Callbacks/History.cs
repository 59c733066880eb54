using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Callbacks;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// What <c>Fit</c> returns (Keras's <c>History</c>): per epoch, every loss and metric (<c>"loss"</c>, <c>"accuracy"</c>,
    /// <c>"val_loss"</c>, ...), and the epochs run.
    /// </summary>
    public sealed class History : Callback
    {
        private readonly Dictionary<string, List<double>> _values = new(StringComparer.Ordinal);
        private readonly List<int> _epochs = new();

        /// <summary>The values of each loss and metric, one per epoch run.</summary>
        public IReadOnlyDictionary<string, IReadOnlyList<double>> Values
            => _values.ToDictionary(p => p.Key, p => (IReadOnlyList<double>)p.Value);

        /// <summary>The (0-based) epochs run, in order.</summary>
        public IReadOnlyList<int> Epochs => _epochs;

        /// <summary>The number of epochs run.</summary>
        public int EpochCount => _epochs.Count;

        /// <summary>The values of one loss or metric.</summary>
        /// <exception cref="KeyNotFoundException">No such name; the message lists the names.</exception>
        public IReadOnlyList<double> this[string name]
            => _values.TryGetValue(name, out var values) ? values
               : throw new KeyNotFoundException($"History has no '{name}'. It has: {string.Join(", ", _values.Keys)}.");

        /// <inheritdoc />
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
        {
            _epochs.Add(epoch);
            foreach (var (name, value) in logs)
            {
                if (!_values.TryGetValue(name, out var list))
                    _values[name] = list = new List<double>();
                list.Add(value);
            }
        }
    }
}
