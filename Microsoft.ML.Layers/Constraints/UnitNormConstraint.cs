using System;
using System.Collections.Generic;
using TorchSharp;

namespace Microsoft.ML.Layers.Constraints
{
    /// <summary>
    /// Rescales the weights incident to each unit to unit L2 norm (Keras's <c>UnitNorm</c>, <c>"unit_norm"</c>):
    /// <c>w / (epsilon + sqrt(sum(w^2, axis)))</c> with Keras's epsilon 1e-7.
    /// </summary>
    /// <remarks>Axes are chosen as described on <see cref="MaxNormConstraint"/>.</remarks>
    [RegisterComponent("UnitNorm", Aliases = new[] { "unit_norm" })]
    public sealed class UnitNormConstraint : Constraint
    {
        private readonly int[] _axes;
        private readonly bool _axisIsList;

        /// <summary>Creates the constraint over one axis (Keras's default: axis 0).</summary>
        /// <param name="axis">The axis along which norms are computed.</param>
        public UnitNormConstraint(int axis = 0)
            : this(new[] { axis }, isList: false)
        {
        }

        /// <summary>Creates the constraint over several axes.</summary>
        /// <param name="axis">The axes along which norms are computed; not empty, no axis twice.</param>
        /// <exception cref="ArgumentException"><paramref name="axis"/> is empty or repeats an axis.</exception>
        public UnitNormConstraint(int[] axis)
            : this(axis, isList: true)
        {
        }

        private UnitNormConstraint(int[] axis, bool isList)
        {
            _axes = NormAxes.Validate(axis, nameof(axis));
            _axisIsList = isList;
        }

        /// <summary>The axes along which norms are computed.</summary>
        public IReadOnlyList<int> Axes => _axes;

        /// <inheritdoc />
        public override torch.Tensor Apply(torch.Tensor weight)
        {
            using var scope = torch.NewDisposeScope();
            var norms = NormAxes.Norms(weight, _axes, "UnitNorm");
            return (weight / norms.AddScalar(NormAxes.Epsilon)).MoveToOuterDisposeScope();
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => base.GetConfig().With("axis", NormAxes.ConfigValue(_axes, _axisIsList));

        /// <summary>Reads a config; <c>axis</c> may be an integer or a list.</summary>
        /// <exception cref="FormatException">A key is unknown or a value has the wrong type.</exception>
        public static UnitNormConstraint FromConfig(ComponentConfig config)
        {
            ArgumentNullException.ThrowIfNull(config);
            NormAxes.RequireKeys(config, "UnitNorm", "axis");
            var (axes, isList) = NormAxes.Read(config);
            return new UnitNormConstraint(axes, isList);
        }
    }
}
