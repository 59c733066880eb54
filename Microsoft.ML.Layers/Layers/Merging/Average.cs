using System.Collections.Generic;
using Microsoft.ML.Layers.Infrastructure;
using Microsoft.ML.Layers.Onnx;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>Element-wise mean of a list of inputs (Keras's <c>Average</c>): their sum divided by their count.</summary>
    /// <remarks>
    /// Inputs of one shape (or shapes that broadcast, see <see cref="Merge"/>); output of that shape. Masked values are
    /// averaged like any other; the output mask is the OR of the input masks when all inputs have one. No weights.
    /// <code>
    /// Tensor m = new Average().Apply(new[] { a, b });   // (a + b) / 2
    /// </code>
    /// </remarks>
    [RegisterLayer("Average")]
    public sealed class Average : Merge
    {
        /// <summary>Creates an averaging layer.</summary>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility (there are no weights).</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        public Average(string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
        }

        private protected override Tensor MergeFunction(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks)
        {
            var output = inputs[0];
            for (int i = 1; i < inputs.Count; i++)
                output = output.Plus(inputs[i]);
            return output.DivScalar(inputs.Count);
        }

        private protected override string ExportMerge(OnnxExportContext context, IReadOnlyList<OnnxValue> inputs)
            => context.Node("Div", Fold(context, "Add", inputs), context.Constant(inputs.Count));
    }
}
