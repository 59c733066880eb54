using System;
using Microsoft.ML.Layers.Infrastructure;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Upsamples an image by integer factors along rows and columns (Keras's <c>UpSampling2D</c>).
    /// </summary>
    /// <remarks>
    /// <para>No weights. Input <c>(batch, rows, cols, channels)</c> (<c>channels_last</c>) or <c>(batch, channels, rows, cols)</c>;
    /// output with <c>rows * size[0]</c> rows and <c>cols * size[1]</c> columns. Masks are dropped, as in Keras.</para>
    /// <para><c>Nearest</c> repeats rows and columns (Keras's <c>ops.repeat</c>). <c>Bilinear</c> and <c>Bicubic</c>
    /// resize as Keras 3's torch backend does: libtorch's <c>interpolate</c> with <c>align_corners=False</c> (half-pixel
    /// centres) and no antialiasing, computed in float32 for half-precision inputs and cast back. Keras's <c>"lanczos3"</c>
    /// and <c>"lanczos5"</c> are refused, as on Keras's torch backend.</para>
    /// <code>
    /// Tensor y = new UpSampling2D((1, 2)).Apply(torch.randn(2, 2, 1, 3));            // (2, 2, 2, 3)
    /// Tensor z = new UpSampling2D(2, interpolation: Interpolation.Bilinear).Apply(images);       // smooth 2x resize
    /// </code>
    /// </remarks>
    [RegisterLayer("UpSampling2D")]
    public sealed class UpSampling2D : BaseUpSampling
    {
        /// <summary>Creates the layer.</summary>
        /// <param name="size">One factor for both axes, or <c>(rows, cols)</c>; positive; <c>(2, 2)</c> when null (Keras's
        /// default).</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="interpolation"><see cref="Layers.Interpolation.Nearest"/> (default), <see cref="Layers.Interpolation.Bilinear"/> or
        /// <see cref="Layers.Interpolation.Bicubic"/>.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype floating inputs are cast to; the global policy by default.</param>
        /// <exception cref="ArgumentException">A factor is not positive, or the data format or the interpolation is not a defined
        /// value.</exception>
        public UpSampling2D(IntTuple? size = null, DataFormat dataFormat = DataFormat.ChannelsLast,
            Interpolation interpolation = Interpolation.Nearest,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(size ?? 2, 2, dataFormat, name, trainable, dtype)
        {
            Interpolation = Arguments.Choice(interpolation, nameof(interpolation));
        }

        /// <summary>The factors for rows and columns.</summary>
        public (int Rows, int Cols) Size => (Factors[0], Factors[1]);

        /// <summary>How the new rows and columns are filled.</summary>
        public Interpolation Interpolation { get; }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            if (Interpolation == Interpolation.Nearest)
                return base.Call(inputs, training, mask);

            var x = DataFormat == DataFormat.ChannelsFirst ? inputs : ChannelLayout.ToChannelsFirst(inputs);
            var originalType = x.dtype;
            if (originalType is not (ScalarType.Float32 or ScalarType.Float64))
                x = x.to(ScalarType.Float32);
            var mode = Interpolation == Interpolation.Bilinear ? InterpolationMode.Bilinear : InterpolationMode.Bicubic;
            var resized = nn.functional.interpolate(x, size: new[] { x.shape[2] * Size.Rows, x.shape[3] * Size.Cols }, mode: mode,
                align_corners: false);
            if (resized.dtype != originalType)
                resized = DTypes.IsFloating(originalType) ? resized.to(originalType) : resized.round().to(originalType);
            return DataFormat == DataFormat.ChannelsFirst ? resized : ChannelLayout.ToChannelsLast(resized);
        }

        private protected override string ExportOnnx(OnnxExportContext context, OnnxValue input)
        {
            if (Interpolation == Interpolation.Nearest)
                return base.ExportOnnx(context, input);
            // libtorch's bilinear and bicubic without align_corners are ONNX's linear and cubic (a = -0.75) with half-pixel centres.
            return OnnxResize(context, input.Name, Factors, ChannelLayout.FirstSpatialAxis(DataFormat),
                Interpolation == Interpolation.Bilinear ? "linear" : "cubic", "half_pixel");
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig().With("interpolation", Interpolation);
    }
}
