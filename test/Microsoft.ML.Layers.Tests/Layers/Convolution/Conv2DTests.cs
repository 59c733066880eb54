using System;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static Microsoft.ML.Layers.Tests.Layers.Convolution.ConvolutionTestHelpers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Convolution
{
    public sealed class Conv2DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Conv2D(4, (3, 2), strides: (2, 1), padding: Padding.Same, activation: "tanh", dtype: dtype),
            InputShapes = new Shape[] { new(2, 7, 6, 3) },
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(2, 4, 6, 4),
        });

        [Fact]
        public void PassesTheSharedLayerCheckChannelsFirstWithGroupsAndDilation() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Conv2D(6, 3, dataFormat: DataFormat.ChannelsFirst, dilationRate: 2, groups: 3, kernelRegularizer: "l2", dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 9, 8) },
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(2, 6, 5, 4),
        });

        [Fact]
        public void KernelInKerasLayoutGivesLibtorchsConvolutionWithThePermutedKernel()
        {
            var conv = new Conv2D(3, (2, 3), useBias: false);
            using var x = Arange(2, 4, 5, 2) / 10;
            conv.Apply(x);
            Assert.Equal(new long[] { 2, 3, 2, 3 }, conv.Kernel!.shape); // (kh, kw, in, out)
            using var kernel = Arange(2, 3, 2, 3) / 7;
            Fill(conv.Kernel, kernel);

            var y = conv.Apply(x);

            // libtorch: input (N, C, H, W), weight (out, in, kh, kw).
            using var expected = nn.functional.conv2d(x.permute(0, 3, 1, 2), kernel.permute(3, 2, 0, 1)).permute(0, 2, 3, 1);
            Assert.Equal(new long[] { 2, 3, 3, 3 }, y.shape);
            TensorAssert.Close(expected, y, 1e-5, 1e-5);
        }

        [Fact]
        public void AddsTheBiasPerFilterThenTheActivation()
        {
            var conv = new Conv2D(2, 1, activation: "relu", kernelInitializer: "ones", biasInitializer: Initializer.Constant(-3));
            using var x = Arange(1, 2, 2, 1);   // 0, 1, 2, 3

            var y = conv.Apply(x);

            // kernel 1 everywhere: x - 3, then relu.
            TensorAssert.Close(tensor(new float[] { 0, 0, 0, 0, 0, 0, 0, 0 }).reshape(1, 2, 2, 2), y, 1e-5, 1e-5);
            var z = conv.Apply(x + 3);
            TensorAssert.Close(tensor(new float[] { 0, 0, 1, 1, 2, 2, 3, 3 }).reshape(1, 2, 2, 2), z, 1e-5, 1e-5);
        }

        [Theory]
        [InlineData(5, 1, 1)]   // odd: total padding 2, split evenly
        [InlineData(6, 0, 1)]   // even: total padding 1, the extra element at the end (TensorFlow), none in front
        public void SamePaddingWithStrideTwoPadsLikeTensorFlow(int size, int before, int after)
        {
            var conv = new Conv2D(2, 3, strides: 2, padding: Padding.Same);
            using var x = randn(1, size, size, 2);

            var y = conv.Apply(x);

            using var padded = nn.functional.pad(x.permute(0, 3, 1, 2), new long[] { before, after, before, after });
            using var expected = nn.functional.conv2d(padded, conv.Kernel!.permute(3, 2, 0, 1), conv.Bias!, strides: new long[] { 2, 2 }).permute(0, 2, 3, 1);
            Assert.Equal(new long[] { 1, 3, 3, 2 }, y.shape);   // ceil(size / 2)
            TensorAssert.Close(expected, y, 1e-5, 1e-5);
        }

        [Fact]
        public void SamePaddingOnAnEvenSizeDiffersFromLibtorchsSymmetricPadding()
        {
            var conv = new Conv2D(1, 3, strides: 2, padding: Padding.Same);
            using var x = randn(1, 6, 6, 1);

            var y = conv.Apply(x);

            using var symmetric = nn.functional.conv2d(x.permute(0, 3, 1, 2), conv.Kernel!.permute(3, 2, 0, 1), conv.Bias!,
                strides: new long[] { 2, 2 }, padding: new long[] { 1, 1 }).permute(0, 2, 3, 1);
            Assert.False(symmetric.allclose(y, rtol: 1e-3, atol: 1e-3));
        }

        [Fact]
        public void DilationSpacesTheKernelTaps()
        {
            var conv = new Conv2D(2, 2, dilationRate: (2, 3));
            using var x = randn(2, 6, 7, 3);

            var y = conv.Apply(x);

            using var expected = nn.functional.conv2d(x.permute(0, 3, 1, 2), conv.Kernel!.permute(3, 2, 0, 1), conv.Bias!,
                dilation: new long[] { 2, 3 }).permute(0, 2, 3, 1);
            Assert.Equal(new long[] { 2, 4, 4, 2 }, y.shape);   // 6 - 2, 7 - 3
            TensorAssert.Close(expected, y, 1e-5, 1e-5);
        }

        [Fact]
        public void GroupsConvolveEachChannelSliceWithItsOwnFilters()
        {
            var conv = new Conv2D(4, 3, groups: 2, useBias: false);
            using var x = randn(2, 5, 5, 6);

            var y = conv.Apply(x);

            Assert.Equal(new long[] { 3, 3, 3, 4 }, conv.Kernel!.shape);   // (kh, kw, in / groups, filters)
            var kernel = conv.Kernel!.detach();
            // Group g: input channels 3g..3g+2 with filters 2g..2g+1.
            using var first = nn.functional.conv2d(x[.., .., .., ..3].permute(0, 3, 1, 2), kernel[.., .., .., ..2].permute(3, 2, 0, 1));
            using var second = nn.functional.conv2d(x[.., .., .., 3..].permute(0, 3, 1, 2), kernel[.., .., .., 2..].permute(3, 2, 0, 1));
            using var expected = cat(new[] { first, second }, 1).permute(0, 2, 3, 1);
            TensorAssert.Close(expected, y, 1e-5, 1e-5);
        }

        [Fact]
        public void ChannelsFirstGivesTheChannelsLastResultTransposed()
        {
            var last = new Conv2D(3, 3, strides: 2, padding: Padding.Same, activation: "softmax");
            var first = new Conv2D(3, 3, strides: 2, padding: Padding.Same, dataFormat: DataFormat.ChannelsFirst, activation: "relu");
            var plain = new Conv2D(3, 3, strides: 2, padding: Padding.Same, dataFormat: DataFormat.ChannelsFirst);
            using var x = randn(2, 6, 5, 2);
            last.Apply(x);
            first.Apply(x.permute(0, 3, 1, 2));
            plain.Apply(x.permute(0, 3, 1, 2));
            first.SetWeights(last.GetWeights());
            plain.SetWeights(last.GetWeights());

            var yFirst = first.Apply(x.permute(0, 3, 1, 2).contiguous());
            var yPlain = plain.Apply(x.permute(0, 3, 1, 2).contiguous());
            var yLast = last.Apply(x);

            Assert.Equal(new long[] { 2, 3, 3, 3 }, yFirst.shape);
            TensorAssert.Close(yPlain.relu(), yFirst, 1e-5, 1e-5);
            // The activation runs on the output in its own layout: softmax normalizes the channels of a channels_last output.
            TensorAssert.Close(yPlain.permute(0, 2, 3, 1).softmax(-1), yLast, 1e-5, 1e-5);
        }

        [Fact]
        public void ComputesOutputShapesWithUnknownDimensions()
        {
            var conv = new Conv2D(8, 3, strides: 2);

            Assert.Equal(new Shape(Shape.Unknown, 4, Shape.Unknown, 8), conv.ComputeOutputShape(new Shape(Shape.Unknown, 9, Shape.Unknown, 3)));
            Assert.Equal(new Shape(1, 8, 5, 5), new Conv2D(8, 3, strides: 2, padding: Padding.Same, dataFormat: DataFormat.ChannelsFirst).ComputeOutputShape(new Shape(1, 3, 9, 10)));
        }

        [Theory]
        [InlineData("filters")]
        [InlineData("groups")]
        [InlineData("filters_groups")]
        [InlineData("kernel_size")]
        [InlineData("strides")]
        [InlineData("dilation_rate")]
        [InlineData("padding")]
        [InlineData("data_format")]
        public void RejectsBadArgumentsWithTheReceivedValue(string argument)
        {
            var (create, expected) = BadArgument(argument);

            var error = Assert.ThrowsAny<ArgumentException>(create);

            Assert.Contains(expected, error.Message);
        }

        private static (Action Create, string Expected) BadArgument(string argument) => argument switch
        {
            "filters" => (() => new Conv2D(0, 3), "filters=0"),
            "groups" => (() => new Conv2D(4, 3, groups: 0), "groups=0"),
            "filters_groups" => (() => new Conv2D(3, 3, groups: 2), "groups=2, filters=3"),
            "kernel_size" => (() => new Conv2D(3, (3, 0)), "kernel_size=(3, 0)"),
            "strides" => (() => new Conv2D(3, 3, strides: new[] { 1, 2, 3 }), "strides=(1, 2, 3)"),
            "dilation_rate" => (() => new Conv2D(3, 3, strides: 2, dilationRate: 2), "strides=(2, 2) and dilation_rate=(2, 2)"),
            "padding" => (() => new Conv2D(3, 3, padding: Padding.Causal), "padding='causal'"),
            _ => (() => new Conv2D(3, 3, dataFormat: (DataFormat)7), "data_format=7"),
        };

        [Fact]
        public void InputChannelsNotDivisibleByGroupsFailInApplyNamingTheLayer()
        {
            var conv = new Conv2D(4, 3, groups: 2, name: "grouped");

            var error = Assert.Throws<ArgumentException>(() => conv.Apply(ones(1, 5, 5, 3)));

            Assert.Contains("'grouped'", error.Message);
            Assert.Contains("groups=2", error.Message);
        }

        [Fact]
        public void AnInputWithOtherChannelsThanTheBuildOneFailsNamingTheLayer()
        {
            var conv = new Conv2D(2, 3, name: "features");
            conv.Apply(ones(1, 5, 5, 3));

            var error = Assert.Throws<ArgumentException>(() => conv.Apply(ones(1, 5, 5, 4)));

            Assert.Contains("'features'", error.Message);
            Assert.Contains("value 3", error.Message);
        }

        [Fact]
        public void AnInputSmallerThanTheKernelFailsNamingTheLayer()
        {
            var conv = new Conv2D(2, 3, name: "small");
            conv.Apply(ones(1, 5, 5, 1));

            var error = Assert.Throws<ArgumentException>(() => conv.Apply(ones(1, 2, 5, 1)));

            Assert.Contains("'small'", error.Message);
            Assert.Contains("zero or negative", error.Message);
        }

        [Fact]
        public void AnInputOfAnotherRankFailsNamingTheLayer()
        {
            var conv = new Conv2D(2, 3, name: "image_conv");

            var error = Assert.Throws<ArgumentException>(() => conv.Apply(ones(5, 5, 1)));

            Assert.Contains("'image_conv'", error.Message);
            Assert.Contains("rank 4", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Conv2D", "config": {"name": "conv2d_3", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "filters": 8, "kernel_size": [3, 3], "strides": [2, 2], "padding": "same", "data_format": "channels_last",
                 "dilation_rate": [1, 1], "groups": 1, "activation": "relu", "use_bias": true,
                 "kernel_initializer": {"module": "keras.initializers", "class_name": "HeNormal", "config": {"seed": null}, "registered_name": null},
                 "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                 "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null},
                 "registered_name": null, "build_config": {"input_shape": [null, 28, 28, 1]}}
                """;

            var conv = Assert.IsType<Conv2D>(Layer.Deserialize(json));

            Assert.Equal(("conv2d_3", 8, Padding.Same, "relu"), (conv.Name, conv.Filters, conv.Padding, conv.Activation.Name));
            Assert.Equal(new IntTuple(2, 2), conv.Strides);
            Assert.IsType<HeNormalInitializer>(conv.KernelInitializer);
            Assert.True(conv.Built);
            Assert.Equal(new long[] { 3, 3, 1, 8 }, conv.Kernel!.shape);
            Assert.Equal(new long[] { 2, 14, 14, 8 }, conv.Apply(ones(2, 28, 28, 1)).shape);
        }

        [Fact]
        public void WritesKeras3sConfigKeysInKerasOrder()
        {
            var config = new Conv2D(8, 3, name: "c").GetConfig();

            Assert.Equal(new[]
            {
                "name", "trainable", "dtype", "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups",
                "activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
                "activity_regularizer", "kernel_constraint", "bias_constraint",
            }, config.Keys);
            Assert.Equal("[3,3]", config.Values["kernel_size"]!.ToJsonString());
            Assert.Equal("[1,1]", config.Values["strides"]!.ToJsonString());
        }
    }
}
