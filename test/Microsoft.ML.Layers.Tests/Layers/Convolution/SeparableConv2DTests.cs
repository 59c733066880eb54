using System;
using System.Linq;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static Microsoft.ML.Layers.Tests.Layers.Convolution.ConvolutionTestHelpers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Convolution
{
    public sealed class SeparableConv2DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new SeparableConv2D(4, 3, strides: 2, padding: Padding.Same, depthMultiplier: 2, activation: "elu", dtype: dtype),
            InputShapes = new Shape[] { new(2, 7, 6, 3) },
            ExpectedTrainableWeights = 3,
            ExpectedOutputShape = new Shape(2, 4, 3, 4),
        });

        [Fact]
        public void PassesTheSharedLayerCheckChannelsFirstWithoutBias() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new SeparableConv2D(5, (3, 2), dataFormat: DataFormat.ChannelsFirst, useBias: false, pointwiseConstraint: "non_neg", dtype: dtype),
            InputShapes = new Shape[] { new(2, 2, 5, 5) },
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(2, 5, 3, 4),
        });

        [Fact]
        public void IsADepthwiseConvolutionThenAPointwiseChannelMix()
        {
            var conv = new SeparableConv2D(3, 2, depthMultiplier: 2, biasInitializer: Initializer.RandomNormal(stddev: 1.0, seed: 5));
            using var x = randn(2, 4, 4, 2);
            conv.Apply(x);
            using var depthwise = Arange(2, 2, 2, 2) / 10;     // (kh, kw, in, multiplier)
            using var pointwise = Arange(1, 1, 4, 3) / 20;     // (1, 1, in * multiplier, filters)
            Fill(conv.DepthwiseKernel!, depthwise);
            Fill(conv.PointwiseKernel!, pointwise);

            var y = conv.Apply(x);

            // Depthwise: each channel c alone with its filter m gives intermediate channel c * 2 + m.
            var xcf = x.permute(0, 3, 1, 2);
            var intermediate = cat(Enumerable.Range(0, 2).SelectMany(c => Enumerable.Range(0, 2).Select(m =>
                nn.functional.conv2d(xcf[.., c..(c + 1)], depthwise[.., .., c, m].unsqueeze(0).unsqueeze(0)))).ToArray(), 1).permute(0, 2, 3, 1);
            // Pointwise: a matrix product over the channels, then the bias.
            using var expected = intermediate.matmul(pointwise[0, 0]) + conv.Bias!.detach();
            Assert.Equal(new long[] { 2, 3, 3, 3 }, y.shape);
            TensorAssert.Close(expected, y, 1e-5, 1e-5);
        }

        [Fact]
        public void CreatesKerasWeightsInKerasOrder()
        {
            var conv = new SeparableConv2D(7, 3, depthMultiplier: 2);
            conv.Apply(ones(1, 5, 5, 3));

            Assert.Equal(new[] { "depthwise_kernel", "pointwise_kernel", "bias" }, conv.Weights.Select(w => w.Name));
            Assert.Equal(new long[] { 3, 3, 3, 2 }, conv.DepthwiseKernel!.shape);
            Assert.Equal(new long[] { 1, 1, 6, 7 }, conv.PointwiseKernel!.shape);
            Assert.Equal(new long[] { 7 }, conv.Bias!.shape);
        }

        [Fact]
        public void RejectsANonPositiveFilterCountWithTheReceivedValue()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SeparableConv2D(-1, 3));

            Assert.Contains("filters=-1", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "SeparableConv2D", "config": {"name": "separable_conv2d", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "depth_multiplier": 2, "filters": 16, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid",
                 "data_format": "channels_last", "dilation_rate": [1, 1], "activation": "linear", "use_bias": true,
                 "depthwise_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
                 "pointwise_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
                 "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                 "depthwise_regularizer": null, "pointwise_regularizer": null, "bias_regularizer": null, "activity_regularizer": null,
                 "depthwise_constraint": null, "pointwise_constraint": null, "bias_constraint": null},
                 "registered_name": null, "build_config": {"input_shape": [null, 32, 32, 3]}}
                """;

            var conv = Assert.IsType<SeparableConv2D>(Layer.Deserialize(json));

            Assert.Equal((16, 2), (conv.Filters, conv.DepthMultiplier));
            Assert.Equal(new long[] { 1, 1, 6, 16 }, conv.PointwiseKernel!.shape);
            Assert.Equal(new[]
            {
                "name", "trainable", "dtype", "depth_multiplier", "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
                "activation", "use_bias", "depthwise_initializer", "pointwise_initializer", "bias_initializer", "depthwise_regularizer",
                "pointwise_regularizer", "bias_regularizer", "activity_regularizer", "depthwise_constraint", "pointwise_constraint", "bias_constraint",
            }, conv.GetConfig().Keys);
        }
    }
}
