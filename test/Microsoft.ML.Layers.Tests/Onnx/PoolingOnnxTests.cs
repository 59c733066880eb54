using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Onnx
{
    /// <summary>The pooling layers exported to ONNX and run in ONNX Runtime: max and average windows (TensorFlow's asymmetric
    /// <c>same</c>, padded cells left out of the mean), strides, both data formats, and the global poolings with and without
    /// <c>keepdims</c>; the adaptive poolings when their bins are equal windows (refused otherwise).</summary>
    public class PoolingOnnxTests
    {
        private static readonly Dictionary<string, (Func<Layer> Create, long[] Shape)> Cases = new()
        {
            ["max1d_valid"] = (() => new MaxPooling1D(2), new long[] { 7, 3 }),
            ["max1d_same_channels_first"] = (() => new MaxPooling1D(3, strides: 2, padding: Padding.Same,
                dataFormat: DataFormat.ChannelsFirst), new long[] { 3, 8 }),
            ["avg1d_same_stride2"] = (() => new AveragePooling1D(3, strides: 2, padding: Padding.Same), new long[] { 8, 2 }),
            ["avg1d_valid_channels_first"] = (() => new AveragePooling1D(2, strides: 1, dataFormat: DataFormat.ChannelsFirst),
                new long[] { 2, 5 }),
            ["max2d_same_channels_first"] = (() => new MaxPooling2D((3, 2), strides: (2, 1), padding: Padding.Same,
                dataFormat: DataFormat.ChannelsFirst), new long[] { 2, 7, 5 }),
            ["max2d_valid"] = (() => new MaxPooling2D(2), new long[] { 5, 4, 3 }),
            ["avg2d_same_stride2"] = (() => new AveragePooling2D(3, strides: 2, padding: Padding.Same), new long[] { 7, 6, 2 }),
            ["avg2d_same_stride1"] = (() => new AveragePooling2D(3, strides: 1, padding: Padding.Same), new long[] { 4, 5, 2 }),
            ["avg2d_valid_channels_first"] = (() => new AveragePooling2D(2, dataFormat: DataFormat.ChannelsFirst),
                new long[] { 2, 5, 4 }),
            ["max3d_same_stride2"] = (() => new MaxPooling3D(2, strides: 2, padding: Padding.Same), new long[] { 3, 5, 4, 2 }),
            ["avg3d_same_channels_first"] = (() => new AveragePooling3D((2, 3, 2), strides: 2, padding: Padding.Same,
                dataFormat: DataFormat.ChannelsFirst), new long[] { 2, 5, 5, 3 }),
            ["avg3d_valid"] = (() => new AveragePooling3D(2), new long[] { 4, 4, 5, 2 }),
            ["global_avg1d"] = (() => new GlobalAveragePooling1D(), new long[] { 5, 3 }),
            ["global_avg1d_channels_first_keepdims"] = (() => new GlobalAveragePooling1D(DataFormat.ChannelsFirst, keepDims: true),
                new long[] { 3, 5 }),
            ["global_avg2d_keepdims"] = (() => new GlobalAveragePooling2D(keepDims: true), new long[] { 4, 3, 2 }),
            ["global_avg2d_channels_first"] = (() => new GlobalAveragePooling2D(DataFormat.ChannelsFirst), new long[] { 2, 4, 3 }),
            ["global_max1d_keepdims"] = (() => new GlobalMaxPooling1D(keepDims: true), new long[] { 5, 3 }),
            ["global_max2d"] = (() => new GlobalMaxPooling2D(), new long[] { 4, 3, 2 }),
            ["global_max2d_channels_first_keepdims"] = (() => new GlobalMaxPooling2D(DataFormat.ChannelsFirst, keepDims: true),
                new long[] { 2, 4, 3 }),
            ["global_max3d"] = (() => new GlobalMaxPooling3D(), new long[] { 3, 4, 2, 2 }),
            ["global_avg3d_channels_first_keepdims"] = (() => new GlobalAveragePooling3D(DataFormat.ChannelsFirst, keepDims: true),
                new long[] { 2, 3, 4, 2 }),
            ["adaptive_avg1d_even_bins"] = (() => new AdaptiveAveragePooling1D(3), new long[] { 9, 2 }),
            ["adaptive_max1d_channels_first"] = (() => new AdaptiveMaxPooling1D(2, DataFormat.ChannelsFirst), new long[] { 2, 8 }),
            ["adaptive_avg2d_channels_first"] = (() => new AdaptiveAveragePooling2D((2, 3), DataFormat.ChannelsFirst),
                new long[] { 2, 6, 6 }),
            ["adaptive_max2d_identity_axis"] = (() => new AdaptiveMaxPooling2D((4, 1)), new long[] { 4, 5, 3 }),
            ["adaptive_avg3d"] = (() => new AdaptiveAveragePooling3D((1, 2, 2)), new long[] { 3, 4, 6, 2 }),
            ["adaptive_max3d_channels_first"] = (() => new AdaptiveMaxPooling3D(2, DataFormat.ChannelsFirst), new long[] { 2, 4, 2, 6 }),
        };

        public static TheoryData<string, int> CaseNames() => LayerOnnx.AtBothOpsets(Cases.Keys);

        [Theory]
        [MemberData(nameof(CaseNames))]
        public void PoolingMatchesOnnxRuntime(string name, int opset)
        {
            var (create, shape) = Cases[name];
            LayerOnnx.MatchesAt(create, shape, opset, seed: 21);
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void AdaptivePoolingWithUnevenBinsIsRefusedNamingTheSizes(bool max)
        {
            // 7 steps into 3 bins: [0, 3), [2, 5), [4, 7) overlap, which no ONNX pooling window expresses.
            Layer pool = max ? new AdaptiveMaxPooling1D(3, name: "uneven") : new AdaptiveAveragePooling1D(3, name: "uneven");

            var message = LayerOnnx.Unsupported(pool, new Shape(7, 2));

            Assert.Contains("'uneven'", message);
            Assert.Contains("input_shape=(None, 7, 2)", message);
            Assert.Contains("output_size=3", message);
        }

        [Fact]
        public void AdaptivePoolingOnUnknownSpatialSizesIsRefused()
        {
            var message = LayerOnnx.Unsupported(new AdaptiveAveragePooling2D(2), new Shape(Shape.Unknown, 4, 3));

            Assert.Contains("adaptive pooling", message);
        }

        [Theory]
        [InlineData(OnnxOpset.Default, true)]
        [InlineData(OnnxOpset.Minimum, true)]
        [InlineData(OnnxOpset.Default, false)]
        [InlineData(OnnxOpset.Minimum, false)]
        public void SameWithStridesOnUnknownSpatialSizesMatchesOnnxRuntime(int opset, bool max)
        {
            manual_seed(22);
            var input = Input.Create(new Shape(Shape.Unknown, Shape.Unknown, 2), name: "x");
            Layer pool = max ? new MaxPooling2D(3, strides: 2, padding: Padding.Same)
                : new AveragePooling2D(3, strides: 2, padding: Padding.Same);
            var model = new Model(input, pool.Apply(input));
            var onnx = OnnxCheck.Export(model, opset);
            foreach (var (h, w) in new[] { (7, 6), (4, 5), (9, 8) })
            {
                using var x = randn(2, h, w, 2);
                var actual = OnnxCheck.Run(onnx, new[] { ("x", x) }).Single().Value;
                TensorAssert.Close(model.Apply(x, training: false), actual, 1e-4, 1e-5, $"input {h}x{w}");
            }
        }
    }
}
