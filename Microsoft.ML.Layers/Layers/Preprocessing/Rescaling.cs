using System;
using Microsoft.ML.Layers.Onnx;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Rescales every value of its input (Keras's <c>Rescaling</c>): <c>y = x * scale + offset</c>, in the compute dtype.
    /// </summary>
    /// <remarks>
    /// <para>No weights. Input of any shape and of a floating or integer dtype (an image in <c>[0, 255]</c>, often
    /// <c>uint8</c>); output of the same shape in the compute dtype (float32 by default), in training and inference alike.
    /// Masks pass through. <c>scale = 1 / 255.0</c> maps <c>[0, 255]</c> to <c>[0, 1]</c>; <c>scale = 1 / 127.5</c> with
    /// <c>offset = -1</c> maps it to <c>[-1, 1]</c>.</para>
    /// <para><c>scale</c> and <c>offset</c> are numbers. Keras also takes arrays (a per-channel scale, serialized as
    /// <c>__numpy__</c> objects); a config holding one is refused with a <see cref="FormatException"/>.</para>
    /// <code>
    /// var rescale = new Rescaling(1 / 255.0);
    /// Tensor y = rescale.Apply(images);                  // uint8 (batch, 28, 28, 1) -> float32 in [0, 1]
    /// </code>
    /// </remarks>
    [RegisterLayer("Rescaling")]
    public sealed class Rescaling : Layer, IOnnxExportable
    {
        /// <summary>Creates the layer.</summary>
        /// <param name="scale">The factor every value is multiplied by; finite.</param>
        /// <param name="offset">The value added after scaling; finite.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype of the output; the global policy by default.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="scale"/> or <paramref name="offset"/> is NaN or
        /// infinite.</exception>
        public Rescaling(double scale, double offset = 0.0, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            Scale = Arguments.Finite(scale, nameof(scale));
            Offset = Arguments.Finite(offset, nameof(offset));
            SupportsMasking = true;
        }

        /// <summary>The factor every value is multiplied by.</summary>
        public double Scale { get; }

        /// <summary>The value added after scaling.</summary>
        public double Offset { get; }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            // Integer images are cast too (floating inputs already are): Keras casts to the compute dtype before scaling.
            var x = inputs.dtype == ComputeDType ? inputs : inputs.to(ComputeDType);
            return x.MulScalar(Scale).AddScalar(Offset);
        }

        /// <summary><c>x * scale + offset</c>, integer images cast to float32 first.</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
        {
            var x = IndexEncoder.OnnxCast(context, input.Name, IndexEncoder.OnnxFloat);
            return context.Node("Add", context.Node("Mul", x, context.Constant((float)Scale)), context.Constant((float)Offset));
        }

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig().With("scale", Scale).With("offset", Offset);
    }
}
