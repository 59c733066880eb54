using System;
using System.Linq;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static Microsoft.ML.Layers.Tests.Layers.Convolution.ConvolutionTestHelpers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Convolution
{
    public sealed class SeparableConv1DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new SeparableConv1D(4, 3, strides: 2, padding: Padding.Same, depthMultiplier: 2, activation: "elu", dtype: dtype),
            InputShapes = new Shape[] { new(2, 7, 3) },
            ExpectedTrainableWeights = 3,
            ExpectedOutputShape = new Shape(2, 4, 4),
        });

        [Fact]
        public void PassesTheSharedLayerCheckChannelsFirstWithoutBias() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new SeparableConv1D(5, 2, dataFormat: DataFormat.ChannelsFirst, useBias: false, pointwiseConstraint: "non_neg",
                dtype: dtype),
            InputShapes = new Shape[] { new(2, 2, 6) },
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(2, 5, 5),
        });

        [Theory]
        [InlineData(Padding.Valid, 1, 1, 0, 0)]
        [InlineData(Padding.Valid, 2, 1, 0, 0)]
        [InlineData(Padding.Same, 2, 1, 0, 1)]    // 7 -> 4 with kernel 2, stride 2: total padding (4 - 1) * 2 + 2 - 7 = 1, at the end
        [InlineData(Padding.Same, 1, 2, 1, 1)]    // dilated kernel 3, stride 1: total padding 2
        public void IsADepthwiseConvolutionThenAPointwiseChannelMix(Padding padding, int stride, int dilation, int before, int after)
        {
            var conv = new SeparableConv1D(3, 2, strides: stride, padding: padding, dilationRate: dilation, depthMultiplier: 2,
                biasInitializer: Initializer.RandomNormal(stddev: 1.0, seed: 5));
            using var x = randn(2, 7, 2);
            conv.Apply(x);
            using var depthwise = Arange(2, 2, 2) / 10;     // (k, in, multiplier)
            using var pointwise = Arange(1, 4, 3) / 20;     // (1, in * multiplier, filters)
            Fill(conv.DepthwiseKernel!, depthwise);
            Fill(conv.PointwiseKernel!, pointwise);

            var y = conv.Apply(x);

            // Depthwise: each channel c alone with its filter m gives intermediate channel c * 2 + m.
            var xcf = nn.functional.pad(x.permute(0, 2, 1), new long[] { before, after });
            var intermediate = cat(Enumerable.Range(0, 2).SelectMany(c => Enumerable.Range(0, 2).Select(m =>
                nn.functional.conv1d(xcf[.., c..(c + 1)], depthwise[.., c, m].reshape(1, 1, -1), stride: stride, dilation: dilation)))
                .ToArray(), 1).permute(0, 2, 1);
            // Pointwise: a matrix product over the channels, then the bias.
            using var expected = intermediate.matmul(pointwise[0]) + conv.Bias!.detach();
            Assert.Equal(expected.shape, y.shape);
            Assert.Equal(new Shape(y.shape), conv.ComputeOutputShape(new Shape(2, 7, 2)));
            TensorAssert.Close(expected, y, 1e-5, 1e-5);
        }

        [Fact]
        public void CreatesKerasWeightsInKerasOrder()
        {
            var conv = new SeparableConv1D(7, 3, depthMultiplier: 2);
            conv.Apply(ones(1, 5, 3));

            Assert.Equal(new[] { "depthwise_kernel", "pointwise_kernel", "bias" }, conv.Weights.Select(w => w.Name));
            Assert.Equal(new long[] { 3, 3, 2 }, conv.DepthwiseKernel!.shape);
            Assert.Equal(new long[] { 1, 6, 7 }, conv.PointwiseKernel!.shape);
            Assert.Equal(new long[] { 7 }, conv.Bias!.shape);
        }

        [Fact]
        public void RejectsArgumentsWithTheReceivedValues()
        {
            Assert.Contains("filters=-1", Assert.Throws<ArgumentOutOfRangeException>(() => new SeparableConv1D(-1, 3)).Message);
            Assert.Contains("depth_multiplier=0",
                Assert.Throws<ArgumentOutOfRangeException>(() => new SeparableConv1D(2, 3, depthMultiplier: 0)).Message);
            Assert.ThrowsAny<ArgumentException>(() => new SeparableConv1D(2, 3, padding: Padding.Causal));
        }

        [Fact]
        public void ReadsAKeras3ConfigAndWritesItsKeys()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "SeparableConv1D", "config": {"name": "separable_conv1d", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "depth_multiplier": 2, "filters": 16, "kernel_size": [3], "strides": [1], "padding": "valid",
                 "data_format": "channels_last", "dilation_rate": [1], "activation": "linear", "use_bias": true,
                 "depthwise_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
                 "pointwise_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
                 "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                 "depthwise_regularizer": null, "pointwise_regularizer": null, "bias_regularizer": null, "activity_regularizer": null,
                 "depthwise_constraint": null, "pointwise_constraint": null, "bias_constraint": null},
                 "registered_name": null, "build_config": {"input_shape": [null, 32, 3]}}
                """;

            var conv = Assert.IsType<SeparableConv1D>(Layer.Deserialize(json));

            Assert.Equal((16, 2), (conv.Filters, conv.DepthMultiplier));
            Assert.Equal(new long[] { 1, 6, 16 }, conv.PointwiseKernel!.shape);
            Assert.Equal(new long[] { 2, 30, 16 }, conv.Apply(randn(2, 32, 3)).shape);
            Assert.Equal(new[]
            {
                "name", "trainable", "dtype", "depth_multiplier", "filters", "kernel_size", "strides", "padding", "data_format",
                "dilation_rate", "activation", "use_bias", "depthwise_initializer", "pointwise_initializer", "bias_initializer",
                "depthwise_regularizer", "pointwise_regularizer", "bias_regularizer", "activity_regularizer", "depthwise_constraint",
                "pointwise_constraint", "bias_constraint",
            }, conv.GetConfig().Keys);
        }
    }
}
