using System;
using TorchSharp;

namespace Microsoft.ML.Layers.Regularizers
{
    /// <summary>
    /// The L1 penalty <c>l1 * sum(|x|)</c> (Keras's <c>L1</c>, <c>"l1"</c>).
    /// </summary>
    /// <remarks>
    /// As in Keras 3, the factor is held as a float32 and cast to the dtype of the penalized tensor, so a float64 weight is
    /// penalized with <c>(double)(float)l1</c>; the config keeps the value given.
    /// </remarks>
    [RegisterComponent("L1", Aliases = new[] { "l1" })]
    public sealed class L1Regularizer : Regularizer
    {
        /// <summary>Creates the regularizer (Keras's default factor is 0.01).</summary>
        /// <param name="l1">The L1 factor; a non-negative finite number.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="l1"/> is negative or not finite.</exception>
        public L1Regularizer(double l1 = 0.01)
        {
            Arguments.NonNegative(l1, nameof(l1));
            L1 = l1;
        }

        /// <summary>The L1 factor.</summary>
        public new double L1 { get; }  // hides the static factory Regularizer.L1 on purpose: Keras names both l1

        /// <inheritdoc />
        public override torch.Tensor Compute(torch.Tensor value)
        {
            ArgumentNullException.ThrowIfNull(value);
            using var scope = torch.NewDisposeScope();
            return (Penalties.Factor(L1, value) * value.abs().sum()).MoveToOuterDisposeScope();
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => base.GetConfig().With("l1", L1);
    }
}
