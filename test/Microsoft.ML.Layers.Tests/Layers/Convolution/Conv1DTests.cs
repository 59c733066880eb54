using System;
using Microsoft.ML.Layers.Regularizers;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static Microsoft.ML.Layers.Tests.Layers.Convolution.ConvolutionTestHelpers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Convolution
{
    public sealed class Conv1DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Conv1D(5, 3, padding: Padding.Causal, dilationRate: 2, activation: "relu", biasInitializer: "ones", dtype: dtype),
            InputShapes = new Shape[] { new(3, 9, 4) },
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(3, 9, 5),
        });

        [Fact]
        public void PassesTheSharedLayerCheckChannelsFirstStridedSame() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Conv1D(2, 4, strides: 3, padding: Padding.Same, dataFormat: DataFormat.ChannelsFirst, dtype: dtype),
            InputShapes = new Shape[] { new(3, 4, 10) },
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(3, 2, 4),
        });

        private static Conv1D Scalar(int kernelSize, float[] taps, Padding padding = Padding.Valid, int dilation = 1, int stride = 1)
        {
            var conv = new Conv1D(1, kernelSize, strides: stride, padding: padding, dilationRate: dilation, useBias: false);
            conv.EnsureBuilt(new Shape(1, 8, 1));
            Fill(conv.Kernel!, tensor(taps).reshape(kernelSize, 1, 1));
            return conv;
        }

        [Fact]
        public void IsACrossCorrelationNotAFlippedConvolution()
        {
            var conv = Scalar(2, new float[] { 1, 10 });

            var y = conv.Apply(tensor(new float[] { 1, 2, 3 }).reshape(1, 3, 1));

            // y[t] = x[t] * 1 + x[t + 1] * 10
            TensorAssert.Close(tensor(new float[] { 21, 32 }).reshape(1, 2, 1), y, 1e-5, 1e-5);
        }

        [Fact]
        public void CausalPaddingPutsZerosOnlyInFront()
        {
            var conv = Scalar(3, new float[] { 1, 10, 100 }, padding: Padding.Causal);

            var y = conv.Apply(tensor(new float[] { 1, 2, 3 }).reshape(1, 3, 1));

            // Input padded to 0, 0, 1, 2, 3: y[t] = x[t-2] + 10 x[t-1] + 100 x[t].
            TensorAssert.Close(tensor(new float[] { 100, 210, 321 }).reshape(1, 3, 1), y, 1e-5, 1e-5);
        }

        [Fact]
        public void CausalOutputsNeverSeeLaterSteps()
        {
            var conv = new Conv1D(3, 3, padding: Padding.Causal, dilationRate: 2);
            using var x = randn(2, 10, 4);
            using var changedFuture = x.clone();
            changedFuture[.., 6.., ..] = randn(2, 4, 4);

            var y = conv.Apply(x);
            var y2 = conv.Apply(changedFuture);

            TensorAssert.Close(y[.., ..6, ..], y2[.., ..6, ..], 1e-5, 1e-5);
            Assert.False(y[.., 6.., ..].allclose(y2[.., 6.., ..]));
        }

        [Fact]
        public void CausalWithDilationMatchesLibtorchOnAFrontPaddedInput()
        {
            var conv = new Conv1D(3, 3, padding: Padding.Causal, dilationRate: 2);
            using var x = randn(2, 7, 4);

            var y = conv.Apply(x);

            // (kernel - 1) * dilation = 4 zeros in front.
            using var padded = nn.functional.pad(x.permute(0, 2, 1), new long[] { 4, 0 });
            using var expected = nn.functional.conv1d(padded, conv.Kernel!.permute(2, 1, 0), conv.Bias!, dilation: 2).permute(0, 2, 1);
            Assert.Equal(new long[] { 2, 7, 3 }, y.shape);
            TensorAssert.Close(expected, y, 1e-5, 1e-5);
        }

        [Fact]
        public void DilationSkipsInputsBetweenTaps()
        {
            var conv = Scalar(2, new float[] { 1, 10 }, dilation: 2);

            var y = conv.Apply(tensor(new float[] { 1, 2, 3, 4 }).reshape(1, 4, 1));

            // y[t] = x[t] + 10 x[t + 2]
            TensorAssert.Close(tensor(new float[] { 31, 42 }).reshape(1, 2, 1), y, 1e-5, 1e-5);
        }

        [Fact]
        public void SameWithStrideTwoOnAnEvenLengthPadsOnlyAtTheEnd()
        {
            var conv = Scalar(3, new float[] { 1, 10, 100 }, padding: Padding.Same, stride: 2);

            var y = conv.Apply(tensor(new float[] { 1, 2, 3, 4 }).reshape(1, 4, 1));

            // TensorFlow: output 2, total padding (2 - 1) * 2 + 3 - 4 = 1, at the end: 1, 2, 3, 4, 0.
            // y[0] = 1 + 20 + 300, y[1] = 3 + 40 + 0.
            TensorAssert.Close(tensor(new float[] { 321, 43 }).reshape(1, 2, 1), y, 1e-5, 1e-5);
        }

        [Fact]
        public void SameWithStrideTwoOnAnOddLengthPadsBothEnds()
        {
            var conv = Scalar(3, new float[] { 1, 10, 100 }, padding: Padding.Same, stride: 2);

            var y = conv.Apply(tensor(new float[] { 1, 2, 3, 4, 5 }).reshape(1, 5, 1));

            // Output 3, total padding 2: 0, 1, 2, 3, 4, 5, 0.
            TensorAssert.Close(tensor(new float[] { 210, 432, 54 }).reshape(1, 3, 1), y, 1e-5, 1e-5);
        }

        [Fact]
        public void GroupsSplitTheChannels()
        {
            var conv = new Conv1D(2, 1, groups: 2, useBias: false);
            conv.EnsureBuilt(new Shape(1, 3, 2));
            Fill(conv.Kernel!, tensor(new float[] { 10, 100 }).reshape(1, 1, 2));   // (1, in / groups = 1, filters = 2)

            var y = conv.Apply(tensor(new float[] { 1, 2, 3, 4, 5, 6 }).reshape(1, 3, 2));

            // Filter 0 sees only channel 0, filter 1 only channel 1.
            TensorAssert.Close(tensor(new float[] { 10, 200, 30, 400, 50, 600 }).reshape(1, 3, 2), y, 1e-5, 1e-5);
        }

        [Fact]
        public void CausalPaddingChannelsFirstPadsTheStepsAxis()
        {
            var last = new Conv1D(2, 2, padding: Padding.Causal);
            var first = new Conv1D(2, 2, padding: Padding.Causal, dataFormat: DataFormat.ChannelsFirst);
            using var x = randn(2, 5, 3);
            last.Apply(x);
            first.Apply(x.permute(0, 2, 1));
            first.SetWeights(last.GetWeights());

            TensorAssert.Close(last.Apply(x).permute(0, 2, 1), first.Apply(x.permute(0, 2, 1)), 1e-5, 1e-5);
        }

        [Fact]
        public void RejectsAnUnknownPaddingWithTheReceivedValue()
        {
            var error = Assert.Throws<ArgumentException>(() => new Conv1D(2, 3, padding: (Padding)9));

            Assert.Contains("padding=9", error.Message);
            Assert.Contains("causal", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Conv1D", "config": {"name": "conv1d", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "filters": 16, "kernel_size": [5], "strides": [1], "padding": "causal", "data_format": "channels_last",
                 "dilation_rate": [4], "groups": 1, "activation": "linear", "use_bias": false,
                 "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": 3}, "registered_name": null},
                 "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                 "kernel_regularizer": {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.01}, "registered_name": null},
                 "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null},
                 "registered_name": null, "build_config": {"input_shape": [null, 100, 2]}}
                """;

            var conv = Assert.IsType<Conv1D>(Layer.Deserialize(json));

            Assert.Equal((Padding.Causal, new IntTuple(4), false), (conv.Padding, conv.DilationRate, conv.UseBias));
            Assert.IsType<L2Regularizer>(conv.KernelRegularizer);
            Assert.Single(conv.Weights);
            Assert.Equal(new long[] { 5, 2, 16 }, conv.Kernel!.shape);
        }
    }
}
