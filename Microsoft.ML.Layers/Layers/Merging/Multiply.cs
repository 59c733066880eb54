using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Infrastructure;
using Microsoft.ML.Layers.Onnx;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>Element-wise product of a list of inputs (Keras's <c>Multiply</c>).</summary>
    /// <remarks>
    /// Inputs of one shape (or shapes that broadcast, see <see cref="Merge"/>); output of that shape. Masks, as Keras 3:
    /// masked values of an input count as 1 (they do not zero the product); when every input has a mask, the output mask
    /// is their OR and the output is 0 where it is false. No weights.
    /// <code>
    /// Tensor p = new Multiply().Apply(new[] { a, b });   // a * b
    /// </code>
    /// </remarks>
    [RegisterLayer("Multiply")]
    public sealed class Multiply : Merge
    {
        /// <summary>Creates a multiplication layer.</summary>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility (there are no weights).</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        public Multiply(string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
        }

        private protected override Tensor MergeFunction(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks)
        {
            bool allMasked = masks.All(m => m is not null);
            Tensor? output = null;
            Tensor? outputMask = null;
            for (int i = 0; i < inputs.Count; i++)
            {
                var x = inputs[i];
                var mask = ExpandMask(masks[i], x);
                if (mask is not null)
                {
                    x = where(mask, x, ones_like(x));
                    if (allMasked)
                        outputMask = outputMask is null ? mask : outputMask.logical_or(mask);
                }
                output = output is null ? x : output * x;
            }
            return outputMask is null ? output! : where(outputMask, output!, zeros_like(output!));
        }

        private protected override string ExportMerge(OnnxExportContext context, IReadOnlyList<OnnxValue> inputs)
            => Fold(context, "Mul", inputs);
    }
}
