using System;
using System.Linq;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Moves between Keras's default <c>channels_last</c> layout, <c>(batch, spatial..., channels)</c>, and libtorch's
    /// <c>channels_first</c> layout, <c>(batch, channels, spatial...)</c>, and computes TensorFlow's <c>same</c> padding.
    /// </summary>
    internal static class ChannelLayout
    {
        /// <summary><c>(N, d1, ..., dk, C)</c> to <c>(N, C, d1, ..., dk)</c>.</summary>
        public static Tensor ToChannelsFirst(Tensor x)
        {
            int rank = (int)x.ndim;
            var order = new long[rank];
            order[0] = 0;
            order[1] = rank - 1;
            for (int i = 2; i < rank; i++)
                order[i] = i - 1;
            return x.permute(order);
        }

        /// <summary><c>(N, C, d1, ..., dk)</c> to <c>(N, d1, ..., dk, C)</c>.</summary>
        public static Tensor ToChannelsLast(Tensor x)
        {
            int rank = (int)x.ndim;
            var order = new long[rank];
            order[0] = 0;
            for (int i = 1; i < rank - 1; i++)
                order[i] = i + 1;
            order[rank - 1] = 1;
            return x.permute(order);
        }

        /// <summary>
        /// TensorFlow's <c>same</c> padding for one spatial axis: the total padding that makes the output size
        /// <c>ceil(input / stride)</c>, split with the extra element after (bottom/right).
        /// </summary>
        public static (long Before, long After) SamePadding(long inputSize, int kernelSize, int stride, int dilation)
        {
            long effectiveKernel = (long)(kernelSize - 1) * dilation + 1;
            long outputSize = (inputSize + stride - 1) / stride;
            long total = Math.Max((outputSize - 1) * stride + effectiveKernel - inputSize, 0);
            return (total / 2, total - total / 2);
        }

        /// <summary>The first spatial axis of a batch: 2 for <c>channels_first</c>, 1 for <c>channels_last</c>.</summary>
        public static int FirstSpatialAxis(DataFormat dataFormat) => dataFormat == DataFormat.ChannelsFirst ? 2 : 1;

        /// <summary>
        /// The shape with each known spatial size replaced by <paramref name="resize"/>(spatial index, size); unknown sizes stay
        /// unknown. The spatial axes are the <paramref name="count"/> axes from <see cref="FirstSpatialAxis"/>.
        /// </summary>
        public static Shape MapSpatialAxes(Shape shape, DataFormat dataFormat, int count, Func<int, long, long> resize)
        {
            ArgumentNullException.ThrowIfNull(shape);
            int first = FirstSpatialAxis(dataFormat);
            var result = shape;
            for (int i = 0; i < count; i++)
            {
                if (shape[first + i] != Shape.Unknown)
                    result = result.With(first + i, resize(i, shape[first + i]));
            }
            return result;
        }

        /// <summary>
        /// The padding argument of <c>nn.functional.pad</c> for channels-first input with the given per-axis padding:
        /// libtorch lists the last axis first.
        /// </summary>
        public static long[] PadArgument((long Before, long After)[] perSpatialAxis)
            => perSpatialAxis.Reverse().SelectMany(p => new[] { p.Before, p.After }).ToArray();
    }
}
