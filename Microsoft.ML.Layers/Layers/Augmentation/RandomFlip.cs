using System;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Flips each image with probability 1/2 in training (Keras's <c>RandomFlip</c>); the identity in inference.
    /// </summary>
    /// <remarks>
    /// <para>Per image, <c>u</c> is drawn uniformly in [0, 1) and the image is flipped when <c>u &lt;= 0.5</c>: left-right for
    /// <see cref="FlipMode.Horizontal"/>, top-bottom for <see cref="FlipMode.Vertical"/>, and both together (one draw) for
    /// <see cref="FlipMode.HorizontalAndVertical"/>, Keras's default. Seeds behave as on <see cref="Dropout"/>.</para>
    /// <para>No weights. Input: <c>(H, W, C)</c> or <c>(N, H, W, C)</c> (channels first with <see cref="DataFormat.ChannelsFirst"/>);
    /// output: the same shape, floating.</para>
    /// <code>
    /// var flip = new RandomFlip(FlipMode.Horizontal, seed: 1);
    /// Tensor y = flip.Apply(images, training: true);
    /// </code>
    /// </remarks>
    [RegisterLayer("RandomFlip")]
    public sealed class RandomFlip : Layer, IOnnxExportable
    {
        private readonly SeedStream _seeds;

        /// <summary>Creates the layer.</summary>
        /// <param name="mode">Which flips to make.</param>
        /// <param name="seed">The seed; <see langword="null"/> draws from the global generator.</param>
        /// <param name="dataFormat">Where the channel axis is.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not a <see cref="FlipMode"/>.</exception>
        public RandomFlip(FlipMode mode = FlipMode.HorizontalAndVertical, long? seed = null,
            DataFormat dataFormat = DataFormat.ChannelsLast, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            Mode = Enum.IsDefined(mode) ? mode : throw new ArgumentOutOfRangeException(nameof(mode),
                $"Layer '{Name}' (RandomFlip): unknown `mode` {mode}. Expected one of ('horizontal', 'vertical', " +
                "'horizontal_and_vertical').");
            Seed = seed;
            DataFormat = dataFormat;
            _seeds = new SeedStream(seed);
        }

        /// <summary>Which flips the layer makes.</summary>
        public FlipMode Mode { get; }

        /// <summary>The seed, or <see langword="null"/>.</summary>
        public long? Seed { get; }

        /// <summary>Where the channel axis is.</summary>
        public DataFormat DataFormat { get; }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            if (training != true)
                return ImageAugmentation.Unchanged(this, inputs);
            var images = ImageAugmentation.Batched(this, inputs, out bool unbatched);
            var flips = ImageAugmentation.Uniform(new[] { images.shape[0], 1, 1, 1 }, 0.0, 1.0, _seeds).le(Scalars.Half);
            long widthAxis = DataFormat == DataFormat.ChannelsLast ? 2 : 3;
            if (Mode != FlipMode.Vertical)
                images = where(flips, images.flip(widthAxis), images);
            if (Mode != FlipMode.Horizontal)
                images = where(flips, images.flip(widthAxis - 1), images);
            return unbatched ? images.squeeze(0) : images;
        }

        /// <summary>The identity at inference (integer images cast to float, as <see cref="Call"/> does).</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
            => IndexEncoder.OnnxCast(context, input.Name, IndexEncoder.OnnxFloat);

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("seed", Seed)
            .With("mode", Mode)
            .With("data_format", DataFormat);
    }
}
