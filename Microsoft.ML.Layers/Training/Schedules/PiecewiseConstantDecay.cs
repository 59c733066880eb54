using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Layers.Optimizers
{
    /// <summary>
    /// Keras's <c>PiecewiseConstantDecay</c>: <c>values[0]</c> while <c>step &lt;= boundaries[0]</c>, <c>values[i]</c> while
    /// <c>boundaries[i-1] &lt; step &lt;= boundaries[i]</c>, and the last value after the last boundary.
    /// </summary>
    public sealed class PiecewiseConstantDecay : LearningRateSchedule
    {
        private readonly long[] _boundaries;
        private readonly double[] _values;

        /// <summary>Creates the schedule.</summary>
        /// <exception cref="ArgumentException">There is not exactly one more value than boundaries, or the boundaries are not
        /// increasing.</exception>
        public PiecewiseConstantDecay(IReadOnlyList<long> boundaries, IReadOnlyList<double> values)
        {
            _boundaries = boundaries?.ToArray() ?? throw new ArgumentNullException(nameof(boundaries));
            _values = values?.ToArray() ?? throw new ArgumentNullException(nameof(values));
            if (_values.Length != _boundaries.Length + 1)
                throw new ArgumentException($"The length of `values` must be one more than the length of `boundaries`. Received: " +
                    $"{_boundaries.Length} boundaries and {_values.Length} values.");
            for (int i = 1; i < _boundaries.Length; i++)
            {
                if (_boundaries[i] <= _boundaries[i - 1])
                    throw new ArgumentException($"`boundaries` must be increasing. Received: " +
                        $"boundaries=[{string.Join(", ", _boundaries)}].");
            }
        }

        /// <inheritdoc />
        public override double At(long step)
        {
            for (int i = 0; i < _boundaries.Length; i++)
            {
                if (step <= _boundaries[i])
                    return _values[i];
            }
            return _values[^1];
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => new ComponentConfig("PiecewiseConstantDecay", module: "keras.optimizers.schedules")
            .With("boundaries", _boundaries).With("values", _values);
    }
}
