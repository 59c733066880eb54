using System;
using Microsoft.ML.Layers.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Rotates each image by a random angle in training (Keras's <c>RandomRotation</c>); the identity in inference.
    /// </summary>
    /// <remarks>
    /// <para>The angle is drawn per image, uniformly in <c>[lower, upper] x 2 pi</c> radians (a positive angle turns the image
    /// counter-clockwise), about the centre <c>((W - 1) / 2, (H - 1) / 2)</c>: the output pixel <c>(x, y)</c> reads the input at
    /// <c>(cos a x - sin a y + ox, sin a x + cos a y + oy)</c>. A number <c>f</c> gives <c>[-|f|, |f|]</c>; Keras 3 writes the
    /// pair to the config. Points outside the input follow <see cref="FillMode"/> (default <see cref="FillMode.Reflect"/>).</para>
    /// <para>No weights. Input: <c>(H, W, C)</c> or <c>(N, H, W, C)</c> (channels first with <see cref="DataFormat.ChannelsFirst"/>);
    /// output: the same shape, floating.</para>
    /// <code>
    /// var rotate = new RandomRotation(0.1, seed: 7);          // up to 36 degrees either way
    /// Tensor y = rotate.Apply(images, training: true);
    /// </code>
    /// </remarks>
    [RegisterLayer("RandomRotation")]
    public sealed class RandomRotation : BaseRandomAffine
    {
        /// <summary>Creates the layer with the range <c>[-|factor|, |factor|]</c> of turns.</summary>
        /// <param name="factor">The largest rotation, as a fraction of a full turn, in [-1, 1].</param>
        /// <param name="fillMode">How points outside the input are filled.</param>
        /// <param name="interpolation">Nearest or bilinear resampling.</param>
        /// <param name="seed">The seed; <see langword="null"/> draws from the global generator.</param>
        /// <param name="fillValue">The value outside the input in constant mode.</param>
        /// <param name="dataFormat">Where the channel axis is.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="ArgumentOutOfRangeException">The factor is outside [-1, 1], or a mode is not supported.</exception>
        public RandomRotation(double factor, FillMode fillMode = FillMode.Reflect, Interpolation interpolation = Interpolation.Bilinear,
            long? seed = null, double fillValue = 0.0, DataFormat dataFormat = DataFormat.ChannelsLast, string? name = null,
            bool trainable = true, ScalarType? dtype = null)
            : base(fillMode, interpolation, seed, fillValue, dataFormat, name, trainable, dtype)
            => Factor = ImageAugmentation.Symmetric(this, factor, -1.0, 1.0, "factor");

        /// <summary>Creates the layer with the range <c>[lower, upper]</c> of turns.</summary>
        /// <param name="factor">The lower and upper rotation, as fractions of a full turn (sorted, as Keras does).</param>
        /// <param name="fillMode">How points outside the input are filled.</param>
        /// <param name="interpolation">Nearest or bilinear resampling.</param>
        /// <param name="seed">The seed; <see langword="null"/> draws from the global generator.</param>
        /// <param name="fillValue">The value outside the input in constant mode.</param>
        /// <param name="dataFormat">Where the channel axis is.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="ArgumentOutOfRangeException">The range misses [-1, 1], or a mode is not supported.</exception>
        public RandomRotation((double Lower, double Upper) factor, FillMode fillMode = FillMode.Reflect,
            Interpolation interpolation = Interpolation.Bilinear, long? seed = null, double fillValue = 0.0,
            DataFormat dataFormat = DataFormat.ChannelsLast, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(fillMode, interpolation, seed, fillValue, dataFormat, name, trainable, dtype)
            => Factor = ImageAugmentation.Pair(this, factor, -1.0, 1.0, "factor");

        /// <summary>The range of rotations, in fractions of a full turn.</summary>
        public (double Lower, double Upper) Factor { get; }

        /// <summary>Reads a config whose <c>factor</c> is a number (tf.keras, Keras 3.0) or a pair (Keras 3).</summary>
        /// <param name="config">The layer's config.</param>
        public static RandomRotation FromConfig(LayerConfig config)
        {
            ArgumentNullException.ThrowIfNull(config);
            config.RequireKnownKeys("factor", "fill_mode", "interpolation", "seed", "fill_value", "data_format");
            var factor = ImageAugmentation.ReadFactor(config, "factor");
            var fillMode = config.Get("fill_mode", FillMode.Reflect);
            var interpolation = config.Get("interpolation", Interpolation.Bilinear);
            var seed = config.Get<long?>("seed", null);
            double fillValue = config.Get("fill_value", 0.0);
            var dataFormat = config.Get("data_format", DataFormat.ChannelsLast);
            var layer = factor.Length == 1
                ? new RandomRotation(factor[0], fillMode, interpolation, seed, fillValue, dataFormat, config.Name, config.Trainable)
                : new RandomRotation((factor[0], factor[1]), fillMode, interpolation, seed, fillValue, dataFormat, config.Name,
                    config.Trainable);
            layer.ApplyBaseConfig(config, LayerConfig.BoundBaseKeys);
            return layer;
        }

        private protected override Tensor[] DrawTransform(long batch, long height, long width)
        {
            var angle = ImageAugmentation.Uniform(new[] { batch }, Factor.Lower * 2.0 * Math.PI, Factor.Upper * 2.0 * Math.PI, Seeds);
            var cos = angle.cos();
            var sin = angle.sin();
            // Keras: x_offset = ((W - 1) - (cos (W - 1) - sin (H - 1))) / 2, y_offset = ((H - 1) - (sin (W - 1) + cos (H - 1))) / 2.
            double w = width - 1, h = height - 1;
            var xOffset = w.SubFrom(cos.MulScalar(w).sub(sin.MulScalar(h))).DivScalar(2.0);
            var yOffset = h.SubFrom(sin.MulScalar(w).Plus(cos.MulScalar(h))).DivScalar(2.0);
            return new[] { cos, sin.neg(), xOffset, sin, cos, yOffset };
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("factor", new[] { Factor.Lower, Factor.Upper })
            .With("data_format", DataFormat)
            .With("fill_mode", FillMode)
            .With("fill_value", FillValue)
            .With("interpolation", Interpolation)
            .With("seed", Seed);
    }
}
