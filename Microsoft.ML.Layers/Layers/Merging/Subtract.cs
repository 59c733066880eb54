using System.Collections.Generic;
using Microsoft.ML.Layers.Infrastructure;
using Microsoft.ML.Layers.Onnx;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>Element-wise difference of exactly two inputs, <c>inputs[0] - inputs[1]</c> (Keras's <c>Subtract</c>).</summary>
    /// <remarks>
    /// Inputs of one shape (or shapes that broadcast, see <see cref="Merge"/>); output of that shape. The output mask is
    /// the OR of the two input masks when both have one. No weights.
    /// <code>
    /// Tensor d = new Subtract().Apply(new[] { a, b });   // a - b
    /// </code>
    /// </remarks>
    [RegisterLayer("Subtract")]
    public sealed class Subtract : Merge
    {
        /// <summary>Creates a subtraction layer.</summary>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility (there are no weights).</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        public Subtract(string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
        }

        private protected override void ValidateShapes(IReadOnlyList<Shape> shapes)
        {
            if (shapes.Count != 2)
                throw Error($"A `Subtract` layer should be called on exactly 2 inputs. Received: input_shape={Describe(shapes)}");
            base.ValidateShapes(shapes);
        }

        private protected override Tensor MergeFunction(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks)
            => inputs[0] - inputs[1];

        private protected override string ExportMerge(OnnxExportContext context, IReadOnlyList<OnnxValue> inputs)
            => context.Node("Sub", inputs[0].Name, inputs[1].Name);
    }
}
