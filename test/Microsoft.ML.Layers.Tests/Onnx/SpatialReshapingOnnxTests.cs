using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Onnx
{
    /// <summary>The spatial reshaping layers (zero padding, cropping, upsampling) exported to ONNX and run in ONNX Runtime, in
    /// both data formats.</summary>
    public class SpatialReshapingOnnxTests
    {
        private static readonly Dictionary<string, (Func<Layer> Create, long[] Shape)> Cases = new()
        {
            ["zero_padding1d"] = (() => new ZeroPadding1D((1, 2)), new long[] { 4, 3 }),
            ["zero_padding1d_channels_first"] = (() => new ZeroPadding1D(2, DataFormat.ChannelsFirst), new long[] { 3, 4 }),
            ["zero_padding2d"] = (() => new ZeroPadding2D(((1, 0), (2, 3))), new long[] { 3, 4, 2 }),
            ["zero_padding2d_channels_first"] = (() => new ZeroPadding2D(1, DataFormat.ChannelsFirst), new long[] { 2, 3, 4 }),
            ["zero_padding3d"] = (() => new ZeroPadding3D(((1, 0), (0, 2), (1, 1))), new long[] { 2, 3, 2, 2 }),
            ["zero_padding3d_channels_first"] = (() => new ZeroPadding3D(((0, 1), (2, 0), (1, 2)), DataFormat.ChannelsFirst),
                new long[] { 2, 2, 3, 2 }),
            ["cropping1d"] = (() => new Cropping1D((1, 2)), new long[] { 7, 3 }),
            ["cropping1d_end_zero"] = (() => new Cropping1D((2, 0)), new long[] { 5, 2 }),
            ["cropping2d"] = (() => new Cropping2D(((1, 0), (2, 1))), new long[] { 5, 6, 2 }),
            ["cropping2d_channels_first"] = (() => new Cropping2D(1, DataFormat.ChannelsFirst), new long[] { 2, 5, 4 }),
            ["cropping3d"] = (() => new Cropping3D(((1, 1), (0, 2), (1, 0))), new long[] { 4, 5, 3, 2 }),
            ["cropping3d_channels_first"] = (() => new Cropping3D(((0, 1), (1, 1), (2, 0)), DataFormat.ChannelsFirst),
                new long[] { 2, 3, 4, 4 }),
            ["upsampling1d"] = (() => new UpSampling1D(3), new long[] { 4, 2 }),
            ["upsampling2d"] = (() => new UpSampling2D((2, 3)), new long[] { 3, 2, 2 }),
            ["upsampling2d_channels_first"] = (() => new UpSampling2D(2, DataFormat.ChannelsFirst), new long[] { 2, 3, 2 }),
            ["upsampling2d_bilinear"] = (() => new UpSampling2D((2, 3), interpolation: Interpolation.Bilinear), new long[] { 3, 4, 2 }),
            ["upsampling2d_bilinear_channels_first"] = (() => new UpSampling2D(2, DataFormat.ChannelsFirst, Interpolation.Bilinear),
                new long[] { 2, 3, 4 }),
            ["upsampling2d_bicubic"] = (() => new UpSampling2D((3, 2), interpolation: Interpolation.Bicubic), new long[] { 4, 3, 2 }),
            ["upsampling3d"] = (() => new UpSampling3D((2, 1, 3)), new long[] { 2, 3, 2, 2 }),
            ["upsampling3d_channels_first"] = (() => new UpSampling3D(2, DataFormat.ChannelsFirst), new long[] { 2, 2, 3, 2 }),
        };

        public static TheoryData<string, int> CaseNames() => LayerOnnx.AtBothOpsets(Cases.Keys);

        [Theory]
        [MemberData(nameof(CaseNames))]
        public void SpatialReshapingMatchesOnnxRuntime(string name, int opset)
        {
            var (create, shape) = Cases[name];
            LayerOnnx.MatchesAt(create, shape, opset, seed: 31);
        }

        [Fact]
        public void CroppingPaddingAndUpsamplingNeedNoKnownSpatialSizes()
        {
            var input = Input.Create(new Shape(Shape.Unknown, Shape.Unknown, 2), name: "x");
            var padded = new ZeroPadding2D(((1, 2), (0, 1))).Apply(input);
            var cropped = new Cropping2D(((2, 1), (1, 0))).Apply(padded);
            var model = new Model(input, new UpSampling2D((2, 3)).Apply(cropped));
            var onnx = OnnxCheck.Export(model);
            foreach (var (h, w) in new[] { (3, 4), (5, 2) })
            {
                using var x = randn(2, h, w, 2);
                var actual = OnnxCheck.Run(onnx, new[] { ("x", x) }).Single().Value;
                TensorAssert.Close(model.Apply(x, training: false), actual, 1e-6, 1e-6, $"input {h}x{w}");
            }
        }
    }
}
