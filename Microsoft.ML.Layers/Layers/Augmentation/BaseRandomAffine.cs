using System;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Infrastructure
{
    /// <summary>
    /// The base of <see cref="RandomRotation"/>, <see cref="RandomZoom"/> and <see cref="RandomTranslation"/>: in training,
    /// each image of the batch is resampled through a random affine map drawn by the layer (Keras's
    /// <c>affine_transform</c>: nearest or bilinear interpolation, points outside the input filled by <c>fill_mode</c>); in
    /// inference the input passes unchanged. No weights; the output has the input's shape (rank 3 for one image, rank 4 for a
    /// batch). Seeds behave as on <see cref="Dropout"/>: with a seed, the layer's k-th draw uses <c>seed + k</c>.
    /// </summary>
    public abstract class BaseRandomAffine : Layer, IOnnxExportable
    {
        private protected BaseRandomAffine(FillMode fillMode, Interpolation interpolation, long? seed, double fillValue,
            DataFormat dataFormat, string? name, bool trainable, ScalarType? dtype)
            : base(name, trainable, dtype)
        {
            FillMode = Enum.IsDefined(fillMode) ? fillMode : throw new ArgumentOutOfRangeException(nameof(fillMode),
                $"Layer '{Name}' ({GetType().Name}): unknown `fill_mode` {fillMode}. Expected one of ('reflect', 'wrap', 'constant', " +
                "'nearest').");
            Interpolation = ImageAugmentation.AffineInterpolation(this, interpolation);
            Seed = seed;
            FillValue = fillValue;
            DataFormat = dataFormat;
            Seeds = new SeedStream(seed);
        }

        /// <summary>How points outside the input are filled.</summary>
        public FillMode FillMode { get; }

        /// <summary>Nearest or bilinear resampling.</summary>
        public Interpolation Interpolation { get; }

        /// <summary>The seed, or <see langword="null"/> for TorchSharp's global generator.</summary>
        public long? Seed { get; }

        /// <summary>The value outside the input when <see cref="FillMode"/> is <see cref="FillMode.Constant"/>.</summary>
        public double FillValue { get; }

        /// <summary>Where the channel axis is.</summary>
        public DataFormat DataFormat { get; }

        /// <summary>The generators of the layer's successive draws.</summary>
        private protected SeedStream Seeds { get; }

        /// <summary>
        /// Draws the maps for a batch of <paramref name="batch"/> images of <paramref name="height"/> x
        /// <paramref name="width"/>: six <c>(batch)</c> float32 tensors <c>a0, a1, a2, b0, b1, b2</c>, the output pixel
        /// <c>(x, y)</c> reading the input at <c>(a0 x + a1 y + a2, b0 x + b1 y + b2)</c>.
        /// </summary>
        private protected abstract Tensor[] DrawTransform(long batch, long height, long width);

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            if (training != true)
                return ImageAugmentation.Unchanged(this, inputs);
            var images = ImageAugmentation.Batched(this, inputs, out bool unbatched);
            if (DataFormat == DataFormat.ChannelsFirst)
                images = images.permute(0, 2, 3, 1);
            var transform = DrawTransform(images.shape[0], images.shape[1], images.shape[2]);
            var output = ImageAugmentation.AffineTransform(images, transform, Interpolation, FillMode, FillValue);
            if (DataFormat == DataFormat.ChannelsFirst)
                output = output.permute(0, 3, 1, 2);
            return unbatched ? output.squeeze(0) : output;
        }

        /// <summary>The identity at inference (integer images cast to float, as <see cref="Call"/> does).</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
            => IndexEncoder.OnnxCast(context, input.Name, IndexEncoder.OnnxFloat);

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;
    }
}
