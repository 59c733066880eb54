using Microsoft.ML.Layers.TestFramework;
using System;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Optimizers;
using Xunit;
using static TorchSharp.torch;
using R = Microsoft.ML.Layers.Tests.Layers.Recurrent.RecurrentReference;

namespace Microsoft.ML.Layers.Tests.Layers.Recurrent
{
    /// <summary>Keras's <c>initial_state</c>: the states passed after the sequence in a list call.</summary>
    public sealed class RecurrentInitialStateTests
    {
        [Fact]
        public void AnLstmStartsFromTheGivenHAndC()
        {
            var lstm = new LSTM(3, returnSequences: true, returnState: true);
            lstm.EnsureBuilt(new Shape(2, 4, 5));
            lstm.SetWeights(R.RandomWeights(lstm));
            var x = randn(2, 4, 5);
            var h0 = randn(2, 3);
            var c0 = randn(2, 3);

            var outputs = lstm.ApplyAll(new[] { x, h0, c0 });

            var (expected, states) = R.Run(x, new[] { h0, c0 }, R.Lstm(lstm.Kernel!, lstm.RecurrentKernel!, lstm.Bias!));
            TensorAssert.Close(expected, outputs[0], 1e-5, 1e-5, "sequence");
            TensorAssert.Close(states[0], outputs[1], 1e-5, 1e-5, "h");
            TensorAssert.Close(states[1], outputs[2], 1e-5, 1e-5, "c");
        }

        [Fact]
        public void AGruStartsFromTheGivenState()
        {
            var gru = new GRU(3, returnSequences: true);
            gru.EnsureBuilt(new Shape(2, 4, 5));
            gru.SetWeights(R.RandomWeights(gru));
            var x = randn(2, 4, 5);
            var h0 = randn(2, 3);

            var y = gru.Apply(new[] { x, h0 });

            var (expected, _) = R.Run(x, new[] { h0 }, R.Gru(gru.Kernel!, gru.RecurrentKernel!, gru.Bias!, resetAfter: true));
            TensorAssert.Close(expected, y, 1e-5, 1e-5, "sequence");
        }

        [Fact]
        public void AWrongNumberOfInitialStatesFailsNamingTheLayer()
        {
            var lstm = new LSTM(3, name: "decoder");

            var error = Assert.Throws<ArgumentException>(() => lstm.Apply(new[] { randn(2, 4, 5), randn(2, 3) }));

            Assert.Contains("'decoder'", error.Message);
            Assert.Contains("2 tensor(s) of shape (batch, units) = (2, 3)", error.Message);
        }

        [Fact]
        public void AnInitialStateOfTheWrongSizeFailsNamingTheLayer()
        {
            var gru = new GRU(3, name: "decoder");

            var error = Assert.Throws<ArgumentException>(() => gru.Apply(new[] { randn(2, 4, 5), randn(2, 4) }));

            Assert.Contains("'decoder'", error.Message);
            Assert.Contains("(2, 4)", error.Message);
        }

        [Fact]
        public void BidirectionalGivesTheFirstHalfOfTheStatesForwardAndTheSecondHalfBackward()
        {
            var bi = new Bidirectional(new GRU(3), mergeMode: MergeMode.None);
            var x = randn(2, 4, 5);
            var forwardState = randn(2, 3);
            var backwardState = randn(2, 3);

            var both = bi.ApplyAll(new[] { x, forwardState, backwardState });

            TensorAssert.Close(bi.ForwardLayer.Apply(new[] { x, forwardState }), both[0], 1e-5, 1e-5, "forward");
            TensorAssert.Close(bi.BackwardLayer.Apply(new[] { x, backwardState }), both[1], 1e-5, 1e-5, "backward");
            Assert.False(both[0].allclose(bi.ForwardLayer.Apply(x)), "the given state matters");
        }

        [Fact]
        public void TheConfigOfALayerCalledWithStatesRecordsTheSequenceShapeAsKerasDoes()
        {
            var lstm = new LSTM(3);
            lstm.Apply(new[] { randn(2, 4, 5), randn(2, 3), randn(2, 3) });

            var build = JsonNode.Parse(lstm.ToJson())!["build_config"]!["input_shape"]!;
            var copy = (LSTM)Layer.Deserialize(lstm.ToJson());

            Assert.Equal("[null,4,5]", build.ToJsonString());
            Assert.Equal(new long[] { 5, 12 }, copy.Kernel!.shape);
        }

        [Fact]
        public void AFunctionalEncoderDecoderPassesTheEncoderStatesAndTrainsTheEncoderThroughThem()
        {
            manual_seed(8);
            var source = Input.Create(new Shape(6, 2), name: "source");
            var target = Input.Create(new Shape(4, 3), name: "target");
            var encoder = new LSTM(5, returnState: true, name: "encoder");
            var decoder = new LSTM(5, returnSequences: true, name: "decoder");
            var encoded = encoder.ApplyAll(source);
            var decoded = decoder.ApplyAll(new[] { target, encoded[1], encoded[2] })[0];
            var model = new Model(new[] { source, target }, new[] { new TimeDistributed(new Dense(1)).Apply(decoded) });
            var xs = randn(8, 6, 2);
            var xt = randn(8, 4, 3);

            var encoderStates = encoder.ApplyAll(xs);
            var direct = decoder.Apply(new[] { xt, encoderStates[1], encoderStates[2] });
            Assert.False(direct.allclose(decoder.Apply(xt)), "the encoder's states reach the decoder");

            var before = encoder.Kernel!.detach().clone();
            model.Compile(new Adam(0.01), "mse");
            model.Fit(new[] { xs, xt }, new[] { randn(8, 4, 1) }, batchSize: 8, epochs: 1, verbose: 0);
            Assert.False(encoder.Kernel!.equal(before).all().item<bool>(), "the loss reaches the encoder through the states");
        }
    }
}
