using System;
using Microsoft.ML.Layers.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Zooms each image in or out by a random amount in training (Keras's <c>RandomZoom</c>); the identity in inference.
    /// </summary>
    /// <remarks>
    /// <para>Per image, a vertical zoom <c>zy</c> is drawn uniformly in <c>[1 + lower, 1 + upper]</c> of
    /// <c>height_factor</c>, and a horizontal zoom <c>zx</c> the same way from <c>width_factor</c> (or <c>zx = zy</c> when it is
    /// null, keeping the aspect ratio). The output pixel <c>(x, y)</c> reads the input at
    /// <c>(zx x + (W - 1)(1 - zx) / 2, zy y + (H - 1)(1 - zy) / 2)</c>: a zoom above 1 zooms out, below 1 zooms in. A factor
    /// <c>f</c> gives <c>[-|f|, |f|]</c>; factors are in [-1, 1]. Points outside the input follow <see cref="FillMode"/>
    /// (default <see cref="FillMode.Reflect"/>).</para>
    /// <para>No weights. Input: <c>(H, W, C)</c> or <c>(N, H, W, C)</c> (channels first with <see cref="DataFormat.ChannelsFirst"/>);
    /// output: the same shape, floating.</para>
    /// <code>
    /// var zoom = new RandomZoom(heightFactor: 0.2, seed: 3);   // zoom in or out by up to 20 %, aspect kept
    /// Tensor y = zoom.Apply(images, training: true);
    /// </code>
    /// </remarks>
    [RegisterLayer("RandomZoom")]
    public sealed class RandomZoom : BaseRandomAffine
    {
        private readonly double[] _heightFactor;
        private readonly double[]? _widthFactor;

        /// <summary>Creates the layer with symmetric ranges.</summary>
        /// <param name="heightFactor">The largest vertical zoom, as a fraction, in [-1, 1].</param>
        /// <param name="widthFactor">The largest horizontal zoom; <see langword="null"/> to zoom both axes alike.</param>
        /// <param name="fillMode">How points outside the input are filled.</param>
        /// <param name="interpolation">Nearest or bilinear resampling.</param>
        /// <param name="seed">The seed; <see langword="null"/> draws from the global generator.</param>
        /// <param name="fillValue">The value outside the input in constant mode.</param>
        /// <param name="dataFormat">Where the channel axis is.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="ArgumentOutOfRangeException">A factor is outside [-1, 1], or a mode is not supported.</exception>
        public RandomZoom(double heightFactor, double? widthFactor = null, FillMode fillMode = FillMode.Reflect,
            Interpolation interpolation = Interpolation.Bilinear, long? seed = null, double fillValue = 0.0,
            DataFormat dataFormat = DataFormat.ChannelsLast, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : this(new[] { heightFactor }, widthFactor is double w ? new[] { w } : null, fillMode, interpolation, seed, fillValue,
                dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer with explicit ranges.</summary>
        /// <param name="heightFactor">The lower and upper vertical zoom, as fractions in [-1, 1] (sorted).</param>
        /// <param name="widthFactor">The horizontal range; <see langword="null"/> to zoom both axes alike.</param>
        /// <param name="fillMode">How points outside the input are filled.</param>
        /// <param name="interpolation">Nearest or bilinear resampling.</param>
        /// <param name="seed">The seed; <see langword="null"/> draws from the global generator.</param>
        /// <param name="fillValue">The value outside the input in constant mode.</param>
        /// <param name="dataFormat">Where the channel axis is.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="ArgumentOutOfRangeException">A factor is outside [-1, 1], or a mode is not supported.</exception>
        public RandomZoom((double Lower, double Upper) heightFactor, (double Lower, double Upper)? widthFactor = null,
            FillMode fillMode = FillMode.Reflect, Interpolation interpolation = Interpolation.Bilinear, long? seed = null,
            double fillValue = 0.0, DataFormat dataFormat = DataFormat.ChannelsLast, string? name = null, bool trainable = true,
            ScalarType? dtype = null)
            : this(new[] { heightFactor.Lower, heightFactor.Upper },
                widthFactor is { } w ? new[] { w.Lower, w.Upper } : null, fillMode, interpolation, seed, fillValue, dataFormat, name,
                trainable, dtype)
        {
        }

        private RandomZoom(double[] heightFactor, double[]? widthFactor, FillMode fillMode, Interpolation interpolation, long? seed,
            double fillValue, DataFormat dataFormat, string? name, bool trainable, ScalarType? dtype)
            : base(fillMode, interpolation, seed, fillValue, dataFormat, name, trainable, dtype)
        {
            HeightFactor = ImageAugmentation.SpatialFactor(this, heightFactor, "height_factor");
            WidthFactor = widthFactor is null ? null : ImageAugmentation.SpatialFactor(this, widthFactor, "width_factor");
            _heightFactor = heightFactor;
            _widthFactor = widthFactor;
        }

        /// <summary>The range of vertical zooms (fractions added to 1).</summary>
        public (double Lower, double Upper) HeightFactor { get; }

        /// <summary>The range of horizontal zooms, or <see langword="null"/> when both axes zoom alike.</summary>
        public (double Lower, double Upper)? WidthFactor { get; }

        /// <summary>Reads a config whose factors are numbers or pairs, as Keras writes them.</summary>
        /// <param name="config">The layer's config.</param>
        public static RandomZoom FromConfig(LayerConfig config)
        {
            ArgumentNullException.ThrowIfNull(config);
            config.RequireKnownKeys("height_factor", "width_factor", "fill_mode", "interpolation", "seed", "fill_value", "data_format");
            var widthFactor = config.Values["width_factor"] is null ? null : ImageAugmentation.ReadFactor(config, "width_factor");
            var layer = new RandomZoom(ImageAugmentation.ReadFactor(config, "height_factor"), widthFactor,
                config.Get("fill_mode", FillMode.Reflect), config.Get("interpolation", Interpolation.Bilinear),
                config.Get<long?>("seed", null), config.Get("fill_value", 0.0), config.Get("data_format", DataFormat.ChannelsLast),
                config.Name, config.Trainable, null);
            layer.ApplyBaseConfig(config, LayerConfig.BoundBaseKeys);
            return layer;
        }

        private protected override Tensor[] DrawTransform(long batch, long height, long width)
        {
            var zy = ImageAugmentation.Uniform(new[] { batch }, 1.0 + HeightFactor.Lower, 1.0 + HeightFactor.Upper, Seeds);
            var zx = WidthFactor is { } w ? ImageAugmentation.Uniform(new[] { batch }, 1.0 + w.Lower, 1.0 + w.Upper, Seeds) : zy;
            var xOffset = 1.0.SubFrom(zx).MulScalar((width - 1.0) / 2.0);
            var yOffset = 1.0.SubFrom(zy).MulScalar((height - 1.0) / 2.0);
            var zero = zeros_like(zx);
            return new[] { zx, zero, xOffset, zero, zy, yOffset };
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("height_factor", ImageAugmentation.ConfigValue(_heightFactor))
            .With("width_factor", _widthFactor is null ? null : ImageAugmentation.ConfigValue(_widthFactor))
            .With("fill_mode", FillMode)
            .With("interpolation", Interpolation)
            .With("seed", Seed)
            .With("fill_value", FillValue)
            .With("data_format", DataFormat);
    }
}
