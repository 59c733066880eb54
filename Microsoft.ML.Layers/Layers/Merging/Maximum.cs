using System.Collections.Generic;
using Microsoft.ML.Layers.Infrastructure;
using Microsoft.ML.Layers.Onnx;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>Element-wise maximum of a list of inputs (Keras's <c>Maximum</c>).</summary>
    /// <remarks>
    /// Inputs of one shape (or shapes that broadcast, see <see cref="Merge"/>); output of that shape. Masks, as Keras 3:
    /// where an input is masked, the other inputs' values are used, so padding never wins; the output mask is the OR of
    /// the input masks when all inputs have one. No weights.
    /// <code>
    /// Tensor m = new Maximum().Apply(new[] { a, b });   // max(a, b)
    /// </code>
    /// </remarks>
    [RegisterLayer("Maximum")]
    public sealed class Maximum : Merge
    {
        /// <summary>Creates a maximum layer.</summary>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility (there are no weights).</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        public Maximum(string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
        }

        private protected override Tensor MergeFunction(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks)
            => MergeWithMaskedValuesReplaced(inputs, masks, maximum);

        private protected override string ExportMerge(OnnxExportContext context, IReadOnlyList<OnnxValue> inputs)
            => Fold(context, "Max", inputs);
    }
}
