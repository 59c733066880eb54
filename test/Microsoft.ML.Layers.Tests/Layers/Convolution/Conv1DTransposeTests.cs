using System;
using System.Linq;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static Microsoft.ML.Layers.Tests.Layers.Convolution.ConvolutionTestHelpers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Convolution
{
    public sealed class Conv1DTransposeTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Conv1DTranspose(3, 3, strides: 2, padding: Padding.Same, activation: "tanh", dtype: dtype),
            InputShapes = new Shape[] { new(2, 5, 4) },
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(2, 10, 3),
        });

        [Fact]
        public void PassesTheSharedLayerCheckChannelsFirstWithOutputPadding() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Conv1DTranspose(2, 2, strides: 3, outputPadding: 2, dataFormat: DataFormat.ChannelsFirst, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 4) },
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(2, 2, 13),   // (4 - 1) * 3 + 2 + 2
        });

        /// <summary>Output lengths as Keras computes them (k is the dilated kernel), worked by hand.</summary>
        [Theory]
        [InlineData(5, 3, 2, Padding.Valid, -1, 1, 11)]   // (5 - 1) * 2 + 3
        [InlineData(5, 2, 3, Padding.Valid, -1, 1, 15)]   // (5 - 1) * 3 + max(2, 3)
        [InlineData(5, 3, 2, Padding.Valid, 1, 1, 12)]    // (5 - 1) * 2 + 3 + 1
        [InlineData(5, 3, 2, Padding.Same, -1, 1, 10)]    // 5 * 2
        [InlineData(4, 4, 3, Padding.Same, -1, 1, 12)]    // 4 * 3
        [InlineData(4, 3, 2, Padding.Same, 1, 1, 8)]      // (4 - 1) * 2 + 3 % 2 + 1
        [InlineData(4, 4, 2, Padding.Same, 0, 1, 6)]      // (4 - 1) * 2 + 4 % 2 + 0
        [InlineData(4, 3, 1, Padding.Valid, -1, 2, 8)]    // dilated kernel 5: (4 - 1) + 5
        [InlineData(4, 3, 1, Padding.Same, -1, 3, 4)]     // 4 * 1
        [InlineData(1, 1, 1, Padding.Valid, -1, 1, 1)]    // (1 - 1) * 1 + 1
        public void OutputLengthsAreKeras(int length, int kernel, int stride, Padding padding, int outputPadding, int dilation,
            int expected)
        {
            var conv = new Conv1DTranspose(2, kernel, strides: stride, padding: padding,
                outputPadding: outputPadding < 0 ? (IntTuple?)null : new IntTuple(outputPadding), dilationRate: dilation);

            var y = conv.Apply(randn(1, length, 3));

            Assert.Equal(new long[] { 1, expected, 2 }, y.shape);
            Assert.Equal(new Shape(Shape.Unknown, expected, 2), conv.ComputeOutputShape(new Shape(Shape.Unknown, length, 3)));
            var first = new Conv1DTranspose(2, kernel, strides: stride, padding: padding, dataFormat: DataFormat.ChannelsFirst,
                outputPadding: outputPadding < 0 ? (IntTuple?)null : new IntTuple(outputPadding), dilationRate: dilation);
            Assert.Equal(new Shape(4, 2, expected), first.ComputeOutputShape(new Shape(4, 3, length)));
        }

        [Fact]
        public void ScattersEachInputThroughTheKernelAtStrideSteps()
        {
            var conv = new Conv1DTranspose(1, 3, strides: 2, useBias: false);
            conv.EnsureBuilt(new Shape(1, 2, 1));
            Fill(conv.Kernel!, tensor(new float[] { 1, 10, 100 }).reshape(3, 1, 1));

            var y = conv.Apply(tensor(new float[] { 1, 2 }).reshape(1, 2, 1));

            // out[p] = sum over j of x[j] * k[p - 2j]: 1, 10, 100 + 2, 20, 200.
            TensorAssert.Close(tensor(new float[] { 1, 10, 102, 20, 200 }).reshape(1, 5, 1), y, 1e-5, 1e-5);
        }

        [Theory]
        [InlineData(1, 1)]
        [InlineData(2, 1)]
        [InlineData(3, 1)]
        [InlineData(1, 2)]
        public void ValidEqualsLibtorchsTransposedConvolution(int stride, int dilation)
        {
            // With valid padding and kernel >= stride, Keras's result is the whole transposed convolution: libtorch's
            // conv_transpose1d, its weight (in, filters, k) being the Keras kernel (k, filters, in) permuted.
            var conv = new Conv1DTranspose(4, 3, strides: stride, dilationRate: dilation,
                biasInitializer: Initializer.RandomNormal(stddev: 1.0, seed: 3));
            using var x = randn(2, 6, 5);

            var y = conv.Apply(x);

            using var expected = nn.functional.conv_transpose1d(x.permute(0, 2, 1), conv.Kernel!.detach().permute(2, 1, 0),
                conv.Bias!.detach(), stride: stride, dilation: dilation).permute(0, 2, 1);
            TensorAssert.Close(expected, y, 1e-5, 1e-5);
        }

        /// <summary>
        /// TensorFlow defines the transposed convolution as the gradient of the convolution with respect to its input; the
        /// convolution here is libtorch's conv1d, on an input padded by hand as TensorFlow pads it.
        /// </summary>
        [Theory]
        [InlineData(Padding.Valid, 3, 2, 7, 0, 0, -1)]   // 7 -> 3 with kernel 3, stride 2
        [InlineData(Padding.Valid, 2, 3, 9, 0, 0, -1)]   // 9 -> 3 with kernel 2, stride 3 (the last step sees nothing)
        [InlineData(Padding.Valid, 3, 2, 8, 0, 0, 1)]    // output_padding 1: 8 -> 3, the last step outside every window
        [InlineData(Padding.Same, 3, 2, 6, 0, 1, -1)]    // 6 -> 3, total padding 1, at the end
        [InlineData(Padding.Same, 4, 2, 6, 1, 1, -1)]    // 6 -> 3 with kernel 4: total padding 2
        [InlineData(Padding.Same, 3, 2, 5, 1, 1, 0)]     // output_padding 0: 5 -> 3, padding 1 each side
        [InlineData(Padding.Same, 3, 1, 3, 1, 1, -1)]    // 3 -> 3 with kernel 3, stride 1
        public void IsTheGradientOfTensorFlowsConvolution(Padding padding, int kernel, int stride, int outputLength, int before,
            int after, int outputPadding)
        {
            var conv = new Conv1DTranspose(3, kernel, strides: stride, padding: padding, useBias: false,
                outputPadding: outputPadding < 0 ? (IntTuple?)null : new IntTuple(outputPadding));
            using var x = randn(2, 3, 4);
            var y = conv.Apply(x);

            // The forward convolution goes from 3 filters to 4 channels with the same Keras kernel (k, 3, 4) = libtorch (4, 3, k).
            var z = zeros(new long[] { 2, 3, outputLength }, requires_grad: true);
            var forward = nn.functional.conv1d(nn.functional.pad(z, new long[] { before, after }), conv.Kernel!.detach().permute(2, 1, 0),
                stride: stride);
            Assert.Equal(new long[] { 2, 4, 3 }, forward.shape);
            (forward * x.permute(0, 2, 1)).sum().backward();

            TensorAssert.Close(z.grad!.permute(0, 2, 1), y, 1e-5, 1e-5);
        }

        [Fact]
        public void KeepsKerassTransposedKernelLayout()
        {
            var conv = new Conv1DTranspose(3, 5);
            conv.Apply(ones(1, 4, 6));

            Assert.Equal(new[] { "kernel", "bias" }, conv.Weights.Select(w => w.Name));
            Assert.Equal(new long[] { 5, 3, 6 }, conv.Kernel!.shape);   // (k, filters, input channels)
            Assert.Equal(new long[] { 3 }, conv.Bias!.shape);
        }

        [Fact]
        public void ChannelsFirstGivesTheChannelsLastResultTransposed()
        {
            var last = new Conv1DTranspose(2, 3, strides: 2, padding: Padding.Same);
            var first = new Conv1DTranspose(2, 3, strides: 2, padding: Padding.Same, dataFormat: DataFormat.ChannelsFirst);
            using var x = randn(2, 5, 3);
            last.Apply(x);
            first.Apply(x.permute(0, 2, 1));
            first.SetWeights(last.GetWeights());

            TensorAssert.Close(last.Apply(x).permute(0, 2, 1), first.Apply(x.permute(0, 2, 1)), 1e-5, 1e-5);
        }

        [Fact]
        public void RejectsArgumentsWithTheReceivedValues()
        {
            Assert.Contains("filters=0", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv1DTranspose(0, 3)).Message);
            var padding = Assert.Throws<ArgumentException>(() => new Conv1DTranspose(2, 3, strides: 2, outputPadding: 2));
            Assert.Contains("output_padding=2", padding.Message);
            Assert.Contains("strides=2", padding.Message);
            Assert.ThrowsAny<ArgumentException>(() => new Conv1DTranspose(2, 3, padding: Padding.Causal));
            Assert.ThrowsAny<ArgumentException>(() => new Conv1DTranspose(2, 3, strides: 2, dilationRate: 2));
        }

        [Fact]
        public void WritesKerasConfigKeys()
        {
            var config = new Conv1DTranspose(2, 3, strides: 2, outputPadding: 1, name: "t").GetConfig();

            Assert.Equal(new[]
            {
                "name", "trainable", "dtype", "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
                "output_padding", "activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer",
                "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint",
            }, config.Keys);
            Assert.Equal("[3]", config.Values["kernel_size"]!.ToJsonString());
            Assert.Equal("[1]", config.Values["output_padding"]!.ToJsonString());
            var revived = Assert.IsType<Conv1DTranspose>(Layer.Deserialize(config));
            Assert.Equal(new IntTuple(1), revived.OutputPadding);
        }

        [Fact]
        public void ReadsAKeras315Config()
        {
            // Keras 3.15 and later write output_padding (null here) right after padding.
            const string json = """
                {"module": "keras.layers", "class_name": "Conv1DTranspose", "config": {"name": "conv1d_transpose", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "filters": 8, "kernel_size": [4], "strides": [2], "padding": "same", "output_padding": null,
                 "data_format": "channels_last", "dilation_rate": [1], "activation": "relu", "use_bias": true,
                 "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
                 "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                 "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null},
                 "registered_name": null, "build_config": {"input_shape": [null, 10, 3]}}
                """;

            var conv = Assert.IsType<Conv1DTranspose>(Layer.Deserialize(json));

            Assert.Null(conv.OutputPadding);
            Assert.Equal(new long[] { 4, 8, 3 }, conv.Kernel!.shape);
            Assert.Equal(new long[] { 2, 20, 8 }, conv.Apply(randn(2, 10, 3)).shape);
        }
    }
}
