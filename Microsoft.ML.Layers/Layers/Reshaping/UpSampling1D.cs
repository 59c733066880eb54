using System;
using Microsoft.ML.Layers.Infrastructure;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Repeats each timestep <c>size</c> times along the time axis (Keras's <c>UpSampling1D</c>).
    /// </summary>
    /// <remarks>
    /// No weights. Input <c>(batch, steps, features)</c>; output <c>(batch, steps * size, features)</c>. Masks are dropped,
    /// as in Keras.
    /// <code>
    /// Tensor y = new UpSampling1D(2).Apply(x);   // x (2, 2, 3) -> (2, 4, 3): steps 0, 0, 1, 1
    /// </code>
    /// </remarks>
    [RegisterLayer("UpSampling1D")]
    public sealed class UpSampling1D : Layer, IOnnxExportable
    {
        /// <summary>Creates the layer.</summary>
        /// <param name="size">The upsampling factor; positive.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype floating inputs are cast to; the global policy by default.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive.</exception>
        public UpSampling1D(int size = 2, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            Size = size > 0 ? size
                : throw new ArgumentOutOfRangeException(nameof(size),
                    $"Argument `size` should be a positive integer. Received: size={size}");
            InputSpec = new InputSpec { NDim = 3 };
        }

        /// <summary>The upsampling factor.</summary>
        public int Size { get; }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
            => inputs.repeat_interleave(Size, dim: 1);

        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
            => BaseUpSampling.OnnxResize(context, input.Name, new[] { Size }, 1, "nearest", "asymmetric");

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape)
        {
            ArgumentNullException.ThrowIfNull(inputShape);
            return inputShape.With(1, inputShape[1] == Shape.Unknown ? Shape.Unknown : inputShape[1] * Size);
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig().With("size", Size);
    }
}
