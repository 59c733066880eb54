using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// <c>tf.image.resize</c> (without antialiasing) and Keras's crop/pad to an aspect ratio, on channels-first batches
    /// <c>(N, C, H, W)</c> of float32 or float64, shared by <see cref="Resizing"/> and <see cref="CenterCrop"/>.
    /// </summary>
    /// <remarks>
    /// <para><c>Bilinear</c> is libtorch's <c>interpolate</c> with <c>align_corners=False</c> and no antialiasing: both sample
    /// at <c>(out + 0.5) * in / out - 0.5</c> and clamp outside the image, as TensorFlow's <c>ResizeBilinear</c> with
    /// half-pixel centres. <c>Nearest</c> is libtorch's <c>nearest-exact</c> (<c>floor((out + 0.5) * in / out)</c>), which is
    /// TensorFlow's <c>ResizeNearestNeighbor</c> with half-pixel centres; libtorch's plain <c>nearest</c>
    /// (<c>floor(out * in / out)</c>) is not. <c>Bicubic</c> differs in libtorch (Keys' <c>a = -0.75</c>, edge pixels
    /// repeated), so it is computed here as TensorFlow's <c>ResizeBicubic</c> with half-pixel centres: Keys' cubic with
    /// <c>a = -0.5</c>, the fraction quantized to 1/1024 (TensorFlow's coefficient table), taps outside the image dropped and
    /// the remaining weights renormalized to sum 1; applied as one weight matrix per axis.</para>
    /// </remarks>
    internal static class ImageResize
    {
        private const int TableSize = 1024;

        // C's FLT_MIN (the smallest normal float; .NET's float.Epsilon is the smallest subnormal).
        private const float SmallestNormal = 1.17549435e-38f;

        private static readonly float[] KeysTable = BuildKeysTable(-0.5);

        /// <summary>Images of rank 3 (one image) or 4 (a batch), as Keras's image layers take.</summary>
        public static void RequireImageRank(Layer layer, Shape shape)
        {
            if (shape.Rank is not (3 or 4))
                throw new ArgumentException(
                    $"Layer '{layer.Name}' ({layer.GetType().Name}): expected images of rank 3 (one image) or 4 (a batch). " +
                    $"Received: inputs.shape={shape}");
        }

        /// <summary><c>(N, C, H, W)</c> from a rank-3 or rank-4 image tensor in <paramref name="format"/>.</summary>
        public static Tensor ToBatchedChannelsFirst(Tensor x, DataFormat format)
        {
            var batched = x.ndim == 3 ? x.unsqueeze(0) : x;
            return format == DataFormat.ChannelsFirst ? batched : ChannelLayout.ToChannelsFirst(batched);
        }

        /// <summary>The inverse of <see cref="ToBatchedChannelsFirst"/> for an input of rank <paramref name="rank"/>.</summary>
        public static Tensor FromBatchedChannelsFirst(Tensor x, int rank, DataFormat format)
        {
            var laidOut = format == DataFormat.ChannelsFirst ? x : ChannelLayout.ToChannelsLast(x);
            return rank == 3 ? laidOut.squeeze(0) : laidOut;
        }

        /// <summary><paramref name="shape"/> with its height and width replaced.</summary>
        public static Shape WithSpatialSize(Shape shape, DataFormat format, long height, long width)
        {
            int first = shape.Rank - (format == DataFormat.ChannelsFirst ? 2 : 3);
            return shape.With(first, height).With(first + 1, width);
        }

        /// <summary>Resizes the last two axes of <paramref name="x"/> (float32 or float64) to <paramref name="height"/> x
        /// <paramref name="width"/>.</summary>
        public static Tensor Resize(Tensor x, long height, long width, Interpolation interpolation)
        {
            if (x.shape[2] == height && x.shape[3] == width)
                return x;
            switch (interpolation)
            {
                case Interpolation.Nearest:
                    return nn.functional.interpolate(x, size: new[] { height, width }, mode: InterpolationMode.NearestExact);
                case Interpolation.Bilinear:
                    return nn.functional.interpolate(x, size: new[] { height, width }, mode: InterpolationMode.Bilinear,
                        align_corners: false);
                case Interpolation.Bicubic:
                    var rows = CubicWeights(x.shape[2], height, x.dtype);
                    var cols = CubicWeights(x.shape[3], width, x.dtype);
                    return rows.matmul(x).matmul(cols.t());
                default:
                    throw new ArgumentOutOfRangeException(nameof(interpolation), interpolation, "Not an interpolation.");
            }
        }

        /// <summary>
        /// Keras's <c>crop_to_aspect_ratio</c> (and <c>smart_resize</c>'s crop): the largest centred window with the target's
        /// aspect ratio, <c>crop_height = min(height, int(width * target_height / target_width))</c> (at least 1), likewise the width,
        /// starting at <c>int((height - crop_height) / 2)</c>.
        /// </summary>
        public static Tensor CropToAspectRatio(Tensor x, long targetHeight, long targetWidth)
        {
            long height = x.shape[2], width = x.shape[3];
            long cropHeight = Math.Max(Math.Min(height, (long)((float)(width * targetHeight) / targetWidth)), 1);
            long cropWidth = Math.Max(Math.Min(width, (long)((float)(height * targetWidth) / targetHeight)), 1);
            long top = (height - cropHeight) / 2, left = (width - cropWidth) / 2;
            return x.narrow(2, top, cropHeight).narrow(3, left, cropWidth);
        }

        /// <summary>
        /// Keras's <c>pad_to_aspect_ratio</c>: <c>pad_height = max(height, int(width * target_height / target_width))</c>, likewise the
        /// width, and <c>int((pad_height - height) / 2)</c> rows (or columns) of <paramref name="fillValue"/> added on each side.
        /// </summary>
        public static Tensor PadToAspectRatio(Tensor x, long targetHeight, long targetWidth, double fillValue)
        {
            long height = x.shape[2], width = x.shape[3];
            long padHeight = Math.Max(height, (long)((float)(width * targetHeight) / targetWidth));
            long padWidth = Math.Max(width, (long)((float)(height * targetWidth) / targetHeight));
            long top = (padHeight - height) / 2, left = (padWidth - width) / 2;
            if (top == 0 && left == 0)
                return x;
            return nn.functional.pad(x, new[] { left, left, top, top }, PaddingModes.Constant, fillValue);
        }

        /// <summary>Rounds and clamps <paramref name="x"/> to the range of the integer <paramref name="type"/>, then casts (Keras's
        /// <c>_saturate_cast</c> after <c>round</c>).</summary>
        public static Tensor SaturateCast(Tensor x, ScalarType type)
        {
            var rounded = x.round();
            rounded = type switch
            {
                ScalarType.Byte => rounded.ClampScalar(0.0, 255.0),
                ScalarType.Int8 => rounded.ClampScalar((double)sbyte.MinValue, sbyte.MaxValue),
                ScalarType.Int16 => rounded.ClampScalar((double)short.MinValue, short.MaxValue),
                ScalarType.Int32 => rounded.ClampScalar((double)int.MinValue, int.MaxValue),
                _ => rounded,
            };
            return rounded.to(type);
        }

        private static float[] BuildKeysTable(double a)
        {
            // TensorFlow's InitCoeffsTable: float entries, computed in double from a float x.
            var table = new float[(TableSize + 1) * 2];
            for (int i = 0; i <= TableSize; i++)
            {
                float x = (float)(i * 1.0 / TableSize);
                table[i * 2] = (float)(((a + 2) * x - (a + 3)) * x * x + 1);
                x = (float)(x + 1.0);
                table[i * 2 + 1] = (float)(((a * x - 5 * a) * x + 8 * a) * x - 4 * a);
            }
            return table;
        }

        /// <summary>The <c>(out, in)</c> matrix of TensorFlow's half-pixel Keys-cubic weights for one axis.</summary>
        private static Tensor CubicWeights(long inSize, long outSize, ScalarType dtype)
        {
            var weights = new float[outSize * inSize];
            float scale = inSize / (float)outSize;
            Span<float> w = stackalloc float[4];
            for (long o = 0; o < outSize; o++)
            {
                float position = ((float)o + 0.5f) * scale - 0.5f;
                long start = (long)MathF.Floor(position);
                float delta = position - start;
                int offset = (int)MathF.Round(delta * TableSize, MidpointRounding.ToEven);
                w[0] = KeysTable[offset * 2 + 1];
                w[1] = KeysTable[offset * 2];
                w[2] = KeysTable[(TableSize - offset) * 2];
                w[3] = KeysTable[(TableSize - offset) * 2 + 1];
                float sum = 0;
                for (int k = 0; k < 4; k++)
                {
                    long index = start - 1 + k;
                    if (index < 0 || index >= inSize)
                        w[k] = 0;
                    sum += w[k];
                }
                float inverse = MathF.Abs(sum) >= 1000.0f * SmallestNormal ? 1.0f / sum : 1.0f;
                for (int k = 0; k < 4; k++)
                {
                    long index = start - 1 + k;
                    if (index >= 0 && index < inSize)
                        weights[o * inSize + index] += w[k] * inverse;
                }
            }
            return tensor(weights, new[] { outSize, inSize }).to(dtype);
        }
    }
}
