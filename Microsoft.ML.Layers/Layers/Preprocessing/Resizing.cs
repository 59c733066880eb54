using System;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Resizes images to a fixed height and width (Keras's <c>Resizing</c>), as <c>tf.image.resize</c> does, optionally
    /// cropping or padding first to keep the aspect ratio.
    /// </summary>
    /// <remarks>
    /// <para>No weights. Input <c>(batch, height, width, channels)</c> (<c>channels_last</c>, the default) or
    /// <c>(batch, channels, height, width)</c>, or one unbatched image of rank 3; output with <c>height</c> rows and
    /// <c>width</c> columns, in the input's dtype (integer images are rounded and clamped to their type's range, as Keras's
    /// saturating cast). Masks are dropped.</para>
    /// <para>Interpolations, all with half-pixel centres and no antialiasing (the values Keras's TensorFlow backend gives):
    /// <see cref="Interpolation.Bilinear"/> (default), <see cref="Interpolation.Nearest"/>
    /// (<c>floor((i + 0.5) * in / out)</c>, libtorch's <c>nearest-exact</c>) and <see cref="Interpolation.Bicubic"/>
    /// (TensorFlow's Keys cubic with <c>a = -0.5</c>, the weights of taps outside the image dropped and renormalized; not
    /// libtorch's bicubic, whose <c>a = -0.75</c> and edge handling differ). Keras's <c>"lanczos3"</c>, <c>"lanczos5"</c>,
    /// <c>"area"</c>, <c>"gaussian"</c> and <c>"mitchellcubic"</c>, and <c>antialias=True</c>, are refused: libtorch has no
    /// equivalent that gives TensorFlow's values.</para>
    /// <para><c>cropToAspectRatio</c> first crops the largest centred window with the target's aspect ratio;
    /// <c>padToAspectRatio</c> first pads the short side evenly with <c>fillValue</c> (<c>fillMode</c> "constant", the only mode
    /// Keras has). At most one of them.</para>
    /// <code>
    /// var resize = new Resizing(224, 224, cropToAspectRatio: true);
    /// Tensor y = resize.Apply(images);                   // (batch, 480, 640, 3) -> (batch, 224, 224, 3)
    /// </code>
    /// </remarks>
    [RegisterLayer("Resizing")]
    public sealed class Resizing : Layer, IOnnxExportable
    {
        /// <summary>Creates the layer.</summary>
        /// <param name="height">The output height; positive.</param>
        /// <param name="width">The output width; positive.</param>
        /// <param name="interpolation">How the new pixels are computed; bilinear by default.</param>
        /// <param name="cropToAspectRatio">Whether to crop the input to the target's aspect ratio before resizing.</param>
        /// <param name="padToAspectRatio">Whether to pad the input to the target's aspect ratio before resizing.</param>
        /// <param name="fillMode">How padding is filled; only Keras's <c>"constant"</c>.</param>
        /// <param name="fillValue">The value of the padding.</param>
        /// <param name="antialias">Keras's antialiasing filter; only <see langword="false"/> (Keras's default) is supported.</param>
        /// <param name="dataFormat">Where the channels are; last by default.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype floating inputs are cast to; the global policy by default.</param>
        /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or an option is not a defined value.</exception>
        /// <exception cref="ArgumentException">Both aspect-ratio options are set, the fill mode is not <c>"constant"</c>, the fill value
        /// is not finite, or <paramref name="antialias"/> is <see langword="true"/>.</exception>
        public Resizing(int height, int width, Interpolation interpolation = Interpolation.Bilinear, bool cropToAspectRatio = false,
            bool padToAspectRatio = false, string fillMode = "constant", double fillValue = 0.0, bool antialias = false,
            DataFormat dataFormat = DataFormat.ChannelsLast, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            Height = Arguments.Positive(height, nameof(height));
            Width = Arguments.Positive(width, nameof(width));
            Interpolation = Arguments.Choice(interpolation, nameof(interpolation));
            DataFormat = Arguments.DataFormat(dataFormat);
            if (cropToAspectRatio && padToAspectRatio)
                throw new ArgumentException($"Layer '{Name}' (Resizing): only one of `pad_to_aspect_ratio` and `crop_to_aspect_ratio` " +
                    "can be `True`. Received: crop_to_aspect_ratio=True, pad_to_aspect_ratio=True");
            if (fillMode != "constant")
                throw new ArgumentException($"Layer '{Name}' (Resizing): `fill_mode` must be \"constant\", the only mode Keras supports. " +
                    $"Received: fill_mode='{fillMode}'", nameof(fillMode));
            if (antialias)
                throw new ArgumentException($"Layer '{Name}' (Resizing): `antialias=True` is not supported: libtorch's antialiased " +
                    "resize does not give tf.image.resize's values. Expected: antialias=False. Received: antialias=True", nameof(antialias));
            CropToAspectRatio = cropToAspectRatio;
            PadToAspectRatio = padToAspectRatio;
            FillValue = Arguments.Finite(fillValue, nameof(fillValue));
        }

        /// <summary>The output height.</summary>
        public int Height { get; }

        /// <summary>The output width.</summary>
        public int Width { get; }

        /// <summary>How the new pixels are computed.</summary>
        public Interpolation Interpolation { get; }

        /// <summary>Whether the input is cropped to the target's aspect ratio first.</summary>
        public bool CropToAspectRatio { get; }

        /// <summary>Whether the input is padded to the target's aspect ratio first.</summary>
        public bool PadToAspectRatio { get; }

        /// <summary>The value of the padding added by <see cref="PadToAspectRatio"/>.</summary>
        public double FillValue { get; }

        /// <summary>Where the channels are.</summary>
        public DataFormat DataFormat { get; }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            ImageResize.RequireImageRank(this, Shape.Of(inputs));
            var type = inputs.dtype;
            var x = ImageResize.ToBatchedChannelsFirst(inputs, DataFormat);
            x = x.to(type == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32);
            if (CropToAspectRatio)
                x = ImageResize.CropToAspectRatio(x, Height, Width);
            else if (PadToAspectRatio)
                x = ImageResize.PadToAspectRatio(x, Height, Width, FillValue);
            var resized = ImageResize.Resize(x, Height, Width, Interpolation);
            if (resized.dtype != type)
                resized = DTypes.IsFloating(type) ? resized.to(type) : ImageResize.SaturateCast(resized, type);
            return ImageResize.FromBatchedChannelsFirst(resized, (int)inputs.ndim, DataFormat);
        }

        /// <summary>
        /// ONNX <c>Resize</c> on the channels-first batch: bilinear as <c>linear</c> with <c>half_pixel</c> coordinates (libtorch's
        /// <c>align_corners=False</c>), nearest as <c>nearest</c> with <c>half_pixel</c> and <c>round_prefer_ceil</c> (libtorch's
        /// <c>nearest-exact</c>). Bicubic (Keras's own kernel) and the crop or pad to the aspect ratio are not exported.
        /// </summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
        {
            if (input.Shape.Rank != 4)
                throw context.Unsupported($"only batches of images (rank 4) are exported. Received input shape {input.Shape}.");
            if (Interpolation == Interpolation.Bicubic)
                throw context.Unsupported("interpolation 'bicubic' uses Keras's cubic kernel, which ONNX Resize's cubic mode does not " +
                    "reproduce within 1e-5.");
            if (CropToAspectRatio || PadToAspectRatio)
                throw context.Unsupported("crop_to_aspect_ratio and pad_to_aspect_ratio are not exported.");
            var x = IndexEncoder.OnnxCast(context, input.Name, IndexEncoder.OnnxFloat);
            if (DataFormat == DataFormat.ChannelsLast)
                x = context.Transpose(x, 0, 3, 1, 2);
            var batchAndChannels = context.Node("Slice", context.Node("Shape", x), context.Int64s(0), context.Int64s(2));
            var sizes = context.Node("Concat", new[] { batchAndChannels, context.Int64s(Height, Width) },
                new OnnxAttributes { { "axis", 0L } });
            var attributes = new OnnxAttributes { { "coordinate_transformation_mode", "half_pixel" } };
            if (Interpolation == Interpolation.Bilinear)
            {
                attributes.Add("mode", "linear");
            }
            else
            {
                attributes.Add("mode", "nearest");
                attributes.Add("nearest_mode", "round_prefer_ceil");
            }
            // Before opset 13, roi and scales are required inputs (empty tensors when sizes are given).
            var empty = context.OpsetVersion >= 13 ? "" : context.Constant(Array.Empty<float>(), new[] { 0L }, "empty");
            var resized = context.Node("Resize", new[] { x, empty, empty, sizes }, attributes);
            return DataFormat == DataFormat.ChannelsLast ? context.Transpose(resized, 0, 2, 3, 1) : resized;
        }

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape)
        {
            ImageResize.RequireImageRank(this, inputShape);
            return ImageResize.WithSpatialSize(inputShape, DataFormat, Height, Width);
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("height", Height)
            .With("width", Width)
            .With("interpolation", Interpolation)
            .With("crop_to_aspect_ratio", CropToAspectRatio)
            .With("pad_to_aspect_ratio", PadToAspectRatio)
            .With("fill_mode", "constant")
            .With("fill_value", FillValue)
            .With("data_format", DataFormat);
    }
}
