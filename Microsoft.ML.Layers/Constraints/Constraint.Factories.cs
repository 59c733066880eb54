using System;

namespace Microsoft.ML.Layers.Constraints
{
    /// <summary>The built-in constraints, by Keras's names and with Keras's defaults (<c>keras.constraints</c>).</summary>
    public abstract partial class Constraint
    {
        /// <summary>Norms along <paramref name="axis"/> at most <paramref name="maxValue"/> (<c>"max_norm"</c>).</summary>
        public static MaxNormConstraint MaxNorm(double maxValue = 2.0, int axis = 0) => new(maxValue, axis);

        /// <summary>Norms along several axes at most <paramref name="maxValue"/> (a convolution kernel: <c>{ 0, 1, 2 }</c>).</summary>
        public static MaxNormConstraint MaxNorm(double maxValue, int[] axis) => new(maxValue, axis);

        /// <summary>No negative weights (<c>"non_neg"</c>).</summary>
        public static NonNegConstraint NonNeg() => new();

        /// <summary>Unit norms along <paramref name="axis"/> (<c>"unit_norm"</c>).</summary>
        public static UnitNormConstraint UnitNorm(int axis = 0) => new(axis);

        /// <summary>Unit norms along several axes.</summary>
        public static UnitNormConstraint UnitNorm(int[] axis) => new(axis);

        /// <summary>Norms along <paramref name="axis"/> moved into <c>[minValue, maxValue]</c> at <paramref name="rate"/>
        /// (<c>"min_max_norm"</c>).</summary>
        public static MinMaxNormConstraint MinMaxNorm(double minValue = 0.0, double maxValue = 1.0, double rate = 1.0, int axis = 0)
            => new(minValue, maxValue, rate, axis);

        /// <summary>Norms along several axes moved into <c>[minValue, maxValue]</c> at <paramref name="rate"/>.</summary>
        public static MinMaxNormConstraint MinMaxNorm(double minValue, double maxValue, double rate, int[] axis)
            => new(minValue, maxValue, rate, axis);

        /// <summary>
        /// The constraint registered under a Keras class name or alias (<c>"max_norm"</c>, <c>"NonNeg"</c>, ...), with
        /// its defaults (Keras's <c>keras.constraints.get</c>). Custom constraints registered with
        /// <see cref="RegisterComponentAttribute"/> resolve too.
        /// </summary>
        /// <exception cref="ArgumentException">The name is unknown or names another kind of component; the message lists the known
        /// names.</exception>
        public static Constraint Get(string name) => ComponentLookup.Get<Constraint>(name);
    }
}
