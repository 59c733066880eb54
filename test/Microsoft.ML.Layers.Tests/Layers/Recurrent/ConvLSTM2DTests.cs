using System;
using System.Linq;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;
using R = Microsoft.ML.Layers.Tests.Layers.Recurrent.RecurrentReference;

namespace Microsoft.ML.Layers.Tests.Layers.Recurrent
{
    public sealed class ConvLSTM2DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new ConvLSTM2D(3, 3, padding: Padding.Same, returnSequences: true, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 5, 4, 2) },
            ExpectedTrainableWeights = 3,
            ExpectedOutputShape = new Shape(2, 3, 5, 4, 3),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(2, 3),
        });

        [Fact]
        public void PassesTheSharedLayerCheckChannelsFirstWithStridesReturningStates() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new ConvLSTM2D(2, 3, strides: 2, dataFormat: DataFormat.ChannelsFirst, returnState: true, useBias: false, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 2, 7, 6) },
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(2, 2, 3, 2),
            ExpectedSupportsMasking = true,
        });

        [Fact]
        public void PassesTheSharedLayerCheckWithDropoutOnInputsAndStates() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new ConvLSTM2D(2, 2, padding: Padding.Same, dropout: 0.2, recurrentDropout: 0.3, seed: 1, returnSequences: true, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 4, 4, 2) },
            ExpectedTrainableWeights = 3,
            ExpectedOutputShape = new Shape(2, 3, 4, 4, 2),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(2, 3),
            RandomInTraining = true,
        });

        [Fact]
        public void HasKerasWeightLayoutOrderAndDefaultName()
        {
            var layer = new ConvLSTM2D(4, (3, 2));
            layer.EnsureBuilt(new Shape(Shape.Unknown, 5, 8, 8, 3));

            Assert.Matches("^conv_lstm2d(_[0-9]+)?$", layer.Name);
            Assert.Equal(new[] { "kernel", "recurrent_kernel", "bias" }, layer.Weights.Select(w => w.Name));
            Assert.Equal(new[] { new Shape(3, 2, 3, 16), new Shape(3, 2, 4, 16), new Shape(16) }, layer.Weights.Select(w => w.Shape));
            Assert.Equal(("sigmoid", "tanh"), (layer.RecurrentActivation.Name, layer.Activation.Name));
        }

        [Fact]
        public void UnitForgetBiasStartsTheForgetGateBiasAtOne()
        {
            var layer = new ConvLSTM2D(2, 1);
            layer.EnsureBuilt(new Shape(1, 1, 2, 2, 1));
            Assert.Equal(new float[] { 0, 0, 1, 1, 0, 0, 0, 0 }, layer.Bias!.data<float>().ToArray());
        }

        [Theory]
        [InlineData(Padding.Valid, 1, 1, 3, true, false, DataFormat.ChannelsLast, "sigmoid")]
        [InlineData(Padding.Same, 1, 1, 3, true, false, DataFormat.ChannelsLast, "sigmoid")]
        [InlineData(Padding.Same, 2, 1, 3, true, false, DataFormat.ChannelsLast, "sigmoid")]
        [InlineData(Padding.Valid, 2, 1, 3, false, false, DataFormat.ChannelsLast, "sigmoid")]
        [InlineData(Padding.Same, 1, 1, 2, false, false, DataFormat.ChannelsLast, "sigmoid")] // even window: TensorFlow puts the odd padding at the end
        [InlineData(Padding.Same, 1, 2, 3, true, false, DataFormat.ChannelsLast, "sigmoid")]
        [InlineData(Padding.Valid, 1, 1, 3, true, true, DataFormat.ChannelsLast, "sigmoid")]
        [InlineData(Padding.Same, 2, 1, 3, true, false, DataFormat.ChannelsFirst, "sigmoid")]
        [InlineData(Padding.Valid, 1, 1, 2, false, true, DataFormat.ChannelsFirst, "sigmoid")]
        [InlineData(Padding.Same, 1, 1, 3, true, false, DataFormat.ChannelsLast, "hard_sigmoid")]
        public void EveryStepMatchesTheCellWrittenWithConv2d(Padding padding, int stride, int dilation, int window, bool returnSequences,
            bool goBackwards, DataFormat dataFormat, string recurrentActivation)
        {
            bool channelsFirst = dataFormat == DataFormat.ChannelsFirst;
            var layer = new ConvLSTM2D(4, window, strides: stride, padding: padding, dataFormat: dataFormat, dilationRate: dilation,
                recurrentActivation: recurrentActivation, returnSequences: returnSequences, returnState: true, goBackwards: goBackwards);
            var x = randn(new long[] { 2, 4, 7, 6, 3 }); // channels last; rows != cols catches a swap
            var input = channelsFirst ? x.permute(0, 1, 4, 2, 3) : x;
            layer.EnsureBuilt(Shape.Of(input));
            layer.SetWeights(R.RandomWeights(layer));

            var outputs = layer.ApplyAll(input);

            var cell = new ReferenceCell(layer.Kernel!, layer.RecurrentKernel!, layer.Bias, stride, padding, dilation, recurrentActivation);
            var (expected, states) = R.Run(x, cell.ZeroStates(x), cell.Step, backwards: goBackwards);
            Assert.Equal(3, outputs.Count);
            TensorAssert.Close(returnSequences ? expected : expected.select(1, -1), ChannelsLast(outputs[0], channelsFirst), 1e-5, 1e-5, "output");
            TensorAssert.Close(states[0], ChannelsLast(outputs[1], channelsFirst), 1e-5, 1e-5, "final h");
            TensorAssert.Close(states[1], ChannelsLast(outputs[2], channelsFirst), 1e-5, 1e-5, "final c");
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void AMaskedStepKeepsTheStatesAndRepeatsThePreviousOutput(bool returnSequences)
        {
            var layer = new ConvLSTM2D(3, 3, padding: Padding.Same, returnSequences: returnSequences, returnState: true);
            var x = randn(new long[] { 2, 5, 4, 5, 2 });
            layer.EnsureBuilt(Shape.Of(x));
            layer.SetWeights(R.RandomWeights(layer));
            var mask = tensor(new[] { true, true, false, true, false, false, true, true, false, true }, 2, 5);

            var outputs = layer.ApplyAll(x, mask: mask);

            var cell = new ReferenceCell(layer.Kernel!, layer.RecurrentKernel!, layer.Bias, 1, Padding.Same, 1, "sigmoid");
            var (expected, states) = R.Run(x, cell.ZeroStates(x), cell.Step, mask);
            TensorAssert.Close(returnSequences ? expected : states[0], outputs[0], 1e-5, 1e-5, "output");
            TensorAssert.Close(states[0], outputs[1], 1e-5, 1e-5, "final h");
            TensorAssert.Close(states[1], outputs[2], 1e-5, 1e-5, "final c");
            if (returnSequences)
                Assert.True(expected[0, 2].equal(expected[0, 1]).all().item<bool>(), "a masked step repeats the previous output");
        }

        [Fact]
        public void StartsFromGivenInitialStates()
        {
            var layer = new ConvLSTM2D(3, 3, returnSequences: true);
            var x = randn(new long[] { 2, 3, 6, 5, 2 });
            layer.EnsureBuilt(Shape.Of(x));
            layer.SetWeights(R.RandomWeights(layer));
            var h0 = randn(2, 4, 3, 3);
            var c0 = randn(2, 4, 3, 3);

            var y = layer.Apply(new[] { x, h0, c0 });

            var cell = new ReferenceCell(layer.Kernel!, layer.RecurrentKernel!, layer.Bias, 1, Padding.Valid, 1, "sigmoid");
            TensorAssert.Close(R.Run(x, new[] { h0, c0 }, cell.Step).Outputs, y, 1e-5, 1e-5, "sequence");
        }

        [Fact]
        public void AStatefulLayerContinuesFromItsLastStatesUntilReset()
        {
            var layer = new ConvLSTM2D(3, 3, padding: Padding.Same, stateful: true);
            var whole = new ConvLSTM2D(3, 3, padding: Padding.Same);
            var x = randn(new long[] { 2, 5, 4, 4, 2 });
            layer.EnsureBuilt(Shape.Of(x));
            whole.EnsureBuilt(Shape.Of(x));
            var weights = R.RandomWeights(layer);
            layer.SetWeights(weights);
            whole.SetWeights(weights);

            var first = layer.Apply(x.narrow(1, 0, 2));
            var second = layer.Apply(x.narrow(1, 2, 3));
            TensorAssert.Close(whole.Apply(x), second, 1e-5, 1e-5, "two stateful calls = one call on the whole sequence");
            Assert.Equal(new long[] { 2, 4, 4, 3 }, layer.States![1].shape);

            layer.ResetStates();
            TensorAssert.Close(first, layer.Apply(x.narrow(1, 0, 2)), 1e-5, 1e-5, "after ResetStates");
        }

        [Fact]
        public void DropoutDrawsOneMaskPerGateAndSampleKeptForEveryStep()
        {
            // The layer's masks come from its seeded generator: 4 input masks shaped like one input step, then 4 recurrent
            // masks shaped like one state, each 0 or 1 / (1 - rate). Gate g sees the input and h under its own masks, as in Keras.
            const long seed = 5;
            const double rate = 0.4, recurrentRate = 0.3;
            var layer = new ConvLSTM2D(3, 3, padding: Padding.Same, dropout: rate, recurrentDropout: recurrentRate, seed: seed, returnSequences: true);
            var x = randn(new long[] { 2, 4, 5, 4, 2 });
            layer.EnsureBuilt(Shape.Of(x));
            layer.SetWeights(R.RandomWeights(layer));

            var y = layer.Apply(x, training: true);

            var generator = Sampling.GeneratorFor(seed);
            Tensor[] Masks(long[] shape, double r) => Enumerable.Range(0, 4)
                .Select(_ => bernoulli(full(shape, 1 - r, dtype: ScalarType.Float32), generator).div_(1 - r)).ToArray();
            var inputMasks = Masks(new long[] { 2, 5, 4, 2 }, rate);
            var recurrentMasks = Masks(new long[] { 2, 5, 4, 3 }, recurrentRate);
            var cell = new ReferenceCell(layer.Kernel!, layer.RecurrentKernel!, layer.Bias, 1, Padding.Same, 1, "sigmoid", inputMasks, recurrentMasks);
            TensorAssert.Close(R.Run(x, cell.ZeroStates(x), cell.Step).Outputs, y, 1e-5, 1e-5, "training with dropout");
            Assert.False(inputMasks[0].equal(inputMasks[1]).all().item<bool>(), "each gate has its own mask");
            Assert.False(inputMasks[0][0].equal(inputMasks[0][1]).all().item<bool>(), "each sample has its own mask");

            var inference = layer.Apply(x);
            var plain = new ReferenceCell(layer.Kernel!, layer.RecurrentKernel!, layer.Bias, 1, Padding.Same, 1, "sigmoid");
            TensorAssert.Close(R.Run(x, plain.ZeroStates(x), plain.Step).Outputs, inference, 1e-5, 1e-5, "inference ignores dropout");
        }

        [Fact]
        public void ReadsATfKeras2ConfigAndRunsIt()
        {
            const string json = """
                {"class_name": "ConvLSTM2D", "config": {"name": "conv_lst_m2d", "trainable": true, "dtype": "float32", "return_sequences": true,
                 "return_state": false, "go_backwards": false, "stateful": false, "unroll": false, "time_major": false, "filters": 4,
                 "kernel_size": [3, 3], "strides": [1, 1], "padding": "same", "data_format": "channels_last", "dilation_rate": [1, 1],
                 "activation": "tanh", "recurrent_activation": "hard_sigmoid", "use_bias": true,
                 "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
                 "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": null}},
                 "bias_initializer": {"class_name": "Zeros", "config": {}}, "unit_forget_bias": true, "kernel_regularizer": null,
                 "recurrent_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null,
                 "recurrent_constraint": null, "bias_constraint": null, "dropout": 0.0, "recurrent_dropout": 0.0}}
                """;

            var layer = Assert.IsType<ConvLSTM2D>(Layer.Deserialize(json));

            Assert.Equal(("conv_lst_m2d", 4, Padding.Same, "hard_sigmoid"), (layer.Name, layer.Filters, layer.Padding, layer.RecurrentActivation.Name));
            Assert.Equal(new IntTuple(3, 3), layer.KernelSize);
            var x = randn(new long[] { 2, 3, 6, 5, 2 });
            var y = layer.Apply(x);
            Assert.Equal(new long[] { 2, 3, 6, 5, 4 }, y.shape);
            // hard_sigmoid is Keras 3's, relu6(x + 3) / 6, what Keras 3 computes for this config.
            var cell = new ReferenceCell(layer.Kernel!, layer.RecurrentKernel!, layer.Bias, 1, Padding.Same, 1, "hard_sigmoid");
            TensorAssert.Close(R.Run(x, cell.ZeroStates(x), cell.Step).Outputs, y, 1e-5, 1e-5, "tf.keras config");
            Assert.DoesNotContain("time_major", layer.GetConfig().Keys);
        }

        [Fact]
        public void ReadsAKeras3ConfigBuildsItAndWritesTheSameKeys()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "ConvLSTM2D", "config": {"name": "conv_lstm2d_3", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "return_sequences": false, "return_state": false, "go_backwards": true, "stateful": false, "unroll": false,
                 "zero_output_for_mask": false, "filters": 3, "kernel_size": [3, 2], "strides": [2, 1], "padding": "valid",
                 "data_format": "channels_first", "dilation_rate": [1, 1], "activation": "relu", "recurrent_activation": "sigmoid",
                 "use_bias": true,
                 "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
                 "recurrent_initializer": {"module": "keras.initializers", "class_name": "Orthogonal", "config": {"gain": 1.0, "seed": null}, "registered_name": null},
                 "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                 "unit_forget_bias": true, "kernel_regularizer": null, "recurrent_regularizer": null, "bias_regularizer": null,
                 "activity_regularizer": null, "kernel_constraint": null, "recurrent_constraint": null, "bias_constraint": null,
                 "dropout": 0.1, "recurrent_dropout": 0.0, "seed": 7},
                 "registered_name": null, "build_config": {"input_shape": [null, 4, 2, 9, 6]}}
                """;

            var layer = Assert.IsType<ConvLSTM2D>(Layer.Deserialize(json));

            Assert.True(layer.Built);
            Assert.Equal((DataFormat.ChannelsFirst, true, "relu", 0.1, 7L), (layer.DataFormat, layer.GoBackwards, layer.Activation.Name, layer.Dropout, layer.Seed!.Value));
            Assert.Equal(new long[] { 3, 2, 2, 12 }, layer.Kernel!.shape);
            Assert.Equal(new long[] { 2, 3, 4, 5 }, layer.Apply(randn(new long[] { 2, 4, 2, 9, 6 })).shape);
            var kerasKeys = System.Text.Json.Nodes.JsonNode.Parse(json)!["config"]!.AsObject().Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal);
            Assert.Equal(kerasKeys, layer.GetConfig().Keys.OrderBy(k => k, StringComparer.Ordinal));
        }

        [Theory]
        [InlineData("filters=0")]
        [InlineData("kernel_size=(0, 3)")]
        [InlineData("padding='causal'")]
        [InlineData("data_format=7")]
        [InlineData("dilation_rate=(2, 2)")]
        [InlineData("recurrent_dropout=1.5")]
        [InlineData("time_major=True")]
        public void ConstructorErrorsNameTheLayerTheArgumentAndTheReceivedValue(string received)
        {
            Func<ConvLSTM2D> create = received switch
            {
                "filters=0" => () => new ConvLSTM2D(0, 3, name: "encoder"),
                "kernel_size=(0, 3)" => () => new ConvLSTM2D(2, (0, 3), name: "encoder"),
                "padding='causal'" => () => new ConvLSTM2D(2, 3, padding: Padding.Causal, name: "encoder"),
                "data_format=7" => () => new ConvLSTM2D(2, 3, dataFormat: (DataFormat)7, name: "encoder"),
                "dilation_rate=(2, 2)" => () => new ConvLSTM2D(2, 3, strides: 2, dilationRate: 2, name: "encoder"),
                "recurrent_dropout=1.5" => () => new ConvLSTM2D(2, 3, recurrentDropout: 1.5, name: "encoder"),
                _ => () => new ConvLSTM2D(2, 3, timeMajor: true, name: "encoder"),
            };

            var error = Assert.ThrowsAny<ArgumentException>(create);

            Assert.Contains("Layer 'encoder' (ConvLSTM2D)", error.Message);
            Assert.Contains(received, error.Message);
            Assert.Equal(received[..received.IndexOf('=')], KerasJson.SnakeCase(error.ParamName!));
        }

        [Fact]
        public void AnUnnamedLayerStillNamesItsClassInConstructorErrors()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ConvLSTM2D(-1, 3));
            Assert.StartsWith("Layer ConvLSTM2D: ", error.Message);
            Assert.Contains("filters=-1", error.Message);
        }

        [Fact]
        public void AFourDimensionalInputFailsNamingTheLayerAndTheShapes()
        {
            var layer = new ConvLSTM2D(2, 3, name: "clstm");

            var error = Assert.Throws<ArgumentException>(() => layer.Apply(randn(2, 8, 8, 3)));

            Assert.Contains("clstm", error.Message);
            Assert.Contains("expected rank 5", error.Message);
            Assert.Contains("(2, 8, 8, 3)", error.Message);
            var shapeError = Assert.Throws<ArgumentException>(() => layer.ComputeOutputShape(new Shape(2, 8, 8, 3)));
            Assert.Contains("'clstm' (ConvLSTM2D) expects inputs of rank 5", shapeError.Message);
        }

        [Fact]
        public void AnInputSmallerThanTheWindowFailsNamingTheLayerAndTheShapes()
        {
            var layer = new ConvLSTM2D(2, 3, name: "small");

            var error = Assert.Throws<ArgumentException>(() => layer.Apply(randn(new long[] { 2, 4, 2, 8, 1 })));

            Assert.Contains("'small' (ConvLSTM2D)", error.Message);
            Assert.Contains("input_shape=(2, 4, 2, 8, 1)", error.Message);
            Assert.Contains("kernel_size=(3, 3)", error.Message);
            Assert.False(layer.Built);
        }

        [Fact]
        public void InitialStatesOfTheWrongShapeFailNamingTheExpectedShape()
        {
            var layer = new ConvLSTM2D(3, 3, name: "init");
            var x = randn(new long[] { 2, 3, 6, 5, 2 });

            var error = Assert.Throws<ArgumentException>(() => layer.Apply(new[] { x, zeros(2, 4, 3, 3), zeros(2, 3) }));

            Assert.Contains("'init' (ConvLSTM2D)", error.Message);
            Assert.Contains("(batch, rows, cols, filters) = (2, 4, 3, 3)", error.Message);
            Assert.Contains("(2, 3)", error.Message);
        }

        private static Tensor ChannelsLast(Tensor y, bool channelsFirst)
            => !channelsFirst ? y : y.ndim == 5 ? y.permute(0, 1, 3, 4, 2) : y.permute(0, 2, 3, 1);

        /// <summary>
        /// Keras's ConvLSTM cell on channels-last tensors, written out gate by gate: each gate's block of the kernels
        /// sliced by hand and convolved with <c>conv2d</c> (the kernel permuted to libtorch's layout), TensorFlow's
        /// <c>same</c> padding computed here, the recurrent convolution with stride 1 and <c>same</c> padding.
        /// </summary>
        private sealed class ReferenceCell
        {
            private readonly Tensor _kernel;
            private readonly Tensor _recurrentKernel;
            private readonly Tensor? _bias;
            private readonly int _stride;
            private readonly Padding _padding;
            private readonly int _dilation;
            private readonly Func<Tensor, Tensor> _gate;
            private readonly Tensor[]? _inputMasks;
            private readonly Tensor[]? _recurrentMasks;
            private readonly long _filters;

            public ReferenceCell(Tensor kernel, Tensor recurrentKernel, Tensor? bias, int stride, Padding padding, int dilation,
                string recurrentActivation, Tensor[]? inputMasks = null, Tensor[]? recurrentMasks = null)
            {
                (_kernel, _recurrentKernel, _bias) = (kernel.detach(), recurrentKernel.detach(), bias?.detach());
                (_stride, _padding, _dilation, _inputMasks, _recurrentMasks) = (stride, padding, dilation, inputMasks, recurrentMasks);
                _filters = recurrentKernel.shape[2];
                _gate = recurrentActivation == "hard_sigmoid" ? v => (v / 6 + 0.5).clamp(0, 1) : sigmoid;
            }

            public Tensor[] ZeroStates(Tensor x)
            {
                var probe = Conv(x.select(1, 0), _kernel.narrow(3, 0, _filters), _stride, _dilation, _padding == Padding.Same);
                return new[] { zeros_like(probe), zeros_like(probe) };
            }

            public Tensor[] Step(Tensor x, Tensor[] states)
            {
                var (h, c) = (states[0], states[1]);
                Tensor Pre(int g)
                {
                    var xg = _inputMasks is null ? x : x * _inputMasks[g];
                    var hg = _recurrentMasks is null ? h : h * _recurrentMasks[g];
                    var pre = Conv(xg, _kernel.narrow(3, g * _filters, _filters), _stride, _dilation, _padding == Padding.Same)
                        + Conv(hg, _recurrentKernel.narrow(3, g * _filters, _filters), 1, 1, same: true);
                    return _bias is null ? pre : pre + _bias.narrow(0, g * _filters, _filters);
                }
                var i = _gate(Pre(0));
                var f = _gate(Pre(1));
                var candidate = tanh(Pre(2));
                var o = _gate(Pre(3));
                var newC = f * c + i * candidate;
                return new[] { o * tanh(newC), newC };
            }

            private static Tensor Conv(Tensor nhwc, Tensor kernel, int stride, int dilation, bool same)
            {
                var x = nhwc.permute(0, 3, 1, 2);
                if (same)
                {
                    long Total(long n, long k) => Math.Max(((n + stride - 1) / stride - 1) * stride + (k - 1) * dilation + 1 - n, 0);
                    long rows = Total(x.shape[2], kernel.shape[0]), cols = Total(x.shape[3], kernel.shape[1]);
                    x = nn.functional.pad(x, new[] { cols / 2, cols - cols / 2, rows / 2, rows - rows / 2 });
                }
                var weight = kernel.permute(3, 2, 0, 1);
                return nn.functional.conv2d(x, weight, strides: new long[] { stride, stride }, dilation: new long[] { dilation, dilation })
                    .permute(0, 2, 3, 1);
            }
        }
    }
}
