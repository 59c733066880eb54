using System;
using System.Collections.Generic;
using TorchSharp;

namespace Microsoft.ML.Layers.Constraints
{
    /// <summary>
    /// Rescales the weights incident to each unit so that their L2 norm is at most <see cref="MaxValue"/> (Keras's
    /// <c>MaxNorm</c>, <c>"max_norm"</c>): <c>w * clip(n, 0, max_value) / (epsilon + n)</c> with
    /// <c>n = sqrt(sum(w^2, axis))</c> and Keras's epsilon 1e-7.
    /// </summary>
    /// <remarks>
    /// For a <c>Dense</c> kernel <c>(input_dim, units)</c> the default axis 0 constrains each unit's incoming vector; for
    /// a <c>Conv2D</c> kernel <c>(rows, cols, input_depth, filters)</c> use axes <c>{ 0, 1, 2 }</c>. Unlike Keras, a
    /// negative or non-finite <c>max_value</c> is rejected.
    /// </remarks>
    [RegisterComponent("MaxNorm", Aliases = new[] { "max_norm" })]
    public sealed class MaxNormConstraint : Constraint
    {
        private readonly int[] _axes;
        private readonly bool _axisIsList;

        /// <summary>Creates the constraint over one axis (Keras's defaults: max_value 2, axis 0).</summary>
        /// <param name="maxValue">The largest norm allowed; a non-negative finite number.</param>
        /// <param name="axis">The axis along which norms are computed.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxValue"/> is negative or not finite.</exception>
        public MaxNormConstraint(double maxValue = 2.0, int axis = 0)
            : this(maxValue, new[] { axis }, isList: false)
        {
        }

        /// <summary>Creates the constraint over several axes (a convolution kernel's spatial and input axes).</summary>
        /// <param name="maxValue">The largest norm allowed; a non-negative finite number.</param>
        /// <param name="axis">The axes along which norms are computed; not empty, no axis twice.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxValue"/> is negative or not finite.</exception>
        /// <exception cref="ArgumentException"><paramref name="axis"/> is empty or repeats an axis.</exception>
        public MaxNormConstraint(double maxValue, int[] axis)
            : this(maxValue, axis, isList: true)
        {
        }

        private MaxNormConstraint(double maxValue, int[] axis, bool isList)
        {
            Arguments.NonNegative(maxValue, nameof(maxValue));
            _axes = NormAxes.Validate(axis, nameof(axis));
            _axisIsList = isList;
            MaxValue = maxValue;
        }

        /// <summary>The largest norm allowed.</summary>
        public double MaxValue { get; }

        /// <summary>The axes along which norms are computed.</summary>
        public IReadOnlyList<int> Axes => _axes;

        /// <inheritdoc />
        public override torch.Tensor Apply(torch.Tensor weight)
        {
            using var scope = torch.NewDisposeScope();
            var norms = NormAxes.Norms(weight, _axes, "MaxNorm");
            var desired = norms.ClampScalar(0, MaxValue);
            return (weight * (desired / norms.AddScalar(NormAxes.Epsilon))).MoveToOuterDisposeScope();
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig()
            => base.GetConfig().With("max_value", MaxValue).With("axis", NormAxes.ConfigValue(_axes, _axisIsList));

        /// <summary>Reads a config; <c>axis</c> may be an integer or a list.</summary>
        /// <exception cref="FormatException">A key is unknown or a value has the wrong type.</exception>
        public static MaxNormConstraint FromConfig(ComponentConfig config)
        {
            ArgumentNullException.ThrowIfNull(config);
            NormAxes.RequireKeys(config, "MaxNorm", "max_value", "axis");
            var (axes, isList) = NormAxes.Read(config);
            return new MaxNormConstraint(config.Get("max_value", 2.0), axes, isList);
        }
    }
}
