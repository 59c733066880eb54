using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Masks the timesteps whose features all equal <c>mask_value</c> (Keras's <c>Masking</c>): the output is
    /// <c>inputs * any(inputs != mask_value, axis=-1)</c>, and the output mask is that boolean, without the last axis.
    /// </summary>
    /// <remarks>
    /// No weights. Input <c>(batch, timesteps, features)</c> (any rank &gt;= 1); output the same shape, with masked steps set to
    /// 0; mask <c>(batch, timesteps)</c>. An incoming mask is replaced, as in Keras.
    /// <code>
    /// var masking = new Masking(maskValue: 0.0);
    /// Tensor y = masking.Apply(x);                 // x: (32, 10, 8) with x[:, 3, :] == 0
    /// Tensor? mask = KerasMask.Get(y);             // (32, 10); false at step 3
    /// </code>
    /// </remarks>
    [RegisterLayer("Masking")]
    public sealed class Masking : Layer, IOnnxExportable
    {
        /// <summary>Creates a masking layer.</summary>
        /// <param name="maskValue">The value that marks padding; a step is masked when all its features equal it.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        public Masking(double maskValue = 0.0, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            MaskValue = maskValue;
            SupportsMasking = true;
        }

        /// <summary>The padding value.</summary>
        public double MaskValue { get; }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            var keep = inputs.NeScalar(MaskValue).any(-1, keepdim: true);
            return inputs * keep.to(inputs.dtype);
        }

        /// <summary>Keras's mask: <c>any(inputs != mask_value, axis=-1)</c>.</summary>
        public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => inputs.NeScalar(MaskValue).any(-1);

        /// <summary>Not exportable: the layer's only effect is the mask it produces, and masks are not exported.</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
            => throw context.Unsupported("it only produces a mask, and masks are not exported.");

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig().With("mask_value", MaskValue);
    }
}
