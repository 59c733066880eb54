using System;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;
using R = Microsoft.ML.Layers.Tests.Layers.Recurrent.RecurrentReference;

namespace Microsoft.ML.Layers.Tests.Layers.Recurrent
{
    public sealed class BidirectionalTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Bidirectional(new LSTM(3, returnSequences: true, dtype: dtype), dtype: dtype),
            InputShapes = new Shape[] { new(4, 5, 2) },
            ExpectedTrainableWeights = 6,
            ExpectedOutputShape = new Shape(4, 5, 6),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 5),
        });

        [Fact]
        public void PassesTheSharedLayerCheckSummingTheLastOutputs() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Bidirectional(new GRU(3, dtype: dtype), mergeMode: MergeMode.Sum, dtype: dtype),
            InputShapes = new Shape[] { new(4, 5, 2) },
            ExpectedTrainableWeights = 6,
            ExpectedOutputShape = new Shape(4, 3),
            ExpectedSupportsMasking = true,
        });

        /// <summary>A Bidirectional layer and, with its weights, a plain forward LSTM and a plain go_backwards LSTM.</summary>
        private static (Bidirectional Bi, LSTM Forward, LSTM Backward) Setup(MergeMode mergeMode, bool returnSequences = true, bool returnState = false)
        {
            var bi = new Bidirectional(new LSTM(3, returnSequences: returnSequences, returnState: returnState), mergeMode: mergeMode);
            bi.EnsureBuilt(new Shape(2, 5, 4));
            manual_seed(5);
            bi.SetWeights(bi.Weights.Select(w => (Array)WeightArrays.ToArray(randn(w.shape) * 0.5f)).ToArray());
            var weights = bi.GetWeights();
            var forward = new LSTM(3, returnSequences: returnSequences, returnState: returnState);
            var backward = new LSTM(3, returnSequences: returnSequences, returnState: returnState, goBackwards: true);
            forward.EnsureBuilt(new Shape(2, 5, 4));
            backward.EnsureBuilt(new Shape(2, 5, 4));
            forward.SetWeights(weights.Take(3).ToList());
            backward.SetWeights(weights.Skip(3).ToList());
            return (bi, forward, backward);
        }

        [Theory]
        [InlineData(MergeMode.Concat)]
        [InlineData(MergeMode.Sum)]
        [InlineData(MergeMode.Multiply)]
        [InlineData(MergeMode.Average)]
        public void MergesTheForwardOutputWithTheBackwardOutputPutBackInTimeOrder(MergeMode mergeMode)
        {
            var (bi, forward, backward) = Setup(mergeMode);
            var x = randn(2, 5, 4);

            var y = bi.Apply(x);

            var f = forward.Apply(x);
            var b = backward.Apply(x).flip(1);
            var expected = mergeMode switch
            {
                MergeMode.Concat => cat(new[] { f, b }, -1),
                MergeMode.Sum => f + b,
                MergeMode.Multiply => f * b,
                _ => (f + b) * 0.5,
            };
            TensorAssert.Close(expected, y, 1e-5, 1e-5, mergeMode.ToString());
        }

        [Fact]
        public void TheBackwardDirectionIsTheCellRunFromTheLastStep()
        {
            var (bi, _, _) = Setup(MergeMode.Concat);
            var x = randn(2, 5, 4);
            var backwardLayer = (LSTM)bi.BackwardLayer;

            var y = bi.Apply(x);

            var (reversed, _) = R.Run(x, R.Zeros(2, 3, 2), R.Lstm(backwardLayer.Kernel!, backwardLayer.RecurrentKernel!, backwardLayer.Bias!), backwards: true);
            TensorAssert.Close(reversed.flip(1), y.narrow(-1, 3, 3), 1e-5, 1e-5, "backward half");
        }

        [Fact]
        public void WithoutAMergeModeReturnsBothOutputs()
        {
            var (bi, forward, backward) = Setup(MergeMode.None);
            var x = randn(2, 5, 4);

            var outputs = bi.ApplyAll(x);

            Assert.Equal(2, outputs.Count);
            TensorAssert.Close(forward.Apply(x), outputs[0], 1e-5, 1e-5, "forward");
            TensorAssert.Close(backward.Apply(x).flip(1), outputs[1], 1e-5, 1e-5, "backward");
        }

        [Fact]
        public void ReturnStateAppendsTheForwardStatesThenTheBackwardStates()
        {
            var (bi, forward, backward) = Setup(MergeMode.Concat, returnSequences: false, returnState: true);
            var x = randn(2, 5, 4);

            var outputs = bi.ApplyAll(x);

            var f = forward.ApplyAll(x);
            var b = backward.ApplyAll(x);
            Assert.Equal(5, outputs.Count);
            TensorAssert.Close(cat(new[] { f[0], b[0] }, -1), outputs[0], 1e-5, 1e-5, "output");
            TensorAssert.Close(f[1], outputs[1], 1e-5, 1e-5, "forward h");
            TensorAssert.Close(f[2], outputs[2], 1e-5, 1e-5, "forward c");
            TensorAssert.Close(b[1], outputs[3], 1e-5, 1e-5, "backward h");
            TensorAssert.Close(b[2], outputs[4], 1e-5, 1e-5, "backward c");
        }

        [Fact]
        public void ReturningSequencesBothDirectionsOutputZerosAtMaskedSteps()
        {
            var (bi, _, _) = Setup(MergeMode.None);
            var x = randn(2, 5, 4);
            var mask = tensor(new[] { true, true, true, false, false, true, true, true, true, true }, 2, 5);

            var outputs = bi.ApplyAll(x, mask: mask);

            Assert.True(bi.ForwardLayer.ZeroOutputForMask && bi.BackwardLayer.ZeroOutputForMask);
            Assert.Equal(0f, outputs[0][0, 3..].abs().max().item<float>());
            Assert.Equal(0f, outputs[1][0, 3..].abs().max().item<float>());
            Assert.True(KerasMask.Get(outputs[0])!.equal(mask).all().item<bool>());
            Assert.True(KerasMask.Get(outputs[1])!.equal(mask).all().item<bool>());
        }

        [Fact]
        public void NamesTheCopiesForwardAndBackwardAndOrdersTheirWeightsSo()
        {
            var bi = new Bidirectional(new GRU(2, name: "gru_enc"));
            bi.EnsureBuilt(new Shape(1, 3, 2));

            Assert.Equal(("forward_gru_enc", false), (bi.ForwardLayer.Name, bi.ForwardLayer.GoBackwards));
            Assert.Equal(("backward_gru_enc", true), (bi.BackwardLayer.Name, bi.BackwardLayer.GoBackwards));
            Assert.Equal(new[] { "forward_gru_enc/kernel", "forward_gru_enc/recurrent_kernel", "forward_gru_enc/bias",
                "backward_gru_enc/kernel", "backward_gru_enc/recurrent_kernel", "backward_gru_enc/bias" }, bi.Weights.Select(w => w.Path));
        }

        [Fact]
        public void UsesAGivenBackwardLayerAsIs()
        {
            var backward = new LSTM(3, activation: "relu", goBackwards: true, name: "custom_back");
            var bi = new Bidirectional(new LSTM(3), backwardLayer: backward);

            Assert.Same(backward, bi.BackwardLayer);
            Assert.Equal(new long[] { 2, 6 }, bi.Apply(randn(2, 4, 5)).shape);
        }

        [Fact]
        public void RejectsAnUnknownMergeModeWithTheReceivedValue()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Bidirectional(new LSTM(2), mergeMode: (MergeMode)9));
            Assert.Contains("merge_mode=9", error.Message);
        }

        [Fact]
        public void RejectsABackwardLayerGoingTheSameWay()
        {
            var error = Assert.Throws<ArgumentException>(() => new Bidirectional(new LSTM(2), backwardLayer: new LSTM(2)));
            Assert.Contains("go_backwards", error.Message);
        }

        [Fact]
        public void RejectsALayerThatIsNotRecurrent()
        {
            var error = Assert.Throws<ArgumentException>(() => new Bidirectional(new Dense(2)));
            Assert.Contains("Received: layer=", error.Message);
        }

        [Fact]
        public void ConfigNestsBothLayerConfigsTheKerasWay()
        {
            var bi = new Bidirectional(new SimpleRNN(2, returnSequences: true, name: "rnn"), mergeMode: MergeMode.Average, name: "bi");
            bi.EnsureBuilt(new Shape(Shape.Unknown, 3, 4));

            var json = JsonNode.Parse(bi.ToJson())!;

            var config = json["config"]!;
            Assert.Equal("ave", (string?)config["merge_mode"]);
            Assert.Equal("SimpleRNN", (string?)config["layer"]!["class_name"]);
            Assert.Equal("forward_rnn", (string?)config["layer"]!["config"]!["name"]);
            Assert.True((bool)config["layer"]!["config"]!["zero_output_for_mask"]!);
            Assert.Equal("backward_rnn", (string?)config["backward_layer"]!["config"]!["name"]);
            Assert.True((bool)config["backward_layer"]!["config"]!["go_backwards"]!);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            string Lstm(string name, bool backwards) => $$$"""
                {"module": "keras.layers", "class_name": "LSTM", "config": {"name": "{{{name}}}", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "return_sequences": true, "return_state": false, "go_backwards": {{{(backwards ? "true" : "false")}}}, "stateful": false,
                 "unroll": false, "zero_output_for_mask": true, "units": 4, "activation": "tanh", "recurrent_activation": "sigmoid",
                 "use_bias": true,
                 "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
                 "recurrent_initializer": {"module": "keras.initializers", "class_name": "Orthogonal", "config": {"gain": 1.0, "seed": null}, "registered_name": null},
                 "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                 "unit_forget_bias": true, "kernel_regularizer": null, "recurrent_regularizer": null, "bias_regularizer": null,
                 "activity_regularizer": null, "kernel_constraint": null, "recurrent_constraint": null, "bias_constraint": null,
                 "dropout": 0.0, "recurrent_dropout": 0.0, "seed": null},
                 "registered_name": null, "build_config": {"input_shape": [null, 6, 3]}}
                """;
            string json = $$$"""
                {"module": "keras.layers", "class_name": "Bidirectional", "config": {"name": "bidirectional", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "merge_mode": "concat", "layer": {{{Lstm("forward_lstm", false)}}}, "backward_layer": {{{Lstm("backward_lstm", true)}}}},
                 "registered_name": null, "build_config": {"input_shape": [null, 6, 3]}}
                """;

            var bi = Assert.IsType<Bidirectional>(Layer.Deserialize(json));

            Assert.Equal(("bidirectional", MergeMode.Concat), (bi.Name, bi.MergeMode));
            Assert.Equal(("forward_lstm", "backward_lstm"), (bi.ForwardLayer.Name, bi.BackwardLayer.Name));
            Assert.True(bi.Built);
            Assert.Equal(6, bi.Weights.Count);
            Assert.Equal(new long[] { 2, 6, 8 }, bi.Apply(randn(2, 6, 3)).shape);
        }

        [Fact]
        public void TheGeneratedBackwardLayerFlipsTheWrappedLayersDirection()
        {
            // Keras copies the layer with go_backwards negated: wrapping a layer that already goes backwards gives a forward copy.
            var bi = new Bidirectional(new LSTM(2, goBackwards: true));
            var x = randn(2, 5, 3);

            var y = bi.Apply(x);

            Assert.True(bi.ForwardLayer.GoBackwards);
            Assert.False(bi.BackwardLayer.GoBackwards);
            var forward = (LSTM)bi.ForwardLayer;
            var backward = (LSTM)bi.BackwardLayer;
            var expectedForward = R.Run(x, R.Zeros(2, 2, 2), R.Lstm(forward.Kernel!, forward.RecurrentKernel!, forward.Bias!), backwards: true).Outputs.select(1, -1);
            var expectedBackward = R.Run(x, R.Zeros(2, 2, 2), R.Lstm(backward.Kernel!, backward.RecurrentKernel!, backward.Bias!)).Outputs.select(1, -1);
            TensorAssert.Close(cat(new[] { expectedForward, expectedBackward }, 1), y, 1e-5, 1e-5, "Bidirectional(LSTM(go_backwards=True))");
        }

        [Fact]
        public void WrapsAConvLstm2DOverItsRankFiveSequences()
        {
            var bi = new Bidirectional(new ConvLSTM2D(3, 3, padding: Padding.Same));

            var y = bi.Apply(randn(new long[] { 2, 4, 6, 5, 2 }));

            Assert.Equal(new long[] { 2, 6, 5, 6 }, y.shape);
            Assert.Equal(new Shape(-1, 6, 5, 6), bi.ComputeOutputShape(new Shape(-1, 4, 6, 5, 2)));
            var error = Assert.Throws<ArgumentException>(() => new Bidirectional(new ConvLSTM2D(3, 3)).Apply(randn(new long[] { 2, 4, 6 })));
            Assert.Contains("expected rank 5", error.Message);
        }

        /// <summary>
        /// Embedding(maskZero) into Bidirectional in a functional model: building the graph used to fail (the wrapper handed the
        /// mask to its inner layers on the symbolic stand-ins). A padded row must give what the unpadded row gives, as in Keras.
        /// </summary>
        [Fact]
        public void AFunctionalModelWithAMaskedBidirectionalBuildsAndSkipsThePaddedSteps()
        {
            manual_seed(11);
            var input = Input.Create(new Shape(4), dtype: ScalarType.Int64, name: "tokens");
            var embedded = new Embedding(10, 3, maskZero: true, name: "embedded").Apply(input);
            var encoded = new Bidirectional(new LSTM(2, name: "inner"), name: "both_ways").Apply(embedded);
            var model = new Model(input, encoded);

            using var padded = tensor(new long[] { 3, 7, 0, 0 }).reshape(1, 4);
            using var unpaddedInput = tensor(new long[] { 3, 7 }).reshape(1, 2);
            var fromPadded = model.Apply(padded, training: false);
            // The same layers run eagerly on the row without its padding.
            var bidirectional = (Bidirectional)model.GetLayer("both_ways");
            var fromUnpadded = bidirectional.Apply(model.GetLayer("embedded").Apply(unpaddedInput), training: false);
            TensorAssert.Close(fromUnpadded, fromPadded, 1e-5, 1e-6, "padded vs unpadded row");
        }
    }
}
