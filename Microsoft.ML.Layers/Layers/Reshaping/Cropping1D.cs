using System;
using Microsoft.ML.Layers.Infrastructure;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Crops a sequence along its time axis (Keras's <c>Cropping1D</c>): removes <c>left</c> steps at the start and
    /// <c>right</c> steps at the end.
    /// </summary>
    /// <remarks>
    /// No weights. Input <c>(batch, steps, features)</c>; output <c>(batch, steps - left - right, features)</c>; the cropping
    /// must leave at least one step. Masks are dropped, as in Keras.
    /// <code>
    /// Tensor y = new Cropping1D((1, 2)).Apply(torch.randn(3, 5, 7));   // (3, 2, 7): steps 1 and 2
    /// </code>
    /// </remarks>
    [RegisterLayer("Cropping1D")]
    public sealed class Cropping1D : Layer, IOnnxExportable
    {
        /// <summary>Creates the layer.</summary>
        /// <param name="cropping">One integer for both ends, or <c>(left, right)</c>; non-negative; <c>(1, 1)</c> when null (Keras's
        /// default).</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype floating inputs are cast to; the global policy by default.</param>
        /// <exception cref="ArgumentException"><paramref name="cropping"/> has neither 1 nor 2 values, or a negative one.</exception>
        public Cropping1D(IntTuple? cropping = null, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            var amounts = (cropping ?? 1).Expand(2, "cropping");
            var pair = SpatialPairs.Check(new[] { (amounts[0], amounts[1]) }, "cropping")[0];
            Cropping = pair;
            InputSpec = new InputSpec { NDim = 3 };
        }

        /// <summary>The steps removed at the start and at the end.</summary>
        public (int Left, int Right) Cropping { get; }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            long length = CroppedLength(inputs.shape[1], Shape.Of(inputs));
            return inputs.narrow(1, Cropping.Left, length);
        }

        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
            => BaseCropping.OnnxSlice(context, input.Name, new[] { Cropping }, 1);

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape)
        {
            ArgumentNullException.ThrowIfNull(inputShape);
            return inputShape.With(1, inputShape[1] == Shape.Unknown ? Shape.Unknown : CroppedLength(inputShape[1], inputShape));
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig().With("cropping", new[] { Cropping.Left, Cropping.Right });

        private long CroppedLength(long steps, Shape inputShape)
        {
            long length = steps - Cropping.Left - Cropping.Right;
            if (length <= 0)
            {
                throw new ArgumentException(
                    $"Layer '{Name}': `cropping` parameter of `Cropping1D` layer must be smaller than the input length. " +
                    $"Received: input_shape={inputShape}, cropping=({Cropping.Left}, {Cropping.Right})");
            }
            return length;
        }
    }
}
