using System;
using Microsoft.ML.Layers.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Shifts each image by a random offset in training (Keras's <c>RandomTranslation</c>); the identity in inference.
    /// </summary>
    /// <remarks>
    /// <para>Per image, a vertical shift <c>dy = u H</c> (<c>u</c> uniform in the <c>height_factor</c> range) and a horizontal
    /// shift <c>dx = v W</c> (<c>v</c> from <c>width_factor</c>) are drawn, in that order; the output pixel <c>(x, y)</c> reads
    /// the input at <c>(x - dx, y - dy)</c>, so a positive shift moves the image down or right. A factor <c>f</c> gives
    /// <c>[-|f|, |f|]</c>; factors are in [-1, 1]. Points outside the input follow <see cref="FillMode"/> (default
    /// <see cref="FillMode.Reflect"/>).</para>
    /// <para>No weights. Input: <c>(H, W, C)</c> or <c>(N, H, W, C)</c> (channels first with <see cref="DataFormat.ChannelsFirst"/>);
    /// output: the same shape, floating.</para>
    /// <code>
    /// var shift = new RandomTranslation(heightFactor: 0.1, widthFactor: 0.1, seed: 5);
    /// Tensor y = shift.Apply(images, training: true);
    /// </code>
    /// </remarks>
    [RegisterLayer("RandomTranslation")]
    public sealed class RandomTranslation : BaseRandomAffine
    {
        private readonly double[] _heightFactor;
        private readonly double[] _widthFactor;

        /// <summary>Creates the layer with symmetric ranges.</summary>
        /// <param name="heightFactor">The largest vertical shift, as a fraction of the height, in [-1, 1].</param>
        /// <param name="widthFactor">The largest horizontal shift, as a fraction of the width, in [-1, 1].</param>
        /// <param name="fillMode">How points outside the input are filled.</param>
        /// <param name="interpolation">Nearest or bilinear resampling.</param>
        /// <param name="seed">The seed; <see langword="null"/> draws from the global generator.</param>
        /// <param name="fillValue">The value outside the input in constant mode.</param>
        /// <param name="dataFormat">Where the channel axis is.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="ArgumentOutOfRangeException">A factor is outside [-1, 1], or a mode is not supported.</exception>
        public RandomTranslation(double heightFactor, double widthFactor, FillMode fillMode = FillMode.Reflect,
            Interpolation interpolation = Interpolation.Bilinear, long? seed = null, double fillValue = 0.0,
            DataFormat dataFormat = DataFormat.ChannelsLast, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : this(new[] { heightFactor }, new[] { widthFactor }, fillMode, interpolation, seed, fillValue, dataFormat, name, trainable,
                dtype)
        {
        }

        /// <summary>Creates the layer with explicit ranges.</summary>
        /// <param name="heightFactor">The lower and upper vertical shift, as fractions of the height (sorted).</param>
        /// <param name="widthFactor">The lower and upper horizontal shift, as fractions of the width (sorted).</param>
        /// <param name="fillMode">How points outside the input are filled.</param>
        /// <param name="interpolation">Nearest or bilinear resampling.</param>
        /// <param name="seed">The seed; <see langword="null"/> draws from the global generator.</param>
        /// <param name="fillValue">The value outside the input in constant mode.</param>
        /// <param name="dataFormat">Where the channel axis is.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="ArgumentOutOfRangeException">A factor is outside [-1, 1], or a mode is not supported.</exception>
        public RandomTranslation((double Lower, double Upper) heightFactor, (double Lower, double Upper) widthFactor,
            FillMode fillMode = FillMode.Reflect, Interpolation interpolation = Interpolation.Bilinear, long? seed = null,
            double fillValue = 0.0, DataFormat dataFormat = DataFormat.ChannelsLast, string? name = null, bool trainable = true,
            ScalarType? dtype = null)
            : this(new[] { heightFactor.Lower, heightFactor.Upper }, new[] { widthFactor.Lower, widthFactor.Upper }, fillMode,
                interpolation, seed, fillValue, dataFormat, name, trainable, dtype)
        {
        }

        private RandomTranslation(double[] heightFactor, double[] widthFactor, FillMode fillMode, Interpolation interpolation,
            long? seed, double fillValue, DataFormat dataFormat, string? name, bool trainable, ScalarType? dtype)
            : base(fillMode, interpolation, seed, fillValue, dataFormat, name, trainable, dtype)
        {
            HeightFactor = ImageAugmentation.SpatialFactor(this, heightFactor, "height_factor");
            WidthFactor = ImageAugmentation.SpatialFactor(this, widthFactor, "width_factor");
            _heightFactor = heightFactor;
            _widthFactor = widthFactor;
        }

        /// <summary>The range of vertical shifts, as fractions of the height.</summary>
        public (double Lower, double Upper) HeightFactor { get; }

        /// <summary>The range of horizontal shifts, as fractions of the width.</summary>
        public (double Lower, double Upper) WidthFactor { get; }

        /// <summary>Reads a config whose factors are numbers or pairs, as Keras writes them.</summary>
        /// <param name="config">The layer's config.</param>
        public static RandomTranslation FromConfig(LayerConfig config)
        {
            ArgumentNullException.ThrowIfNull(config);
            config.RequireKnownKeys("height_factor", "width_factor", "fill_mode", "interpolation", "seed", "fill_value", "data_format");
            var layer = new RandomTranslation(ImageAugmentation.ReadFactor(config, "height_factor"),
                ImageAugmentation.ReadFactor(config, "width_factor"), config.Get("fill_mode", FillMode.Reflect),
                config.Get("interpolation", Interpolation.Bilinear), config.Get<long?>("seed", null), config.Get("fill_value", 0.0),
                config.Get("data_format", DataFormat.ChannelsLast), config.Name, config.Trainable, null);
            layer.ApplyBaseConfig(config, LayerConfig.BoundBaseKeys);
            return layer;
        }

        private protected override Tensor[] DrawTransform(long batch, long height, long width)
        {
            var dy = ImageAugmentation.Uniform(new[] { batch }, HeightFactor.Lower, HeightFactor.Upper, Seeds).MulScalar((double)height);
            var dx = ImageAugmentation.Uniform(new[] { batch }, WidthFactor.Lower, WidthFactor.Upper, Seeds).MulScalar((double)width);
            var one = ones_like(dx);
            var zero = zeros_like(dx);
            return new[] { one, zero, dx.neg(), zero, one, dy.neg() };
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("height_factor", ImageAugmentation.ConfigValue(_heightFactor))
            .With("width_factor", ImageAugmentation.ConfigValue(_widthFactor))
            .With("fill_mode", FillMode)
            .With("interpolation", Interpolation)
            .With("seed", Seed)
            .With("fill_value", FillValue)
            .With("data_format", DataFormat);
    }
}
