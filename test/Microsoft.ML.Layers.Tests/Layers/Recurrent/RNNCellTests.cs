using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Import;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.TestFramework;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Recurrent
{
    /// <summary>Keras's <c>MinimalRNNCell</c> from its RNN guide, written as a user would: <c>h = x @ kernel + h_prev @ recurrent_kernel</c>.</summary>
    [RegisterLayer("TestMinimalRNNCell")]
    public sealed class TestMinimalRNNCell : RecurrentCell
    {
        public TestMinimalRNNCell(int units, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype) => Units = units;

        public int Units { get; }

        public Parameter? Kernel { get; private set; }

        public Parameter? RecurrentKernel { get; private set; }

        public override IReadOnlyList<int> StateSize => new[] { Units };

        protected override void Build(Shape inputShape)
        {
            Kernel = AddWeight("kernel", new Shape(inputShape[^1], Units), Initializer.GlorotUniform());
            RecurrentKernel = AddWeight("recurrent_kernel", new Shape(Units, Units), Initializer.Orthogonal());
        }

        public override (Tensor Output, IReadOnlyList<Tensor> States) Call(Tensor input, IReadOnlyList<Tensor> states, bool? training = null)
        {
            var h = input.matmul(Kernel!) + states[0].matmul(RecurrentKernel!);
            return (h, new[] { h });
        }

        public override LayerConfig GetConfig() => base.GetConfig().With("units", Units);
    }

    /// <summary>A user cell with Keras's cell dropout through <see cref="RecurrentCell"/>'s helpers; it records the masks of each
    /// step: <c>h = (x * m) @ kernel + (h_prev * r) @ recurrent_kernel</c>.</summary>
    public sealed class TestDropoutCell : RecurrentCell
    {
        public TestDropoutCell(int units, double dropout, double recurrentDropout, long? seed)
            : base(null, true, null) => (Units, Dropout, RecurrentDropout, Seed) = (units, dropout, recurrentDropout, seed);

        public int Units { get; }

        public double Dropout { get; }

        public double RecurrentDropout { get; }

        public long? Seed { get; }

        public Parameter? Kernel { get; private set; }

        public Parameter? RecurrentKernel { get; private set; }

        /// <summary>Each step's (input mask, recurrent mask), as the step saw them (copies).</summary>
        public List<(Tensor? Input, Tensor? Recurrent)> Seen { get; } = new();

        public override IReadOnlyList<int> StateSize => new[] { Units };

        protected override long? DropoutSeed => Seed;

        protected override void Build(Shape inputShape)
        {
            Kernel = AddWeight("kernel", new Shape(inputShape[^1], Units), Initializer.GlorotUniform());
            RecurrentKernel = AddWeight("recurrent_kernel", new Shape(Units, Units), Initializer.Orthogonal());
        }

        public override (Tensor Output, IReadOnlyList<Tensor> States) Call(Tensor input, IReadOnlyList<Tensor> states, bool? training = null)
        {
            var m = training == true && Dropout > 0 ? GetDropoutMasks(input, Dropout)[0] : null;
            var r = training == true && RecurrentDropout > 0 ? GetRecurrentDropoutMasks(states[0], RecurrentDropout)[0] : null;
            Seen.Add((m?.clone().DetachFromDisposeScope(), r?.clone().DetachFromDisposeScope()));
            var h = (m is null ? input : input * m).matmul(Kernel!) + (r is null ? states[0] : states[0] * r).matmul(RecurrentKernel!);
            return (h, new[] { h });
        }
    }

    /// <summary>
    /// <see cref="RNN"/> with cells: the built-in cells against the layers they are folded into (same weights, outputs, states and
    /// gradients, masks included), stacked cells against stacked layers, a user cell against its maths written in TorchSharp,
    /// <see cref="Bidirectional"/>, initial states, stateful calls, configs and Keras imports.
    /// </summary>
    public sealed class RNNCellTests
    {
        private const double Tol = 1e-5;

        private static (RecurrentLayer Layer, RecurrentCell Cell) Pair(string kind, int units, bool returnSequences, bool returnState,
            bool goBackwards) => kind switch
        {
            "SimpleRNN" => (new SimpleRNN(units, returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards),
                new SimpleRNNCell(units)),
            "LSTM" => (new LSTM(units, returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards), new LSTMCell(units)),
            "GRU" => (new GRU(units, returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards), new GRUCell(units)),
            "GRU reset before" => (new GRU(units, resetAfter: false, returnSequences: returnSequences, returnState: returnState,
                goBackwards: goBackwards), new GRUCell(units, resetAfter: false)),
            _ => throw new ArgumentException($"No recurrent layer '{kind}'.", nameof(kind)),
        };

        /// <summary>A mask that is not right-padded (a hole in the middle, a row starting masked), and a right-padded one.</summary>
        private static Tensor? MaskOf(string mask) => mask switch
        {
            "none" => null,
            "holes" => tensor(new[] { true, false, true, true, false, true, false, false, true, true, true, true, true, true, true, true, true, true },
                new long[] { 3, 6 }),
            "right-padded" => tensor(new[] { true, true, true, false, false, false, true, true, true, true, true, true, true, false, false, false, false, false },
                new long[] { 3, 6 }),
            _ => throw new ArgumentException(mask),
        };

        [Theory]
        [InlineData("SimpleRNN", "none", false)]
        [InlineData("SimpleRNN", "holes", true)]
        [InlineData("LSTM", "none", false)]
        [InlineData("LSTM", "holes", false)]
        [InlineData("LSTM", "right-padded", true)]
        [InlineData("GRU", "none", true)]
        [InlineData("GRU", "holes", false)]
        [InlineData("GRU", "right-padded", false)]
        [InlineData("GRU reset before", "none", false)]
        [InlineData("GRU reset before", "holes", true)]
        public void CellInRnnGivesTheLayersOutputsStatesAndGradientsOnTheSameWeights(string kind, string maskKind, bool goBackwards)
        {
            manual_seed(7);
            var (layer, cell) = Pair(kind, 4, returnSequences: true, returnState: true, goBackwards);
            var rnn = new RNN(cell, returnSequences: true, returnState: true, goBackwards: goBackwards);
            layer.EnsureBuilt(new Shape(3, 6, 5));
            rnn.EnsureBuilt(new Shape(3, 6, 5));
            layer.SetWeights(RecurrentReference.RandomWeights(layer));
            rnn.SetWeights(layer.GetWeights());
            var mask = MaskOf(maskKind);
            var xLayer = randn(3, 6, 5).requires_grad_(true);
            var xRnn = xLayer.detach().clone().requires_grad_(true);
            var probe = randn(3, 6, 4);

            var expected = layer.ApplyAll(xLayer, mask: mask);
            var actual = rnn.ApplyAll(xRnn, mask: mask);

            Assert.Equal(expected.Count, actual.Count);
            for (int i = 0; i < expected.Count; i++)
                TensorAssert.Close(expected[i], actual[i], Tol, Tol, $"{kind} output {i}");
            (expected[0] * probe).sum().add(expected.Skip(1).Select(s => s.sum()).Aggregate((a, b) => a + b)).backward();
            (actual[0] * probe).sum().add(actual.Skip(1).Select(s => s.sum()).Aggregate((a, b) => a + b)).backward();
            TensorAssert.Close(xLayer.grad!, xRnn.grad!, Tol, Tol, "input gradient");
            for (int i = 0; i < layer.Weights.Count; i++)
                TensorAssert.Close(layer.Weights[i].grad!, rnn.Weights[i].grad!, 1e-4, 1e-5, $"gradient of {layer.Weights[i].Name}");
        }

        [Theory]
        [InlineData("SimpleRNN", 1, new long[] { 3 })]
        [InlineData("LSTM", 4, new long[] { 12 })]
        [InlineData("GRU", 3, new long[] { 2, 9 })]
        [InlineData("GRU reset before", 3, new long[] { 9 })]
        public void CellsHaveKerasWeightNamesLayoutAndOrder(string kind, int gates, long[] biasShape)
        {
            var (_, cell) = Pair(kind, 3, false, false, false);
            cell.EnsureBuilt(new Shape(Shape.Unknown, 5));

            Assert.Equal(new[] { "kernel", "recurrent_kernel", "bias" }, cell.Weights.Select(w => w.Name));
            Assert.Equal(new[] { new Shape(5, 3 * gates), new Shape(3, 3 * gates), new Shape(biasShape) }, cell.Weights.Select(w => w.Shape));
        }

        [Fact]
        public void LstmCellStartsTheForgetGateBiasAtOneAsLstmDoes()
        {
            var cell = new LSTMCell(2);
            cell.EnsureBuilt(new Shape(1, 3));
            Assert.Equal(new float[] { 0, 0, 1, 1, 0, 0, 0, 0 }, cell.Bias!.data<float>().ToArray());
        }

        [Fact]
        public void InitialStatesStartTheCellAsTheyStartTheLayer()
        {
            var lstm = new LSTM(3, returnState: true);
            var rnn = new RNN(new LSTMCell(3), returnState: true);
            lstm.EnsureBuilt(new Shape(2, 5, 4));
            rnn.EnsureBuilt(new Shape(2, 5, 4));
            rnn.SetWeights(lstm.GetWeights());
            var x = randn(2, 5, 4);
            var h0 = randn(2, 3);
            var c0 = randn(2, 3);

            var expected = lstm.ApplyAll(new[] { x, h0, c0 });
            var actual = rnn.ApplyAll(new[] { x, h0, c0 });

            Assert.Equal(3, actual.Count);
            for (int i = 0; i < 3; i++)
                TensorAssert.Close(expected[i], actual[i], Tol, Tol, $"output {i}");
            var wrong = Assert.Throws<ArgumentException>(() => rnn.Apply(new[] { x, h0 }));
            Assert.Contains("2 tensor(s)", wrong.Message);
        }

        [Fact]
        public void StackedCellsEqualTheSameLayersStacked()
        {
            var first = new LSTM(5, returnSequences: true, returnState: true);
            var second = new GRU(3, returnState: true);
            var rnn = new RNN(new StackedRNNCells(new RecurrentCell[] { new LSTMCell(5), new GRUCell(3) }), returnState: true);
            first.EnsureBuilt(new Shape(2, 6, 4));
            second.EnsureBuilt(new Shape(2, 6, 5));
            rnn.EnsureBuilt(new Shape(2, 6, 4));
            first.SetWeights(RecurrentReference.RandomWeights(first));
            second.SetWeights(RecurrentReference.RandomWeights(second));
            rnn.SetWeights(first.GetWeights().Concat(second.GetWeights()).ToList());
            var x = randn(2, 6, 4);

            var a = first.ApplyAll(x);
            var b = second.ApplyAll(a[0]);
            var actual = rnn.ApplyAll(x);

            // Output, then every cell's states in turn: h1, c1 of the LSTM, h of the GRU.
            Assert.Equal(4, actual.Count);
            TensorAssert.Close(b[0], actual[0], Tol, Tol, "output");
            TensorAssert.Close(a[1], actual[1], Tol, Tol, "LSTM h");
            TensorAssert.Close(a[2], actual[2], Tol, Tol, "LSTM c");
            TensorAssert.Close(b[1], actual[3], Tol, Tol, "GRU h");
            Assert.Equal(new[] { 5, 5, 3 }, rnn.Cell.StateSize);
            Assert.Equal(3, rnn.Cell.OutputSize);
        }

        [Theory]
        [InlineData(false, false)]
        [InlineData(true, false)]
        [InlineData(false, true)]
        public void UserCellMatchesItsMathsWrittenInTorchSharp(bool masked, bool goBackwards)
        {
            var cell = new TestMinimalRNNCell(4);
            var rnn = new RNN(cell, returnSequences: true, returnState: true, goBackwards: goBackwards);
            var x = randn(3, 6, 2);
            var mask = masked ? MaskOf("holes") : null;

            var all = rnn.ApplyAll(x, mask: mask);

            var (outputs, states) = RecurrentReference.Run(x, RecurrentReference.Zeros(3, 4),
                (input, s) => new[] { input.mm(cell.Kernel!) + s[0].mm(cell.RecurrentKernel!) }, mask, goBackwards);
            TensorAssert.Close(outputs, all[0], Tol, Tol, "sequence");
            TensorAssert.Close(states[0], all[1], Tol, Tol, "final state");
            Assert.Equal(new[] { "kernel", "recurrent_kernel" }, rnn.Weights.Select(w => w.Name));
        }

        [Fact]
        public void UserCellRoundTripsThroughItsConfigNestedAsKerasWritesIt()
        {
            var rnn = new RNN(new TestMinimalRNNCell(4), returnSequences: true, goBackwards: true);
            rnn.EnsureBuilt(new Shape(2, 3, 5));
            var json = rnn.GetConfig().ToJsonString();

            var copy = Assert.IsType<RNN>(Layer.Deserialize(json));

            Assert.Equal(4, Assert.IsType<TestMinimalRNNCell>(copy.Cell).Units);
            Assert.Equal(json, copy.GetConfig().ToJsonString());
            copy.SetWeights(rnn.GetWeights());
            var x = randn(2, 3, 5);
            TensorAssert.Close(rnn.Apply(x), copy.Apply(x), 0, 0);
        }

        [Fact]
        public void ConfigHasKerasKeysWithTheCellNested()
        {
            var rnn = new RNN(new GRUCell(2, resetAfter: false), returnState: true, name: "rnn");
            var json = System.Text.Json.Nodes.JsonNode.Parse(rnn.GetConfig().ToJsonString())!;
            var config = json["config"]!.AsObject();

            Assert.Equal("RNN", json["class_name"]!.GetValue<string>());
            Assert.Equal(new[] { "name", "trainable", "dtype", "return_sequences", "return_state", "go_backwards", "stateful", "unroll",
                "zero_output_for_mask", "cell" }, config.Select(p => p.Key));
            Assert.Equal("GRUCell", config["cell"]!["class_name"]!.GetValue<string>());
            Assert.Equal(new[] { "name", "trainable", "dtype", "units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
                "recurrent_initializer", "bias_initializer", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout", "reset_after", "seed" },
                config["cell"]!["config"]!.AsObject().Select(p => p.Key));
            var lstmKeys = System.Text.Json.Nodes.JsonNode.Parse(new LSTMCell(2).GetConfig().ToJsonString())!["config"]!.AsObject()
                .Select(p => p.Key).ToList();
            Assert.Equal(new[] { "use_bias", "unit_forget_bias", "kernel_initializer" }, lstmKeys.Skip(6).Take(3));
        }

        [Fact]
        public void BidirectionalRunsACellLikeTheLayer()
        {
            var mask = MaskOf("holes");
            var expected = new Bidirectional(new LSTM(3, returnSequences: true));
            var actual = new Bidirectional(new RNN(new LSTMCell(3), returnSequences: true));
            expected.EnsureBuilt(new Shape(3, 6, 2));
            actual.EnsureBuilt(new Shape(3, 6, 2));
            expected.SetWeights(expected.Weights.Select(w => (Array)WeightArrays.ToArray(randn(w.shape) * 0.5f)).ToList());
            actual.SetWeights(expected.GetWeights());
            var x = randn(3, 6, 2);

            TensorAssert.Close(expected.Apply(x, mask: mask), actual.Apply(x, mask: mask), Tol, Tol);
            Assert.IsType<RNN>(actual.BackwardLayer);
            Assert.True(actual.BackwardLayer.GoBackwards);
            var copy = Assert.IsType<Bidirectional>(Layer.Deserialize(actual.GetConfig().ToJsonString()));
            Assert.IsType<LSTMCell>(Assert.IsType<RNN>(copy.ForwardLayer).Cell);
        }

        [Fact]
        public void StatefulRnnCarriesTheCellsStatesToTheNextCall()
        {
            var rnn = new RNN(new LSTMCell(3), stateful: true);
            var whole = new RNN(new LSTMCell(3));
            rnn.EnsureBuilt(new Shape(2, 4, 2));
            whole.EnsureBuilt(new Shape(2, 8, 2));
            whole.SetWeights(rnn.GetWeights());
            var x = randn(2, 8, 2);

            rnn.Apply(x.narrow(1, 0, 4));
            var second = rnn.Apply(x.narrow(1, 4, 4));

            TensorAssert.Close(whole.Apply(x), second, Tol, Tol);
            Assert.Equal(2, rnn.States!.Count);
        }

        [Fact]
        public void CellAppliedAsALayerRunsOneStep()
        {
            var cell = new LSTMCell(3);
            var x = randn(2, 4);
            var h = randn(2, 3);
            var c = randn(2, 3);

            var all = cell.ApplyAll(new[] { x, h, c });

            Assert.Equal(3, all.Count);
            var expected = RecurrentReference.Lstm(cell.Kernel!, cell.RecurrentKernel!, cell.Bias!)(x, new[] { h, c });
            TensorAssert.Close(expected[0], all[0], Tol, Tol, "output");
            TensorAssert.Close(expected[1], all[2], Tol, Tol, "c");
            Assert.NotSame(all[0], all[1]);
        }

        private static (RecurrentLayer Layer, RecurrentCell Cell) DropoutPair(string kind, double dropout, double recurrentDropout,
            bool goBackwards) => kind switch
        {
            "SimpleRNN" => (new SimpleRNN(4, dropout: dropout, recurrentDropout: recurrentDropout, seed: 11, returnSequences: true,
                returnState: true, goBackwards: goBackwards), new SimpleRNNCell(4, dropout: dropout, recurrentDropout: recurrentDropout, seed: 11)),
            "LSTM" => (new LSTM(4, dropout: dropout, recurrentDropout: recurrentDropout, seed: 11, returnSequences: true, returnState: true,
                goBackwards: goBackwards), new LSTMCell(4, dropout: dropout, recurrentDropout: recurrentDropout, seed: 11)),
            "GRU" => (new GRU(4, dropout: dropout, recurrentDropout: recurrentDropout, seed: 11, returnSequences: true, returnState: true,
                goBackwards: goBackwards), new GRUCell(4, dropout: dropout, recurrentDropout: recurrentDropout, seed: 11)),
            "GRU reset before" => (new GRU(4, dropout: dropout, recurrentDropout: recurrentDropout, seed: 11, resetAfter: false,
                returnSequences: true, returnState: true, goBackwards: goBackwards),
                new GRUCell(4, dropout: dropout, recurrentDropout: recurrentDropout, seed: 11, resetAfter: false)),
            _ => throw new ArgumentException($"No recurrent layer '{kind}'.", nameof(kind)),
        };

        /// <summary>
        /// With the same weights and seed, the cell and its layer draw the same masks in the same order (input masks, then
        /// recurrent ones; one per gate with a recurrent dropout) from generators kept across calls: each of two training calls
        /// gives the layer's outputs, states and gradients; the two calls differ (new masks), and both differ from inference.
        /// </summary>
        [Theory]
        [InlineData("SimpleRNN", 0.3, 0.0, "none", false)]
        [InlineData("SimpleRNN", 0.3, 0.4, "holes", true)]
        [InlineData("LSTM", 0.3, 0.0, "none", false)]
        [InlineData("LSTM", 0.0, 0.4, "none", true)]
        [InlineData("LSTM", 0.3, 0.4, "holes", false)]
        [InlineData("GRU", 0.3, 0.0, "right-padded", false)]
        [InlineData("GRU", 0.3, 0.4, "none", true)]
        [InlineData("GRU reset before", 0.3, 0.4, "holes", false)]
        [InlineData("GRU reset before", 0.0, 0.4, "none", false)]
        public void CellDropoutInTrainingGivesTheLayersOutputsAndGradientsWithTheSameSeed(string kind, double dropout,
            double recurrentDropout, string maskKind, bool goBackwards)
        {
            manual_seed(5);
            var (layer, cell) = DropoutPair(kind, dropout, recurrentDropout, goBackwards);
            var rnn = new RNN(cell, returnSequences: true, returnState: true, goBackwards: goBackwards);
            layer.EnsureBuilt(new Shape(3, 6, 5));
            rnn.EnsureBuilt(new Shape(3, 6, 5));
            layer.SetWeights(RecurrentReference.RandomWeights(layer));
            rnn.SetWeights(layer.GetWeights());
            var mask = MaskOf(maskKind);
            var x = randn(3, 6, 5);
            var probe = randn(3, 6, 4);
            var inference = rnn.Apply(x, mask: mask);

            var firstOutputs = new List<Tensor>();
            for (int call = 0; call < 2; call++)
            {
                foreach (var w in layer.Weights.Concat(rnn.Weights))
                    w.grad?.zero_();
                var xLayer = x.clone().requires_grad_(true);
                var xRnn = x.clone().requires_grad_(true);
                var expected = layer.ApplyAll(xLayer, training: true, mask: mask);
                var actual = rnn.ApplyAll(xRnn, training: true, mask: mask);

                Assert.Equal(expected.Count, actual.Count);
                for (int i = 0; i < expected.Count; i++)
                    TensorAssert.Close(expected[i], actual[i], Tol, Tol, $"{kind} call {call} output {i}");
                Assert.False(allclose(actual[0], inference, 1e-3, 1e-3), $"{kind} call {call}: training dropout changed nothing");
                (expected[0] * probe).sum().add(expected.Skip(1).Select(s => s.sum()).Aggregate((a, b) => a + b)).backward();
                (actual[0] * probe).sum().add(actual.Skip(1).Select(s => s.sum()).Aggregate((a, b) => a + b)).backward();
                TensorAssert.Close(xLayer.grad!, xRnn.grad!, Tol, Tol, $"call {call} input gradient");
                for (int i = 0; i < layer.Weights.Count; i++)
                    TensorAssert.Close(layer.Weights[i].grad!, rnn.Weights[i].grad!, 1e-4, 1e-5, $"call {call} gradient of {layer.Weights[i].Name}");
                firstOutputs.Add(actual[0].detach());
            }
            Assert.False(allclose(firstOutputs[0], firstOutputs[1], 1e-3, 1e-3), $"{kind}: two training calls drew the same masks");
        }

        [Theory]
        [InlineData("SimpleRNN")]
        [InlineData("LSTM")]
        [InlineData("GRU")]
        public void CellDropoutIsIgnoredInInference(string kind)
        {
            manual_seed(3);
            var (_, plain) = Pair(kind, 4, false, false, false);
            var (_, dropping) = DropoutPair(kind, 0.5, 0.5, false);
            var rnnPlain = new RNN(plain);
            var rnnDropping = new RNN(dropping);
            rnnPlain.EnsureBuilt(new Shape(2, 3, 5));
            rnnDropping.EnsureBuilt(new Shape(2, 3, 5));
            rnnDropping.SetWeights(rnnPlain.GetWeights());
            var x = randn(2, 3, 5);

            var expected = rnnPlain.Apply(x);
            TensorAssert.Close(expected, rnnDropping.Apply(x), 0, 0, "training: null");
            TensorAssert.Close(expected, rnnDropping.Apply(x, training: false), 0, 0, "training: false");
            TensorAssert.Close(plain.ApplyAll(new[] { x[.., 0], zeros(2, 4), zeros(2, 4) }.Take(1 + plain.StateSize.Count).ToArray())[0],
                dropping.ApplyAll(new[] { x[.., 0], zeros(2, 4), zeros(2, 4) }.Take(1 + plain.StateSize.Count).ToArray())[0], 0, 0,
                "a cell applied alone");
        }

        /// <summary>
        /// A user cell's masks from <see cref="RecurrentCell.GetDropoutMasks"/>: the same at every step of a call (so the step's
        /// maths written in TorchSharp with them gives the RNN's output), new at the next call, Keras's values (0 or
        /// <c>1 / (1 - rate)</c>, about <c>rate</c> zeros), one input mask shaped like the step input and one recurrent mask
        /// shaped like the state; none in inference.
        /// </summary>
        [Fact]
        public void UserCellDropoutMasksAreDrawnOncePerCallAndReusedAtEveryStep()
        {
            manual_seed(9);
            var cell = new TestDropoutCell(8, 0.25, 0.5, seed: 4);
            var rnn = new RNN(cell, returnSequences: true);
            var x = randn(400, 5, 6);
            rnn.EnsureBuilt(new Shape(400, 5, 6));

            var calls = new List<(Tensor Input, Tensor Recurrent)>();
            for (int call = 0; call < 2; call++)
            {
                cell.Seen.Clear();
                var y = rnn.Apply(x, training: true);
                Assert.Equal(5, cell.Seen.Count);
                var (m, r) = (cell.Seen[0].Input!, cell.Seen[0].Recurrent!);
                Assert.Equal(new long[] { 400, 6 }, m.shape);
                Assert.Equal(new long[] { 400, 8 }, r.shape);
                foreach (var (input, recurrent) in cell.Seen)
                {
                    Assert.True(m.eq(input!).all().item<bool>(), $"call {call}: the input mask changed between steps");
                    Assert.True(r.eq(recurrent!).all().item<bool>(), $"call {call}: the recurrent mask changed between steps");
                }
                foreach (var (mask, rate) in new[] { (m, 0.25), (r, 0.5) })
                {
                    Assert.True((mask.eq(0) | mask.sub(1 / (1 - rate)).abs().lt(1e-6)).all().item<bool>(), $"mask values for rate {rate}");
                    Assert.InRange(mask.eq(0).to(ScalarType.Float32).mean().item<float>(), rate - 0.03, rate + 0.03);
                }
                // The maths with these masks, every step: h = (x_t * m) @ K + (h * r) @ U.
                var h = zeros(400, 8);
                for (int t = 0; t < 5; t++)
                {
                    h = (x[.., t] * m).matmul(cell.Kernel!) + (h * r).matmul(cell.RecurrentKernel!);
                    TensorAssert.Close(h, y[.., t], 1e-5, 1e-5, $"call {call} step {t}");
                }
                calls.Add((m, r));
            }
            Assert.False(calls[0].Input.eq(calls[1].Input).all().item<bool>(), "the second call reused the first call's input mask");
            Assert.False(calls[0].Recurrent.eq(calls[1].Recurrent).all().item<bool>(), "the second call reused the first call's recurrent mask");

            cell.Seen.Clear();
            rnn.Apply(x);
            Assert.All(cell.Seen, s => Assert.True(s.Input is null && s.Recurrent is null));
        }

        /// <summary>StackedRNNCells resets its cells' masks with its own: each inner cell draws new masks at each call and
        /// keeps them through the call.</summary>
        [Fact]
        public void StackedCellsResetTheirCellsDropoutMasksAtEachCall()
        {
            manual_seed(2);
            var inner = new TestDropoutCell(5, 0.3, 0.3, seed: 8);
            var rnn = new RNN(new StackedRNNCells(new RecurrentCell[] { new TestDropoutCell(4, 0.3, 0.3, seed: 7), inner }));
            var x = randn(16, 4, 3);
            var firstMasks = new List<Tensor>();
            for (int call = 0; call < 2; call++)
            {
                inner.Seen.Clear();
                rnn.Apply(x, training: true);
                Assert.Equal(4, inner.Seen.Count);
                Assert.All(inner.Seen, s => Assert.True(s.Input!.eq(inner.Seen[0].Input!).all().item<bool>(), $"call {call}"));
                firstMasks.Add(inner.Seen[0].Input!);
            }
            Assert.False(firstMasks[0].eq(firstMasks[1]).all().item<bool>(), "the inner cell kept its masks across calls");
        }

        [Fact]
        public void DropoutMaskHelpersRefuseARateOutsideZeroToOneNamingTheCell()
        {
            var cell = new TestDropoutCell(3, 1.0, 0.0, seed: null);
            var rnn = new RNN(cell);
            var e = Assert.Throws<ArgumentException>(() => rnn.Apply(randn(2, 3, 4), training: true));
            Assert.Contains("rate=1", e.Message);
            Assert.Contains(cell.Name, e.Message);
        }

        [Fact]
        public void ACellReturningTheWrongStateCountFailsNamingTheCell()
        {
            var rnn = new RNN(new StackedRNNCells(new RecurrentCell[] { new TestMinimalRNNCell(2) }));
            var bad = new RNN(new BrokenCell());

            Assert.Equal(new long[] { 1, 2 }, rnn.Apply(randn(1, 3, 2)).shape);
            var e = Assert.Throws<InvalidOperationException>(() => bad.Apply(randn(1, 3, 2)));
            Assert.Contains("returned 2 state(s)", e.Message);
        }

        private sealed class BrokenCell : RecurrentCell
        {
            public override IReadOnlyList<int> StateSize => new[] { 2 };

            public override (Tensor Output, IReadOnlyList<Tensor> States) Call(Tensor input, IReadOnlyList<Tensor> states, bool? training = null)
                => (input, new[] { input, input });
        }

        [Theory]
        [InlineData("LSTMCell")]
        [InlineData("GRUCell")]
        [InlineData("SimpleRNNCell")]
        [InlineData("StackedRNNCells")]
        [InlineData("user cell")]
        public void RnnWithACellPassesTheSharedLayerCheck(string cell) => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new RNN(cell switch
            {
                "LSTMCell" => new LSTMCell(3, dtype: dtype),
                "GRUCell" => new GRUCell(3, dtype: dtype),
                "SimpleRNNCell" => new SimpleRNNCell(3, dtype: dtype),
                "StackedRNNCells" => new StackedRNNCells(new RecurrentCell[] { new SimpleRNNCell(4, dtype: dtype), new GRUCell(3, dtype: dtype) },
                    dtype: dtype),
                _ => new TestMinimalRNNCell(3, dtype: dtype),
            }, returnSequences: true, dtype: dtype),
            InputShapes = new Shape[] { new(4, 5, 2) },
            ExpectedTrainableWeights = cell switch { "StackedRNNCells" => 6, "user cell" => 2, _ => 3 },
            ExpectedOutputShape = new Shape(4, 5, 3),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 5),
        });

        [Fact]
        public void KerasConfigsWithCellsImport()
        {
            // As Keras 3 writes RNN(LSTMCell) and RNN(StackedRNNCells) in a Sequential model's config.json.
            const string keras3 = """
                {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "trainable": true, "dtype": "float32", "layers": [
                 {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 5, 2], "dtype": "float32",
                   "sparse": false, "ragged": false, "name": "input_layer", "optional": false}, "registered_name": null},
                 {"module": "keras.layers", "class_name": "RNN", "config": {"name": "rnn", "trainable": true, "dtype": "float32",
                   "return_sequences": true, "return_state": false, "go_backwards": false, "stateful": false, "unroll": false,
                   "zero_output_for_mask": false, "cell": {"module": "keras.layers", "class_name": "LSTMCell", "config": {"name": "lstm_cell",
                   "trainable": true, "dtype": "float32", "units": 3, "activation": "tanh", "recurrent_activation": "sigmoid",
                   "use_bias": true, "unit_forget_bias": true, "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform",
                   "config": {"seed": null}, "registered_name": null}, "recurrent_initializer": {"module": "keras.initializers",
                   "class_name": "Orthogonal", "config": {"gain": 1.0, "seed": null}, "registered_name": null}, "bias_initializer":
                   {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "kernel_regularizer": null,
                   "recurrent_regularizer": null, "bias_regularizer": null, "kernel_constraint": null, "recurrent_constraint": null,
                   "bias_constraint": null, "dropout": 0.0, "recurrent_dropout": 0.0, "seed": null}, "registered_name": null}},
                   "registered_name": null},
                 {"module": "keras.layers", "class_name": "RNN", "config": {"name": "rnn_1", "trainable": true, "dtype": "float32",
                   "return_sequences": false, "return_state": false, "go_backwards": false, "stateful": false, "unroll": false,
                   "zero_output_for_mask": false, "cell": {"module": "keras.layers", "class_name": "StackedRNNCells", "config": {
                   "name": "stacked_rnn_cells", "trainable": true, "dtype": "float32", "cells": [
                   {"module": "keras.layers", "class_name": "SimpleRNNCell", "config": {"name": "simple_rnn_cell", "trainable": true,
                    "dtype": "float32", "units": 2, "activation": "relu", "use_bias": true, "dropout": 0.0, "recurrent_dropout": 0.0,
                    "seed": null}, "registered_name": null},
                   {"module": "keras.layers", "class_name": "GRUCell", "config": {"name": "gru_cell", "trainable": true, "dtype": "float32",
                    "units": 2, "reset_after": true, "seed": null}, "registered_name": null}]}, "registered_name": null}},
                   "registered_name": null}]}, "registered_name": null}
                """;
            var model = KerasModel.FromJson(keras3);

            var rnn = Assert.IsType<RNN>(model.Layers[0]);
            Assert.Equal(3, Assert.IsType<LSTMCell>(rnn.Cell).Units);
            var stacked = Assert.IsType<StackedRNNCells>(Assert.IsType<RNN>(model.Layers[1]).Cell);
            Assert.Equal("relu", Assert.IsType<SimpleRNNCell>(stacked.Cells[0]).Activation.Name);
            Assert.Equal(new long[] { 4, 2 }, model.Apply(randn(4, 5, 2)).shape);

            // tf.keras 2 writes implementation (and time_major on the RNN) and GRUCell's reset_after.
            const string tfKeras = """
                {"class_name": "Sequential", "config": {"name": "s", "layers": [
                 {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 5, 2], "dtype": "float32", "sparse": false,
                  "ragged": false, "name": "in"}},
                 {"class_name": "RNN", "config": {"name": "rnn", "trainable": true, "dtype": "float32", "return_sequences": false,
                  "return_state": false, "go_backwards": false, "stateful": false, "unroll": false, "time_major": false,
                  "cell": {"class_name": "GRUCell", "config": {"name": "gru_cell", "trainable": true, "dtype": "float32", "units": 3,
                  "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": true, "dropout": 0.0, "recurrent_dropout": 0.0,
                  "implementation": 2}}}}]}, "keras_version": "2.4.0", "backend": "tensorflow"}
                """;
            var old = KerasModel.FromJson(tfKeras);
            Assert.False(Assert.IsType<GRUCell>(Assert.IsType<RNN>(old.Layers[0]).Cell).ResetAfter);
        }
    }
}
