using System;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static Microsoft.ML.Layers.Tests.Layers.Convolution.ConvolutionTestHelpers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Convolution
{
    public sealed class Conv2DTransposeTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Conv2DTranspose(3, 3, strides: 2, padding: Padding.Same, activation: "sigmoid", dtype: dtype),
            InputShapes = new Shape[] { new(2, 4, 3, 5) },
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(2, 8, 6, 3),
        });

        [Fact]
        public void PassesTheSharedLayerCheckChannelsFirstWithOutputPadding() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Conv2DTranspose(2, (2, 3), strides: 3, outputPadding: (2, 1), dataFormat: DataFormat.ChannelsFirst, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 3, 4) },
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(2, 2, 10, 13),   // (3 - 1) * 3 + 2 + 2, (4 - 1) * 3 + 3 + 1
        });

        /// <summary>Output sizes as Keras computes them (k is the dilated kernel), worked by hand.</summary>
        [Theory]
        [InlineData(5, 3, 2, Padding.Valid, -1, 1, 11)]   // (5 - 1) * 2 + 3
        [InlineData(5, 2, 3, Padding.Valid, -1, 1, 15)]   // (5 - 1) * 3 + max(2, 3): the default output padding is stride - kernel
        [InlineData(5, 3, 2, Padding.Valid, 1, 1, 12)]    // (5 - 1) * 2 + 3 + 1
        [InlineData(5, 3, 2, Padding.Same, -1, 1, 10)]    // 5 * 2
        [InlineData(4, 4, 2, Padding.Same, -1, 1, 8)]     // 4 * 2
        [InlineData(4, 3, 2, Padding.Same, 1, 1, 8)]      // (4 - 1) * 2 + 3 % 2 + 1
        [InlineData(4, 4, 2, Padding.Same, 0, 1, 6)]      // (4 - 1) * 2 + 4 % 2 + 0
        [InlineData(4, 3, 1, Padding.Valid, -1, 2, 8)]    // dilated kernel 5: (4 - 1) + 5
        [InlineData(4, 3, 1, Padding.Same, -1, 2, 4)]     // 4 * 1
        public void OutputSizesAreKeras(int size, int kernel, int stride, Padding padding, int outputPadding, int dilation, int expected)
        {
            var conv = new Conv2DTranspose(2, (kernel, 1), strides: (stride, 1), padding: padding,
                outputPadding: outputPadding < 0 ? (IntTuple?)null : new IntTuple(outputPadding, 0), dilationRate: (dilation, 1));

            var y = conv.Apply(randn(1, size, 3, 4));

            Assert.Equal(new long[] { 1, expected, 3, 2 }, y.shape);
            Assert.Equal(new Shape(Shape.Unknown, expected, 3, 2), conv.ComputeOutputShape(new Shape(Shape.Unknown, size, 3, 4)));
        }

        [Fact]
        public void ScattersEachInputThroughTheKernelAtStrideSteps()
        {
            var conv = new Conv2DTranspose(1, (1, 3), strides: (1, 2), useBias: false);
            conv.EnsureBuilt(new Shape(1, 1, 2, 1));
            Fill(conv.Kernel!, tensor(new float[] { 1, 10, 100 }).reshape(1, 3, 1, 1));

            var y = conv.Apply(tensor(new float[] { 1, 2 }).reshape(1, 1, 2, 1));

            // out[p] = sum over j of x[j] * k[p - 2j]: 1, 10, 100 + 2, 20, 200.
            TensorAssert.Close(tensor(new float[] { 1, 10, 102, 20, 200 }).reshape(1, 1, 5, 1), y, 1e-5, 1e-5);
        }

        [Fact]
        public void SameKeepsTensorFlowsWindowOfTheFullResult()
        {
            var conv = new Conv2DTranspose(1, (1, 3), strides: (1, 2), padding: Padding.Same, useBias: false);
            conv.EnsureBuilt(new Shape(1, 1, 2, 1));
            Fill(conv.Kernel!, tensor(new float[] { 1, 10, 100 }).reshape(1, 3, 1, 1));

            var y = conv.Apply(tensor(new float[] { 1, 2 }).reshape(1, 1, 2, 1));

            // The gradient of TensorFlow's 'same' convolution on 4 steps (padding 0 in front, 1 behind): the full result's first 4.
            TensorAssert.Close(tensor(new float[] { 1, 10, 102, 20 }).reshape(1, 1, 4, 1), y, 1e-5, 1e-5);
        }

        [Fact]
        public void ZeroExtendsWhereTheStrideExceedsTheKernel()
        {
            var conv = new Conv2DTranspose(1, (1, 2), strides: (1, 3), biasInitializer: Initializer.Constant(0.5));
            conv.EnsureBuilt(new Shape(1, 1, 2, 1));
            Fill(conv.Kernel!, tensor(new float[] { 1, 10 }).reshape(1, 2, 1, 1));

            var y = conv.Apply(tensor(new float[] { 1, 2 }).reshape(1, 1, 2, 1));

            // (2 - 1) * 3 + max(2, 3) = 6 steps: 1, 10, 0, 2, 20, 0, plus the bias everywhere.
            TensorAssert.Close(tensor(new float[] { 1.5f, 10.5f, 0.5f, 2.5f, 20.5f, 0.5f }).reshape(1, 1, 6, 1), y, 1e-5, 1e-5);
        }

        /// <summary>
        /// TensorFlow defines the transposed convolution as the gradient of the convolution with respect to its input; the
        /// convolution here is libtorch's, on an input padded by hand as TensorFlow pads it.
        /// </summary>
        [Theory]
        [InlineData(Padding.Valid, 3, 2, 7, 0, 0)]   // 7 -> 3 with kernel 3, stride 2, no padding
        [InlineData(Padding.Valid, 2, 3, 9, 0, 0)]   // 9 -> 3 with kernel 2, stride 3
        [InlineData(Padding.Same, 3, 2, 6, 0, 1)]    // 6 -> 3 with kernel 3, stride 2: total padding 1, at the end
        [InlineData(Padding.Same, 4, 2, 6, 1, 1)]    // 6 -> 3 with kernel 4, stride 2: total padding 2
        [InlineData(Padding.Same, 3, 1, 3, 1, 1)]    // 3 -> 3 with kernel 3, stride 1
        public void IsTheGradientOfTensorFlowsConvolution(Padding padding, int kernel, int stride, int outputSize, int before, int after)
        {
            var conv = new Conv2DTranspose(3, kernel, strides: stride, padding: padding, useBias: false);
            using var x = randn(2, 3, 3, 4);
            var y = conv.Apply(x);

            // The forward convolution goes from 3 filters to 4 channels with the same Keras kernel (kh, kw, 3, 4) = libtorch (4, 3, kh, kw).
            var z = zeros(new long[] { 2, 3, outputSize, outputSize }, requires_grad: true);
            var forward = nn.functional.conv2d(nn.functional.pad(z, new long[] { before, after, before, after }),
                conv.Kernel!.detach().permute(3, 2, 0, 1), strides: new long[] { stride, stride });
            Assert.Equal(new long[] { 2, 4, 3, 3 }, forward.shape);
            (forward * x.permute(0, 3, 1, 2)).sum().backward();

            TensorAssert.Close(z.grad!.permute(0, 2, 3, 1), y, 1e-5, 1e-5);
        }

        [Fact]
        public void KeepsKerassTransposedKernelLayout()
        {
            var conv = new Conv2DTranspose(3, (2, 5));
            conv.Apply(ones(1, 4, 4, 6));

            Assert.Equal(new long[] { 2, 5, 3, 6 }, conv.Kernel!.shape);   // (kh, kw, filters, input channels)
            Assert.Equal(new long[] { 3 }, conv.Bias!.shape);
        }

        [Fact]
        public void ChannelsFirstGivesTheChannelsLastResultTransposed()
        {
            var last = new Conv2DTranspose(2, 3, strides: 2, padding: Padding.Same);
            var first = new Conv2DTranspose(2, 3, strides: 2, padding: Padding.Same, dataFormat: DataFormat.ChannelsFirst);
            using var x = randn(2, 3, 4, 5);
            last.Apply(x);
            first.Apply(x.permute(0, 3, 1, 2));
            first.SetWeights(last.GetWeights());

            TensorAssert.Close(last.Apply(x).permute(0, 3, 1, 2), first.Apply(x.permute(0, 3, 1, 2)), 1e-5, 1e-5);
        }

        [Fact]
        public void RejectsAnOutputPaddingNotBelowTheStrideWithTheReceivedValues()
        {
            var error = Assert.Throws<ArgumentException>(() => new Conv2DTranspose(2, 3, strides: 2, outputPadding: 2));

            Assert.Contains("output_padding=(2, 2)", error.Message);
            Assert.Contains("strides=(2, 2)", error.Message);
        }

        [Fact]
        public void WritesOutputPaddingOnlyWhenSet()
        {
            Assert.DoesNotContain("output_padding", new Conv2DTranspose(2, 3).GetConfig().Keys);

            var config = new Conv2DTranspose(2, 3, strides: 2, outputPadding: 1).GetConfig();
            var revived = Assert.IsType<Conv2DTranspose>(Layer.Deserialize(config));

            Assert.Equal("[1,1]", config.Values["output_padding"]!.ToJsonString());
            Assert.Equal(new IntTuple(1, 1), revived.OutputPadding);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Conv2DTranspose", "config": {"name": "conv2d_transpose", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "filters": 32, "kernel_size": [2, 2], "strides": [2, 2], "padding": "valid", "data_format": "channels_last",
                 "dilation_rate": [1, 1], "activation": "relu", "use_bias": true,
                 "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
                 "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                 "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null},
                 "registered_name": null, "build_config": {"input_shape": [null, 10, 8, 128]}}
                """;

            var conv = Assert.IsType<Conv2DTranspose>(Layer.Deserialize(json));

            Assert.Null(conv.OutputPadding);
            Assert.Equal(new long[] { 2, 2, 32, 128 }, conv.Kernel!.shape);
            Assert.Equal(new long[] { 4, 20, 16, 32 }, conv.Apply(randn(4, 10, 8, 128)).shape);
        }
    }
}
