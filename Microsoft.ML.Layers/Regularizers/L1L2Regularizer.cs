using System;
using System.Linq;
using TorchSharp;

namespace Microsoft.ML.Layers.Regularizers
{
    /// <summary>
    /// The sum of the L1 and L2 penalties, <c>l1 * sum(|x|) + l2 * sum(x^2)</c> (Keras's <c>L1L2</c>, <c>"l1l2"</c>, and
    /// <c>"l1_l2"</c>).
    /// </summary>
    /// <remarks>
    /// <para>
    /// The constructor's defaults are Keras's, 0 and 0. Keras documents that the name <c>"l1_l2"</c> means
    /// <c>l1 = 0.01, l2 = 0.01</c>; that is what the bare name <c>"l1_l2"</c> gives here (from
    /// <see cref="Regularizer.Get"/> or a config). Keras 3's own lookup does not know <c>"l1_l2"</c> (its snake_case
    /// name for the class is <c>"l1l2"</c>, which gives 0 and 0) and rejects it.
    /// </para>
    /// <para>Factors are held as float32, as described on <see cref="L1Regularizer"/>.</para>
    /// </remarks>
    [RegisterComponent("L1L2", Aliases = new[] { "l1l2", LegacyName })]
    public sealed class L1L2Regularizer : Regularizer
    {
        private const string LegacyName = "l1_l2";

        /// <summary>Creates the regularizer (Keras's defaults: 0 and 0).</summary>
        /// <param name="l1">The L1 factor; a non-negative finite number.</param>
        /// <param name="l2">The L2 factor; a non-negative finite number.</param>
        /// <exception cref="ArgumentOutOfRangeException">A factor is negative or not finite.</exception>
        public L1L2Regularizer(double l1 = 0.0, double l2 = 0.0)
        {
            Arguments.NonNegative(l1, nameof(l1));
            Arguments.NonNegative(l2, nameof(l2));
            L1 = l1;
            L2 = l2;
        }

        /// <summary>The L1 factor.</summary>
        public new double L1 { get; }  // hides the static factory Regularizer.L1 on purpose: Keras names both l1

        /// <summary>The L2 factor.</summary>
        public new double L2 { get; }  // hides the static factory Regularizer.L2 on purpose: Keras names both l2

        /// <inheritdoc />
        public override torch.Tensor Compute(torch.Tensor value)
        {
            ArgumentNullException.ThrowIfNull(value);
            using var scope = torch.NewDisposeScope();
            // Keras: start from 0 in the value's dtype and add each penalty whose (float32) factor is not zero.
            var penalty = torch.zeros(Array.Empty<long>(), value.dtype, value.device);
            if ((float)L1 != 0)
                penalty = penalty.Plus(Penalties.Factor(L1, value) * value.abs().sum());
            if ((float)L2 != 0)
                penalty = penalty.Plus(Penalties.Factor(L2, value) * value.Squared().sum());
            return penalty.MoveToOuterDisposeScope();
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => base.GetConfig().With("l1", L1).With("l2", L2);

        /// <summary>
        /// Reads a config: <c>l1</c> and <c>l2</c> default to 0 (a null value also means 0, as in Keras); the bare name
        /// <c>"l1_l2"</c> means 0.01 and 0.01, as Keras documents.
        /// </summary>
        /// <exception cref="FormatException">The config has keys other than <c>l1</c> and <c>l2</c>, or a value is not a
        /// number.</exception>
        public static L1L2Regularizer FromConfig(ComponentConfig config)
        {
            ArgumentNullException.ThrowIfNull(config);
            var unknown = config.Keys.Where(k => k is not ("l1" or "l2")).ToList();
            if (unknown.Count > 0)
                throw new FormatException($"The config of '{config.ClassName}' has keys that L1L2 does not take: " +
                    $"{string.Join(", ", unknown)}. Expected: l1, l2.");
            if (config.ClassName == LegacyName && !config.Keys.Any())
                return new L1L2Regularizer(0.01, 0.01);
            return new L1L2Regularizer(config.Get<double?>("l1", null) ?? 0.0, config.Get<double?>("l2", null) ?? 0.0);
        }
    }
}
