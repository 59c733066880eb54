using System;
using System.Linq;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static Microsoft.ML.Layers.Tests.Layers.Convolution.ConvolutionTestHelpers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Convolution
{
    public sealed class DepthwiseConv1DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new DepthwiseConv1D(3, strides: 2, padding: Padding.Same, depthMultiplier: 2, activation: "relu",
                biasInitializer: "ones", dtype: dtype),
            InputShapes = new Shape[] { new(2, 7, 3) },
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(2, 4, 6),
        });

        [Fact]
        public void PassesTheSharedLayerCheckChannelsFirstDilated() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new DepthwiseConv1D(3, dataFormat: DataFormat.ChannelsFirst, dilationRate: 2, depthwiseRegularizer: "l1",
                dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 9) },
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(2, 3, 5),
        });

        /// <summary>Each input channel alone through libtorch's conv1d, one filter at a time: output channel c * multiplier + m.</summary>
        private static Tensor PerChannel(Tensor channelsLastInput, Tensor kerasKernel, long stride, long dilation, long[] padding)
        {
            var x = nn.functional.pad(channelsLastInput.permute(0, 2, 1), padding);
            long channels = kerasKernel.shape[1], multiplier = kerasKernel.shape[2];
            var outputs = Enumerable.Range(0, (int)channels).SelectMany(c => Enumerable.Range(0, (int)multiplier).Select(m =>
                nn.functional.conv1d(x[.., c..(c + 1)], kerasKernel[.., c, m].reshape(1, 1, -1), stride: stride, dilation: dilation)));
            return cat(outputs.ToArray(), 1).permute(0, 2, 1);
        }

        [Fact]
        public void ConvolvesEachChannelWithItsOwnFilters()
        {
            var conv = new DepthwiseConv1D(3, depthMultiplier: 3, useBias: false);
            using var x = randn(2, 6, 2);
            conv.Apply(x);
            using var kernel = Arange(3, 2, 3) / 10;
            Fill(conv.Kernel!, kernel);

            var y = conv.Apply(x);

            Assert.Equal(new long[] { 2, 4, 6 }, y.shape);
            TensorAssert.Close(PerChannel(x, kernel, 1, 1, new long[] { 0, 0 }), y, 1e-5, 1e-5);
        }

        [Theory]
        [InlineData(7, 3, 2, 1, 1, 1)]   // 7 -> 4: total padding (4 - 1) * 2 + 3 - 7 = 2, one each side
        [InlineData(6, 3, 2, 1, 0, 1)]   // 6 -> 3: total padding 1, at the end (TensorFlow's split)
        [InlineData(6, 4, 3, 1, 0, 1)]   // 6 -> 2: total padding (2 - 1) * 3 + 4 - 6 = 1
        [InlineData(5, 3, 1, 2, 2, 2)]   // dilated kernel 5: total padding 4
        public void SamePadsLikeTensorFlowAndAddsTheBias(int length, int kernel, int stride, int dilation, int before, int after)
        {
            var conv = new DepthwiseConv1D(kernel, strides: stride, padding: Padding.Same, depthMultiplier: 2, dilationRate: dilation,
                biasInitializer: Initializer.RandomNormal(stddev: 1.0, seed: 7));
            using var x = randn(2, length, 3);

            var y = conv.Apply(x);

            using var expected = PerChannel(x, conv.Kernel!.detach(), stride, dilation, new long[] { before, after }) + conv.Bias!.detach();
            long outputLength = (length + stride - 1) / stride;
            Assert.Equal(new long[] { 2, outputLength, 6 }, y.shape);
            Assert.Equal(new Shape(Shape.Unknown, outputLength, 6), conv.ComputeOutputShape(new Shape(Shape.Unknown, length, 3)));
            TensorAssert.Close(expected, y, 1e-5, 1e-5);
        }

        [Theory]
        [InlineData(9, 3, 1, 1, 7)]    // 9 - 3 + 1
        [InlineData(9, 3, 2, 1, 4)]    // floor((9 - 3) / 2) + 1
        [InlineData(9, 2, 3, 1, 3)]    // floor((9 - 2) / 3) + 1
        [InlineData(9, 3, 1, 3, 3)]    // dilated kernel 7: 9 - 7 + 1
        public void ValidOutputLengthsAreKeras(int length, int kernel, int stride, int dilation, long expected)
        {
            var conv = new DepthwiseConv1D(kernel, strides: stride, dilationRate: dilation, dataFormat: DataFormat.ChannelsFirst);

            Assert.Equal(new Shape(4, 2, expected), conv.ComputeOutputShape(new Shape(4, 2, length)));
            Assert.Equal(new long[] { 1, 2, expected }, conv.Apply(randn(1, 2, length)).shape);
        }

        [Fact]
        public void NamesItsKernelLikeKeras3()
        {
            var conv = new DepthwiseConv1D(3, depthMultiplier: 4);
            conv.Apply(ones(1, 5, 2));

            Assert.Equal(new[] { "kernel", "bias" }, conv.Weights.Select(w => w.Name));
            Assert.Equal(new long[] { 3, 2, 4 }, conv.Kernel!.shape);
            Assert.Equal(new long[] { 8 }, conv.Bias!.shape);
        }

        [Fact]
        public void RejectsArgumentsWithTheReceivedValues()
        {
            Assert.Contains("depth_multiplier=0", Assert.Throws<ArgumentOutOfRangeException>(() => new DepthwiseConv1D(3, depthMultiplier: 0)).Message);
            Assert.ThrowsAny<ArgumentException>(() => new DepthwiseConv1D(3, padding: Padding.Causal));
            var tooShort = Assert.ThrowsAny<ArgumentException>(() => new DepthwiseConv1D(5).Apply(ones(1, 3, 2)));
            Assert.Contains("input_shape=(1, 3, 2)", tooShort.Message);
        }

        [Fact]
        public void ReadsAKeras3ConfigAndWritesItsKeys()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "DepthwiseConv1D", "config": {"name": "depthwise_conv1d", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "depth_multiplier": 2, "kernel_size": [3], "strides": [1], "padding": "same", "data_format": "channels_last",
                 "dilation_rate": [1], "activation": "linear", "use_bias": true,
                 "depthwise_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
                 "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                 "depthwise_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "depthwise_constraint": null,
                 "bias_constraint": null},
                 "registered_name": null, "build_config": {"input_shape": [null, 10, 4]}}
                """;

            var conv = Assert.IsType<DepthwiseConv1D>(Layer.Deserialize(json));

            Assert.Equal(new long[] { 3, 4, 2 }, conv.Kernel!.shape);
            Assert.Equal(new long[] { 2, 10, 8 }, conv.Apply(randn(2, 10, 4)).shape);
            Assert.Equal(new[]
            {
                "name", "trainable", "dtype", "depth_multiplier", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
                "activation", "use_bias", "depthwise_initializer", "bias_initializer", "depthwise_regularizer", "bias_regularizer",
                "activity_regularizer", "depthwise_constraint", "bias_constraint",
            }, conv.GetConfig().Keys);
        }
    }
}
