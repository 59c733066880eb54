using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Onnx;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Onnx
{
    /// <summary>The convolution family exported to ONNX and run in ONNX Runtime: paddings (TensorFlow's asymmetric <c>same</c>,
    /// causal), strides, dilations, groups, both data formats, bias and activation, with random kernels so that a wrong
    /// layout permutation shows; transposed, depthwise and separable convolutions in 1-D, 2-D and 3-D.</summary>
    public class ConvolutionOnnxTests
    {
        private static Initializer RandomBias => Initializer.RandomNormal(stddev: 0.5);

        private static readonly Dictionary<string, (Func<Layer> Create, long[] Shape)> Cases = new()
        {
            ["conv1d_valid"] = (() => new Conv1D(4, 3, biasInitializer: RandomBias), new long[] { 7, 3 }),
            ["conv1d_same_stride2"] = (() => new Conv1D(4, 3, strides: 2, padding: Padding.Same, biasInitializer: RandomBias),
                new long[] { 8, 3 }),
            ["conv1d_causal_dilated"] = (() => new Conv1D(4, 3, padding: Padding.Causal, dilationRate: 2, activation: "relu"),
                new long[] { 9, 2 }),
            ["conv1d_groups_channels_first"] = (() => new Conv1D(4, 3, dataFormat: DataFormat.ChannelsFirst, groups: 2,
                biasInitializer: RandomBias), new long[] { 4, 7 }),
            ["conv2d_same_stride2_relu"] = (() => new Conv2D(5, (3, 2), strides: 2, padding: Padding.Same, activation: "relu",
                biasInitializer: RandomBias), new long[] { 7, 6, 3 }),
            ["conv2d_dilated_channels_first"] = (() => new Conv2D(3, 3, dataFormat: DataFormat.ChannelsFirst, dilationRate: 2,
                biasInitializer: RandomBias), new long[] { 2, 9, 8 }),
            ["conv2d_groups_same_no_bias"] = (() => new Conv2D(6, 3, padding: Padding.Same, groups: 3, useBias: false),
                new long[] { 5, 5, 3 }),
            ["conv2d_same_stride3_kernel2"] = (() => new Conv2D(2, 2, strides: (3, 2), padding: Padding.Same,
                dataFormat: DataFormat.ChannelsFirst), new long[] { 2, 8, 7 }),
            ["conv2d_softmax"] = (() => new Conv2D(4, 2, activation: "softmax", biasInitializer: RandomBias), new long[] { 4, 4, 2 }),
            ["conv3d_same_stride2"] = (() => new Conv3D(3, (2, 3, 2), strides: 2, padding: Padding.Same, biasInitializer: RandomBias),
                new long[] { 5, 4, 5, 2 }),
            ["conv3d_channels_first"] = (() => new Conv3D(2, 2, dataFormat: DataFormat.ChannelsFirst, biasInitializer: RandomBias),
                new long[] { 3, 4, 3, 4 }),
            ["depthwise_same_stride2_multiplier2"] = (() => new DepthwiseConv2D(3, strides: 2, padding: Padding.Same,
                depthMultiplier: 2, biasInitializer: RandomBias), new long[] { 7, 6, 3 }),
            ["depthwise_dilated_channels_first"] = (() => new DepthwiseConv2D(3, dataFormat: DataFormat.ChannelsFirst,
                dilationRate: 2, biasInitializer: RandomBias), new long[] { 2, 7, 7 }),
            ["separable_same_tanh"] = (() => new SeparableConv2D(4, 3, padding: Padding.Same, depthMultiplier: 2, activation: "tanh",
                biasInitializer: RandomBias), new long[] { 6, 5, 3 }),
            ["separable_stride2_channels_first"] = (() => new SeparableConv2D(3, (2, 3), strides: 2,
                dataFormat: DataFormat.ChannelsFirst, biasInitializer: RandomBias), new long[] { 3, 7, 8 }),
            ["transpose_valid_stride2"] = (() => new Conv2DTranspose(3, 3, strides: 2, biasInitializer: RandomBias),
                new long[] { 4, 3, 2 }),
            ["transpose_same_stride2"] = (() => new Conv2DTranspose(3, 3, strides: 2, padding: Padding.Same,
                biasInitializer: RandomBias), new long[] { 4, 3, 2 }),
            ["transpose_same_kernel4"] = (() => new Conv2DTranspose(2, 4, strides: 2, padding: Padding.Same,
                biasInitializer: RandomBias), new long[] { 3, 3, 2 }),
            ["transpose_valid_stride_above_kernel"] = (() => new Conv2DTranspose(2, 2, strides: 3, biasInitializer: RandomBias),
                new long[] { 3, 3, 2 }),
            ["transpose_same_output_padding_channels_first"] = (() => new Conv2DTranspose(2, 3, strides: 2, padding: Padding.Same,
                outputPadding: 1, dataFormat: DataFormat.ChannelsFirst, biasInitializer: RandomBias), new long[] { 2, 3, 4 }),
            ["transpose_valid_output_padding"] = (() => new Conv2DTranspose(2, 3, strides: 3, outputPadding: (2, 1),
                activation: "sigmoid", biasInitializer: RandomBias), new long[] { 3, 2, 2 }),
            ["transpose_same_dilated"] = (() => new Conv2DTranspose(2, 3, padding: Padding.Same, dilationRate: 2,
                biasInitializer: RandomBias), new long[] { 4, 5, 2 }),
            ["transpose1d_same_stride2"] = (() => new Conv1DTranspose(3, 3, strides: 2, padding: Padding.Same,
                biasInitializer: RandomBias), new long[] { 5, 2 }),
            ["transpose1d_valid_output_padding_channels_first"] = (() => new Conv1DTranspose(2, 2, strides: 3, outputPadding: 1,
                dataFormat: DataFormat.ChannelsFirst, biasInitializer: RandomBias), new long[] { 3, 4 }),
            ["transpose3d_same_stride2"] = (() => new Conv3DTranspose(2, (3, 2, 3), strides: 2, padding: Padding.Same,
                biasInitializer: RandomBias), new long[] { 3, 2, 3, 2 }),
            ["transpose3d_valid_stride_above_kernel_channels_first"] = (() => new Conv3DTranspose(2, 2, strides: (3, 1, 2),
                dataFormat: DataFormat.ChannelsFirst, biasInitializer: RandomBias), new long[] { 2, 2, 3, 2 }),
            ["depthwise1d_same_stride2_multiplier2"] = (() => new DepthwiseConv1D(3, strides: 2, padding: Padding.Same,
                depthMultiplier: 2, biasInitializer: RandomBias), new long[] { 7, 3 }),
            ["separable1d_dilated_channels_first"] = (() => new SeparableConv1D(4, 3, dataFormat: DataFormat.ChannelsFirst,
                dilationRate: 2, depthMultiplier: 2, biasInitializer: RandomBias), new long[] { 3, 9 }),
        };

        public static TheoryData<string, int> CaseNames() => LayerOnnx.AtBothOpsets(Cases.Keys);

        [Theory]
        [MemberData(nameof(CaseNames))]
        public void ConvolutionMatchesOnnxRuntime(string name, int opset)
        {
            var (create, shape) = Cases[name];
            LayerOnnx.MatchesAt(create, shape, opset, seed: 11);
        }

        [Theory]
        [InlineData(OnnxOpset.Default)]
        [InlineData(OnnxOpset.Minimum)]
        public void SameWithStridesOnUnknownSpatialSizesMatchesOnnxRuntime(int opset)
        {
            // Unknown sizes: the split of TensorFlow's same padding is left to ONNX's SAME_UPPER, checked on several sizes.
            manual_seed(12);
            var input = Input.Create(new Shape(Shape.Unknown, Shape.Unknown, 3), name: "x");
            var model = new Model(input, new Conv2D(4, 3, strides: 2, padding: Padding.Same, biasInitializer: RandomBias).Apply(input));
            var onnx = OnnxCheck.Export(model, opset);
            foreach (var (h, w) in new[] { (7, 6), (4, 5), (9, 9) })
            {
                using var x = randn(2, h, w, 3);
                var actual = OnnxCheck.Run(onnx, new[] { ("x", x) }).Single().Value;
                TensorAssert.Close(model.Apply(x, training: false), actual, 1e-4, 1e-5, $"input {h}x{w}");
            }
        }

        [Theory]
        [InlineData(OnnxOpset.Minimum)]
        [InlineData(13)]
        [InlineData(18)]
        [InlineData(19)]
        [InlineData(OnnxOpset.Maximum)]
        public void AConvolutionalStackMatchesOnnxRuntimeAtEveryOpset(int opset)
        {
            // Every operator the spatial layers write (Conv, ConvTranspose, pooling, Pad, Slice, Resize, reductions), in one model.
            manual_seed(13);
            var input = Input.Create(new Shape(9, 8, 3), name: "image");
            var x = new Conv2D(4, 3, strides: 2, padding: Padding.Same, activation: "relu", biasInitializer: RandomBias).Apply(input);
            x = new AveragePooling2D(2, strides: 1, padding: Padding.Same).Apply(x);
            x = new ZeroPadding2D(((1, 0), (0, 2))).Apply(x);
            x = new Cropping2D(((0, 1), (1, 0))).Apply(x);
            x = new UpSampling2D(2, interpolation: Interpolation.Bilinear).Apply(x);
            x = new Conv2DTranspose(3, 3, strides: 2, padding: Padding.Same, biasInitializer: RandomBias).Apply(x);
            x = new MaxPooling2D(2).Apply(x);
            x = new SeparableConv2D(2, 2, dataFormat: DataFormat.ChannelsLast, biasInitializer: RandomBias).Apply(x);
            var output = new GlobalMaxPooling2D(keepDims: true).Apply(x);
            var model = new Model(input, output);
            using var image = randn(2, 9, 8, 3);
            OnnxCheck.MatchesModel(model, image, opset: opset);
        }
    }
}
