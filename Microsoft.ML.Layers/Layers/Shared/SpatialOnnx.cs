using System.Linq;
using Microsoft.ML.Layers.Onnx;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// What the spatial layers (convolutions, pooling, padding, cropping, upsampling) share when they write ONNX: the moves
    /// between <c>channels_last</c> and ONNX's channels-first operators, the spatial sizes known at export time, and
    /// TensorFlow's <c>same</c> and causal paddings as explicit ONNX <c>pads</c>.
    /// </summary>
    internal static class SpatialOnnx
    {
        /// <summary><c>(N, d1, ..., dk, C)</c> to <c>(N, C, d1, ..., dk)</c> for <paramref name="rank"/> spatial axes.</summary>
        public static string ToChannelsFirst(OnnxExportContext context, string input, int rank)
            => context.Transpose(input, new long[] { 0, rank + 1 }.Concat(Enumerable.Range(1, rank).Select(i => (long)i)).ToArray());

        /// <summary><c>(N, C, d1, ..., dk)</c> to <c>(N, d1, ..., dk, C)</c> for <paramref name="rank"/> spatial axes.</summary>
        public static string ToChannelsLast(OnnxExportContext context, string input, int rank)
            => context.Transpose(input, new long[] { 0 }.Concat(Enumerable.Range(2, rank).Select(i => (long)i)).Append(1L).ToArray());

        /// <summary>The <paramref name="rank"/> spatial sizes of <paramref name="shape"/> (<see cref="Shape.Unknown"/> where
        /// unknown).</summary>
        public static long[] SpatialSizes(Shape shape, DataFormat dataFormat, int rank)
        {
            int first = ChannelLayout.FirstSpatialAxis(dataFormat);
            return Enumerable.Range(0, rank).Select(i => shape[first + i]).ToArray();
        }

        /// <summary>
        /// ONNX's <c>Conv</c> of a channels-first value whose spatial sizes are <paramref name="spatialSizes"/> with the weight
        /// value <paramref name="weight"/> in libtorch's (and ONNX's) layout <c>(out, in / groups, kernel...)</c>, an optional
        /// bias value <c>(out,)</c>, <paramref name="groups"/> groups, and <paramref name="window"/>'s strides, dilations and
        /// padding (see <see cref="AddPadding"/>).
        /// </summary>
        public static string Convolution(OnnxExportContext context, string input, string weight, string? bias, ConvolutionWindow window,
            long[] spatialSizes, long groups)
        {
            var attributes = new OnnxAttributes
            {
                { "strides", window.StrideValues },
                { "dilations", window.DilationValues },
                { "group", groups },
            };
            AddPadding(attributes, window.Padding, spatialSizes, window.KernelSizeValues, window.StrideValues, window.DilationValues);
            var inputs = bias is null ? new[] { input, weight } : new[] { input, weight, bias };
            return context.Node("Conv", inputs, attributes);
        }

        /// <summary>
        /// Adds the padding attribute of a sliding window (<c>Conv</c>, <c>MaxPool</c>, <c>AveragePool</c>) to
        /// <paramref name="attributes"/>: nothing for <c>valid</c>; explicit <c>pads</c> for <c>causal</c> (all in front) and for
        /// <c>same</c> (TensorFlow's split, the odd element at the end) when they do not depend on an unknown size; else
        /// <c>auto_pad = SAME_UPPER</c>, ONNX's name for the same rule.
        /// </summary>
        public static void AddPadding(OnnxAttributes attributes, Padding padding, long[] sizes, long[] kernel, long[] strides,
            long[] dilations)
        {
            if (padding == Padding.Valid)
                return;
            int rank = sizes.Length;
            var pads = new long[2 * rank];
            for (int i = 0; i < rank; i++)
            {
                long dilatedKernel = (kernel[i] - 1) * dilations[i] + 1;
                if (padding == Padding.Causal)
                {
                    pads[i] = dilatedKernel - 1;
                    continue;
                }
                if (sizes[i] == Shape.Unknown && strides[i] != 1)
                {
                    // The split depends on the size modulo the stride: let the runtime compute it with the same rule.
                    attributes.Add("auto_pad", "SAME_UPPER");
                    return;
                }
                // With stride 1 the total padding is dilated_kernel - 1 whatever the size.
                long size = sizes[i] == Shape.Unknown ? dilatedKernel : sizes[i];
                var (before, after) = ChannelLayout.SamePadding(size, (int)kernel[i], (int)strides[i], (int)dilations[i]);
                pads[i] = before;
                pads[rank + i] = after;
            }
            attributes.Add("pads", pads);
        }
    }
}
