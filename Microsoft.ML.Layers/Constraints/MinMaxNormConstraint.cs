using System;
using System.Collections.Generic;
using Microsoft.ML.Layers.Initializers;
using TorchSharp;

namespace Microsoft.ML.Layers.Constraints
{
    /// <summary>
    /// Moves the L2 norm of the weights incident to each unit into <c>[min_value, max_value]</c> (Keras's
    /// <c>MinMaxNorm</c>, <c>"min_max_norm"</c>): with <c>n = sqrt(sum(w^2, axis))</c>, the weights become
    /// <c>w * d / (epsilon + n)</c> where <c>d = rate * clip(n, min_value, max_value) + (1 - rate) * n</c> and Keras's
    /// epsilon is 1e-7. A rate of 1 enforces the bounds at once; a smaller rate moves the norms part of the way each step.
    /// </summary>
    /// <remarks>
    /// Axes are chosen as described on <see cref="MaxNormConstraint"/>. Unlike Keras, bounds that are negative, not
    /// finite or in the wrong order, and a rate outside <c>[0, 1]</c>, are rejected.
    /// </remarks>
    [RegisterComponent("MinMaxNorm", Aliases = new[] { "min_max_norm" })]
    public sealed class MinMaxNormConstraint : Constraint
    {
        private readonly int[] _axes;
        private readonly bool _axisIsList;

        /// <summary>Creates the constraint over one axis (Keras's defaults: min_value 0, max_value 1, rate 1, axis 0).</summary>
        /// <param name="minValue">The smallest norm; a non-negative finite number.</param>
        /// <param name="maxValue">The largest norm; a finite number not below <paramref name="minValue"/>.</param>
        /// <param name="rate">How far each application moves the norms toward the bounds, in <c>[0, 1]</c>.</param>
        /// <param name="axis">The axis along which norms are computed.</param>
        /// <exception cref="ArgumentOutOfRangeException">A bound or the rate is out of range.</exception>
        public MinMaxNormConstraint(double minValue = 0.0, double maxValue = 1.0, double rate = 1.0, int axis = 0)
            : this(minValue, maxValue, rate, new[] { axis }, isList: false)
        {
        }

        /// <summary>Creates the constraint over several axes.</summary>
        /// <param name="minValue">The smallest norm; a non-negative finite number.</param>
        /// <param name="maxValue">The largest norm; a finite number not below <paramref name="minValue"/>.</param>
        /// <param name="rate">How far each application moves the norms toward the bounds, in <c>[0, 1]</c>.</param>
        /// <param name="axis">The axes along which norms are computed; not empty, no axis twice.</param>
        /// <exception cref="ArgumentOutOfRangeException">A bound or the rate is out of range.</exception>
        /// <exception cref="ArgumentException"><paramref name="axis"/> is empty or repeats an axis.</exception>
        public MinMaxNormConstraint(double minValue, double maxValue, double rate, int[] axis)
            : this(minValue, maxValue, rate, axis, isList: true)
        {
        }

        private MinMaxNormConstraint(double minValue, double maxValue, double rate, int[] axis, bool isList)
        {
            Arguments.NonNegative(minValue, nameof(minValue));
            Arguments.NonNegative(maxValue, nameof(maxValue));
            if (maxValue < minValue)
            {
                throw new ArgumentOutOfRangeException(nameof(maxValue),
                    $"Invalid value for argument `max_value`: expected a number not below min_value={Sampling.Format(minValue)}. " +
                    $"Received: max_value={Sampling.Format(maxValue)}.");
            }
            Arguments.InRange(rate, 0.0, 1.0, nameof(rate));
            _axes = NormAxes.Validate(axis, nameof(axis));
            _axisIsList = isList;
            MinValue = minValue;
            MaxValue = maxValue;
            Rate = rate;
        }

        /// <summary>The smallest norm.</summary>
        public double MinValue { get; }

        /// <summary>The largest norm.</summary>
        public double MaxValue { get; }

        /// <summary>How far each application moves the norms toward the bounds.</summary>
        public double Rate { get; }

        /// <summary>The axes along which norms are computed.</summary>
        public IReadOnlyList<int> Axes => _axes;

        /// <inheritdoc />
        public override torch.Tensor Apply(torch.Tensor weight)
        {
            using var scope = torch.NewDisposeScope();
            var norms = NormAxes.Norms(weight, _axes, "MinMaxNorm");
            var desired = norms.ClampScalar(MinValue, MaxValue).MulScalar(Rate).add(norms.MulScalar(1 - Rate), Scalars.IntOne);
            return (weight * (desired / norms.AddScalar(NormAxes.Epsilon))).MoveToOuterDisposeScope();
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig()
            => base.GetConfig().With("min_value", MinValue).With("max_value", MaxValue).With("rate", Rate)
                .With("axis", NormAxes.ConfigValue(_axes, _axisIsList));

        /// <summary>Reads a config; <c>axis</c> may be an integer or a list.</summary>
        /// <exception cref="FormatException">A key is unknown or a value has the wrong type.</exception>
        public static MinMaxNormConstraint FromConfig(ComponentConfig config)
        {
            ArgumentNullException.ThrowIfNull(config);
            NormAxes.RequireKeys(config, "MinMaxNorm", "min_value", "max_value", "rate", "axis");
            var (axes, isList) = NormAxes.Read(config);
            return new MinMaxNormConstraint(config.Get("min_value", 0.0), config.Get("max_value", 1.0), config.Get("rate", 1.0), axes,
                isList);
        }
    }
}
