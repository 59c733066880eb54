using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Returns its input unchanged (Keras's <c>Identity</c>): a placeholder where no operation is wanted.
    /// </summary>
    /// <remarks>
    /// No weights. Output: the input (a view of it), any shape and dtype. Masks pass through.
    /// <code>
    /// Tensor y = new Identity().Apply(x);   // same values and shape as x
    /// </code>
    /// </remarks>
    [RegisterLayer("Identity")]
    public sealed class Identity : Layer, IOnnxExportable
    {
        /// <summary>Creates an identity layer.</summary>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype floating inputs are cast to; the global policy by default.</param>
        public Identity(string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
            => SupportsMasking = true;

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null) => inputs.alias();

        /// <summary>The input itself.</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input) => input.Name;

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;
    }
}
