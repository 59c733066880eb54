using System;
using TorchSharp;

namespace Microsoft.ML.Layers.Constraints
{
    /// <summary>Replaces negative weights by 0 (Keras's <c>NonNeg</c>, <c>"non_neg"</c>): <c>maximum(w, 0)</c>.</summary>
    [RegisterComponent("NonNeg", Aliases = new[] { "non_neg" })]
    public sealed class NonNegConstraint : Constraint
    {
        /// <inheritdoc />
        public override torch.Tensor Apply(torch.Tensor weight)
        {
            ArgumentNullException.ThrowIfNull(weight);
            using var zero = torch.zeros(Array.Empty<long>(), weight.dtype, weight.device);
            return torch.maximum(weight, zero);
        }
    }
}
