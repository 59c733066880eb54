using System;
using Microsoft.ML.Layers.Onnx;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Crops the central <c>height x width</c> window of images (Keras 3's <c>CenterCrop</c>); an image smaller than the
    /// window on either axis is resized instead, as Keras's <c>smart_resize</c>.
    /// </summary>
    /// <remarks>
    /// <para>No weights. Input <c>(batch, height, width, channels)</c> (<c>channels_last</c>, the default) or
    /// <c>(batch, channels, height, width)</c>, or one unbatched image of rank 3, with a known height and width; output with
    /// <c>height</c> rows and <c>width</c> columns in the compute dtype (integer images are cast, as in Keras). Masks are
    /// dropped.</para>
    /// <para>When the input is at least as large as the window on both axes, the window starts at row
    /// <c>int((in_height - height) / 2)</c> and column <c>int((in_width - width) / 2)</c> (an odd difference leaves the extra
    /// row or column at the bottom or right). Otherwise the input is cropped to the largest centred window with the target's
    /// aspect ratio and resized bilinearly, as <see cref="Resizing"/> with <c>cropToAspectRatio</c> does (Keras 3; Keras 2
    /// failed on such inputs).</para>
    /// <code>
    /// Tensor y = new CenterCrop(224, 224).Apply(images);     // (batch, 256, 256, 3) -> (batch, 224, 224, 3)
    /// </code>
    /// </remarks>
    [RegisterLayer("CenterCrop")]
    public sealed class CenterCrop : Layer, IOnnxExportable
    {
        /// <summary>Creates the layer.</summary>
        /// <param name="height">The output height; positive.</param>
        /// <param name="width">The output width; positive.</param>
        /// <param name="dataFormat">Where the channels are; last by default.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype of the output; the global policy by default.</param>
        /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
        /// <exception cref="ArgumentException">The data format is not a defined value.</exception>
        public CenterCrop(int height, int width, DataFormat dataFormat = DataFormat.ChannelsLast, string? name = null,
            bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            Height = Arguments.Positive(height, nameof(height));
            Width = Arguments.Positive(width, nameof(width));
            DataFormat = Arguments.DataFormat(dataFormat);
        }

        /// <summary>The output height.</summary>
        public int Height { get; }

        /// <summary>The output width.</summary>
        public int Width { get; }

        /// <summary>Where the channels are.</summary>
        public DataFormat DataFormat { get; }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            ImageResize.RequireImageRank(this, Shape.Of(inputs));
            var x = ImageResize.ToBatchedChannelsFirst(inputs.dtype == ComputeDType ? inputs : inputs.to(ComputeDType), DataFormat);
            long rowsOver = x.shape[2] - Height, colsOver = x.shape[3] - Width;
            Tensor output;
            if (rowsOver >= 0 && colsOver >= 0)
            {
                output = x.narrow(2, rowsOver / 2, Height).narrow(3, colsOver / 2, Width);
            }
            else
            {
                var type = x.dtype;
                var work = x.to(type == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32);
                work = ImageResize.CropToAspectRatio(work, Height, Width);
                output = ImageResize.Resize(work, Height, Width, Interpolation.Bilinear).to(type);
            }
            return ImageResize.FromBatchedChannelsFirst(output, (int)inputs.ndim, DataFormat);
        }

        /// <summary>A <c>Slice</c> of the centred window when the input's height and width are known and at least the target's;
        /// the resizing path (smaller inputs) is not exported.</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
        {
            if (input.Shape.Rank != 4)
                throw context.Unsupported($"only batches of images (rank 4) are exported. Received input shape {input.Shape}.");
            long rowsAxis = DataFormat == DataFormat.ChannelsLast ? 1 : 2;
            long rows = input.Shape[(int)rowsAxis], cols = input.Shape[(int)rowsAxis + 1];
            if (rows == Shape.Unknown || cols == Shape.Unknown || rows < Height || cols < Width)
            {
                throw context.Unsupported($"the input's height and width must be known and at least the target ({Height}, {Width}) " +
                    $"(smaller images are resized, which is not exported). Received input shape {input.Shape}.");
            }
            long top = (rows - Height) / 2, left = (cols - Width) / 2;
            var x = IndexEncoder.OnnxCast(context, input.Name, IndexEncoder.OnnxFloat);
            return context.Node("Slice", x, context.Int64s(top, left), context.Int64s(top + Height, left + Width),
                context.Int64s(rowsAxis, rowsAxis + 1));
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
            .With("data_format", DataFormat);
    }
}
