using System;
using System.Linq;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Convolution
{
    public sealed class Conv3DTransposeTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Conv3DTranspose(3, 2, strides: 2, padding: Padding.Same, activation: "relu", dtype: dtype),
            InputShapes = new Shape[] { new(2, 2, 3, 2, 4) },
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(2, 4, 6, 4, 3),
        });

        [Fact]
        public void PassesTheSharedLayerCheckChannelsFirstWithOutputPadding() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Conv3DTranspose(2, (2, 3, 1), strides: (3, 1, 2), dataFormat: DataFormat.ChannelsFirst,
                outputPadding: (2, 0, 1), dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 2, 3, 2) },
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(2, 2, 7, 5, 4),   // (2 - 1) * 3 + 2 + 2, (3 - 1) * 1 + 3 + 0, (2 - 1) * 2 + 1 + 1
        });

        /// <summary>
        /// Each axis follows Keras's rule on its own, worked by hand for input (5, 4, 6) and kernel 3: strides (2, 2, 3), or
        /// stride 1 with dilations (1, 2, 3) (dilated kernels 3, 5, 7).
        /// </summary>
        [Theory]
        [InlineData(Padding.Valid, -1, false, 11, 9, 18)]    // (n - 1) * stride + 3
        [InlineData(Padding.Valid, 1, false, 12, 10, 19)]    // (n - 1) * stride + 3 + 1
        [InlineData(Padding.Same, -1, false, 10, 8, 18)]     // n * stride
        [InlineData(Padding.Same, 1, false, 10, 8, 17)]      // (n - 1) * stride + 3 % 2 + 1
        [InlineData(Padding.Same, 0, false, 9, 7, 16)]       // (n - 1) * stride + 3 % 2 + 0
        [InlineData(Padding.Valid, -1, true, 7, 8, 12)]      // (n - 1) + dilated kernel
        [InlineData(Padding.Same, -1, true, 5, 4, 6)]        // n
        public void OutputSizesAreKeras(Padding padding, int outputPadding, bool dilated, long depth, long height, long width)
        {
            var conv = new Conv3DTranspose(2, 3, strides: dilated ? new IntTuple(1) : new IntTuple(2, 2, 3), padding: padding,
                outputPadding: outputPadding < 0 ? (IntTuple?)null : new IntTuple(outputPadding), dilationRate: dilated ? new IntTuple(1, 2, 3) : new IntTuple(1));

            var y = conv.Apply(randn(new long[] { 1, 5, 4, 6, 3 }));

            Assert.Equal(new long[] { 1, depth, height, width, 2 }, y.shape);
            Assert.Equal(new Shape(Shape.Unknown, depth, height, width, 2), conv.ComputeOutputShape(new Shape(Shape.Unknown, 5, 4, 6, 3)));
            Assert.Equal(new Shape(Shape.Unknown, depth, Shape.Unknown, width, 2),
                conv.ComputeOutputShape(new Shape(Shape.Unknown, 5, Shape.Unknown, 6, 3)));
        }

        [Fact]
        public void ValidEqualsLibtorchsTransposedConvolution()
        {
            // With valid padding and kernel >= stride, Keras's result is the whole transposed convolution: libtorch's
            // conv_transpose3d, its weight (in, filters, kd, kh, kw) being the Keras kernel (kd, kh, kw, filters, in) permuted.
            var conv = new Conv3DTranspose(3, (2, 3, 2), strides: (2, 1, 2), biasInitializer: Initializer.RandomNormal(stddev: 1.0, seed: 4));
            using var x = randn(new long[] { 2, 3, 2, 4, 5 });

            var y = conv.Apply(x);

            using var expected = nn.functional.conv_transpose3d(x.permute(0, 4, 1, 2, 3), conv.Kernel!.detach().permute(4, 3, 0, 1, 2),
                conv.Bias!.detach(), strides: new long[] { 2, 1, 2 }).permute(0, 2, 3, 4, 1);
            Assert.Equal(new long[] { 2, 6, 4, 8, 3 }, y.shape);
            TensorAssert.Close(expected, y, 1e-5, 1e-5);
        }

        [Fact]
        public void SameIsTheGradientOfTensorFlowsConvolution()
        {
            // Kernel 3, stride 2, input (2, 3, 2) -> output (4, 6, 4); the forward 'same' convolution of (4, 6, 4) pads 0 in front and
            // 1 behind on every axis ((n / 2 - 1) * 2 + 3 - n = 1).
            var conv = new Conv3DTranspose(2, 3, strides: 2, padding: Padding.Same, useBias: false);
            using var x = randn(new long[] { 1, 2, 3, 2, 4 });
            var y = conv.Apply(x);

            var z = zeros(new long[] { 1, 2, 4, 6, 4 }, requires_grad: true);
            var forward = nn.functional.conv3d(nn.functional.pad(z, new long[] { 0, 1, 0, 1, 0, 1 }),
                conv.Kernel!.detach().permute(4, 3, 0, 1, 2), strides: new long[] { 2, 2, 2 });
            Assert.Equal(new long[] { 1, 4, 2, 3, 2 }, forward.shape);
            (forward * x.permute(0, 4, 1, 2, 3)).sum().backward();

            TensorAssert.Close(z.grad!.permute(0, 2, 3, 4, 1), y, 1e-5, 1e-5);
        }

        [Fact]
        public void KeepsKerassTransposedKernelLayout()
        {
            var conv = new Conv3DTranspose(3, (2, 4, 5));
            conv.Apply(ones(new long[] { 1, 3, 4, 5, 6 }));

            Assert.Equal(new[] { "kernel", "bias" }, conv.Weights.Select(w => w.Name));
            Assert.Equal(new long[] { 2, 4, 5, 3, 6 }, conv.Kernel!.shape);   // (kd, kh, kw, filters, input channels)
        }

        [Fact]
        public void ChannelsFirstGivesTheChannelsLastResultTransposed()
        {
            var last = new Conv3DTranspose(2, 3, strides: 2, padding: Padding.Same);
            var first = new Conv3DTranspose(2, 3, strides: 2, padding: Padding.Same, dataFormat: DataFormat.ChannelsFirst);
            using var x = randn(new long[] { 2, 3, 2, 3, 4 });
            last.Apply(x);
            first.Apply(x.permute(0, 4, 1, 2, 3));
            first.SetWeights(last.GetWeights());

            TensorAssert.Close(last.Apply(x).permute(0, 4, 1, 2, 3), first.Apply(x.permute(0, 4, 1, 2, 3)), 1e-5, 1e-5);
        }

        [Fact]
        public void RejectsAnOutputPaddingNotBelowTheStrideWithTheReceivedValues()
        {
            var error = Assert.Throws<ArgumentException>(() => new Conv3DTranspose(2, 3, strides: (2, 2, 1), outputPadding: 1));

            Assert.Contains("output_padding=(1, 1, 1)", error.Message);
            Assert.Contains("strides=(2, 2, 1)", error.Message);
        }

        [Fact]
        public void ReadsAKeras315Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Conv3DTranspose", "config": {"name": "conv3d_transpose", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "filters": 4, "kernel_size": [2, 2, 2], "strides": [2, 2, 2], "padding": "valid", "output_padding": [1, 0, 1],
                 "data_format": "channels_first", "dilation_rate": [1, 1, 1], "activation": "linear", "use_bias": false,
                 "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
                 "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                 "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null},
                 "registered_name": null, "build_config": {"input_shape": [null, 3, 2, 3, 4]}}
                """;

            var conv = Assert.IsType<Conv3DTranspose>(Layer.Deserialize(json));

            Assert.Equal(new IntTuple(1, 0, 1), conv.OutputPadding);
            Assert.Equal(DataFormat.ChannelsFirst, conv.DataFormat);
            Assert.Equal(new long[] { 2, 2, 2, 4, 3 }, conv.Kernel!.shape);
            Assert.Equal(new long[] { 1, 4, 5, 6, 9 }, conv.Apply(randn(new long[] { 1, 3, 2, 3, 4 })).shape);   // (n - 1) * 2 + 2 + output_padding
        }
    }
}
