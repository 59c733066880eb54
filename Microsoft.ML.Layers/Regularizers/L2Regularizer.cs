using System;
using TorchSharp;

namespace Microsoft.ML.Layers.Regularizers
{
    /// <summary>
    /// The L2 penalty <c>l2 * sum(x^2)</c> (Keras's <c>L2</c>, <c>"l2"</c>). There is no factor 1/2.
    /// </summary>
    /// <remarks>
    /// As in Keras 3, the factor is held as a float32 and cast to the dtype of the penalized tensor, so a float64 weight is
    /// penalized with <c>(double)(float)l2</c>; the config keeps the value given.
    /// </remarks>
    [RegisterComponent("L2", Aliases = new[] { "l2" })]
    public sealed class L2Regularizer : Regularizer
    {
        /// <summary>Creates the regularizer (Keras's default factor is 0.01).</summary>
        /// <param name="l2">The L2 factor; a non-negative finite number.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="l2"/> is negative or not finite.</exception>
        public L2Regularizer(double l2 = 0.01)
        {
            Arguments.NonNegative(l2, nameof(l2));
            L2 = l2;
        }

        /// <summary>The L2 factor.</summary>
        public new double L2 { get; }  // hides the static factory Regularizer.L2 on purpose: Keras names both l2

        /// <inheritdoc />
        public override torch.Tensor Compute(torch.Tensor value)
        {
            ArgumentNullException.ThrowIfNull(value);
            using var scope = torch.NewDisposeScope();
            return (Penalties.Factor(L2, value) * value.Squared().sum()).MoveToOuterDisposeScope();
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => base.GetConfig().With("l2", L2);
    }
}
