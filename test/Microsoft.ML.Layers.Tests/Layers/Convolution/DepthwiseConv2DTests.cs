using System;
using System.Linq;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static Microsoft.ML.Layers.Tests.Layers.Convolution.ConvolutionTestHelpers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Convolution
{
    public sealed class DepthwiseConv2DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new DepthwiseConv2D(3, strides: 2, padding: Padding.Same, depthMultiplier: 2, activation: "relu", biasInitializer: "ones", dtype: dtype),
            InputShapes = new Shape[] { new(2, 6, 5, 3) },
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(2, 3, 3, 6),
        });

        [Fact]
        public void PassesTheSharedLayerCheckChannelsFirstDilated() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new DepthwiseConv2D((2, 3), dataFormat: DataFormat.ChannelsFirst, dilationRate: 2, depthwiseRegularizer: "l1", dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 6, 7) },
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(2, 3, 4, 3),
        });

        /// <summary>Each input channel alone through libtorch, one filter at a time: output channel c * multiplier + m.</summary>
        private static Tensor PerChannel(Tensor channelsLastInput, Tensor kerasKernel, long stride, long[] padding)
        {
            var x = nn.functional.pad(channelsLastInput.permute(0, 3, 1, 2), padding);
            long channels = kerasKernel.shape[2], multiplier = kerasKernel.shape[3];
            var outputs = Enumerable.Range(0, (int)channels).SelectMany(c => Enumerable.Range(0, (int)multiplier).Select(m =>
                nn.functional.conv2d(x[.., c..(c + 1)], kerasKernel[.., .., c, m].unsqueeze(0).unsqueeze(0), strides: new[] { stride, stride })));
            return cat(outputs.ToArray(), 1).permute(0, 2, 3, 1);
        }

        [Fact]
        public void ConvolvesEachChannelWithItsOwnFilters()
        {
            var conv = new DepthwiseConv2D(2, depthMultiplier: 3, useBias: false);
            using var x = randn(2, 4, 5, 2);
            conv.Apply(x);
            using var kernel = Arange(2, 2, 2, 3) / 10;
            Fill(conv.Kernel!, kernel);

            var y = conv.Apply(x);

            Assert.Equal(new long[] { 2, 3, 4, 6 }, y.shape);
            TensorAssert.Close(PerChannel(x, kernel, 1, new long[] { 0, 0, 0, 0 }), y, 1e-5, 1e-5);
        }

        [Fact]
        public void SameWithStrideTwoPadsLikeTensorFlowAndAddsTheBias()
        {
            var conv = new DepthwiseConv2D(3, strides: 2, padding: Padding.Same, depthMultiplier: 2, biasInitializer: RandomNormalInitializerFor());
            using var x = randn(1, 6, 5, 2);

            var y = conv.Apply(x);

            // Height 6: total padding 1, at the bottom; width 5: total padding 2, one each side.
            using var expected = PerChannel(x, conv.Kernel!.detach(), 2, new long[] { 1, 1, 0, 1 }) + conv.Bias!.detach();
            Assert.Equal(new long[] { 1, 3, 3, 4 }, y.shape);
            TensorAssert.Close(expected, y, 1e-5, 1e-5);
        }

        private static Initializer RandomNormalInitializerFor() => Initializer.RandomNormal(stddev: 1.0, seed: 7);

        [Fact]
        public void NamesItsKernelLikeKeras3()
        {
            var conv = new DepthwiseConv2D(3, depthMultiplier: 4);
            conv.Apply(ones(1, 5, 5, 2));

            Assert.Equal(new[] { "kernel", "bias" }, conv.Weights.Select(w => w.Name));
            Assert.Equal(new long[] { 3, 3, 2, 4 }, conv.Kernel!.shape);
            Assert.Equal(new long[] { 8 }, conv.Bias!.shape);
        }

        [Fact]
        public void RejectsANonPositiveDepthMultiplierWithTheReceivedValue()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new DepthwiseConv2D(3, depthMultiplier: 0));

            Assert.Contains("depth_multiplier=0", error.Message);
        }

        [Fact]
        public void WritesKeras3sConfigKeys()
        {
            var config = new DepthwiseConv2D(3, name: "d").GetConfig();

            Assert.Equal(new[]
            {
                "name", "trainable", "dtype", "depth_multiplier", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
                "activation", "use_bias", "depthwise_initializer", "bias_initializer", "depthwise_regularizer", "bias_regularizer",
                "activity_regularizer", "depthwise_constraint", "bias_constraint",
            }, config.Keys);
        }
    }
}
