using System;

namespace Microsoft.ML.Layers.Regularizers
{
    /// <summary>The built-in regularizers, by Keras's names and with Keras's defaults (<c>keras.regularizers</c>).</summary>
    public abstract partial class Regularizer
    {
        /// <summary>The L1 penalty <c>l1 * sum(|x|)</c> (<c>"l1"</c>).</summary>
        public static L1Regularizer L1(double l1 = 0.01) => new(l1);

        /// <summary>The L2 penalty <c>l2 * sum(x^2)</c> (<c>"l2"</c>).</summary>
        public static L2Regularizer L2(double l2 = 0.01) => new(l2);

        /// <summary>
        /// Both penalties, <c>l1 * sum(|x|) + l2 * sum(x^2)</c> (Keras's <c>L1L2</c> class, whose defaults are 0 and 0).
        /// </summary>
        public static L1L2Regularizer L1L2(double l1 = 0.0, double l2 = 0.0) => new(l1, l2);

        /// <summary>
        /// The regularizer registered under a Keras class name or alias (<c>"l1"</c>, <c>"l2"</c>, <c>"L1L2"</c>, ...),
        /// with its defaults (Keras's <c>keras.regularizers.get</c>); <c>"l1_l2"</c> gives factors 0.01 and 0.01, as
        /// Keras documents. Custom regularizers registered with <see cref="RegisterComponentAttribute"/> resolve too.
        /// </summary>
        /// <exception cref="ArgumentException">The name is unknown or names another kind of component; the message lists the known
        /// names.</exception>
        public static Regularizer Get(string name) => ComponentLookup.Get<Regularizer>(name);
    }
}
