using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Layers.Import;
using Microsoft.ML.Layers.Onnx;
using Microsoft.ML.Layers.TestFramework;
using Microsoft.ML.Layers.Tests.Import;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Onnx
{
    /// <summary>SimpleRNN, LSTM, GRU, Bidirectional and TimeDistributed exported to ONNX and run in ONNX Runtime (random
    /// weights, biases included, tiny shapes, a fixed sequence length, batches of several sizes), at the default and the
    /// minimum opset; the configurations ONNX cannot express fail naming the layer and the reason.</summary>
    public class RecurrentOnnxTests
    {
        private const int Steps = 5;
        private const int Features = 3;

        private static Sequential Wrap(Layer layer, int steps = Steps, int features = Features)
        {
            var model = new Sequential(new InputLayer(new Shape(steps, features), name: "sequence"), layer);
            RandomizeWeights(model);
            return model;
        }

        /// <summary>Every weight random (biases too, which are zeros at first, and so would hide a wrong bias layout).</summary>
        private static void RandomizeWeights(Layer model)
            => model.SetWeights(model.Weights.Select(w => (Array)WeightArrays.ToArray(randn(w.shape) * 0.5f)).ToArray());

        private static RecurrentLayer Create(string kind, bool returnSequences = false, bool goBackwards = false,
            bool returnState = false, Activation? activation = null, Activation? recurrentActivation = null, bool useBias = true,
            bool resetAfter = true, bool stateful = false) => kind switch
        {
            "SimpleRNN" => new SimpleRNN(4, activation: activation, useBias: useBias, returnSequences: returnSequences,
                returnState: returnState, goBackwards: goBackwards, stateful: stateful),
            "LSTM" => new LSTM(4, activation: activation, recurrentActivation: recurrentActivation, useBias: useBias,
                returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards, stateful: stateful),
            "GRU" => new GRU(4, activation: activation, recurrentActivation: recurrentActivation, useBias: useBias,
                returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards, resetAfter: resetAfter,
                stateful: stateful),
            _ => throw new ArgumentException(kind),
        };

        public static TheoryData<string, bool, bool, int> Configurations()
        {
            var data = new TheoryData<string, bool, bool, int>();
            foreach (var kind in new[] { "SimpleRNN", "LSTM", "GRU" })
                foreach (var returnSequences in new[] { false, true })
                    foreach (var goBackwards in new[] { false, true })
                        foreach (var opset in new[] { OnnxOpset.Minimum, OnnxOpset.Default })
                            data.Add(kind, returnSequences, goBackwards, opset);
            return data;
        }

        [Theory]
        [MemberData(nameof(Configurations))]
        public void RecurrentLayerMatchesOnnxRuntime(string kind, bool returnSequences, bool goBackwards, int opset)
        {
            manual_seed(11);
            var model = Wrap(Create(kind, returnSequences, goBackwards));
            using var x = randn(3, Steps, Features);
            OnnxCheck.MatchesModel(model, x, opset: opset);
        }

        [Theory]
        [InlineData("SimpleRNN")]
        [InlineData("LSTM")]
        [InlineData("GRU")]
        public void BatchAxisIsDynamic(string kind)
        {
            manual_seed(12);
            var model = Wrap(Create(kind, returnSequences: true));
            var onnx = OnnxCheck.Export(model);
            foreach (var batch in new[] { 1, 2, 9 })
            {
                using var x = randn(batch, Steps, Features);
                var actual = OnnxCheck.Run(onnx, new[] { ("sequence", x) }).Single().Value;
                TensorAssert.Close(model.Apply(x, training: false), actual, 1e-4, 1e-5, $"{kind}, batch {batch}");
            }
        }

        [Theory]
        [InlineData("LSTM", "tanh", "hard_sigmoid")]        // Keras 3's hard_sigmoid: HardSigmoid alpha 1/6
        [InlineData("LSTM", "tanh", "legacy_hard_sigmoid")] // Keras 2's hard_sigmoid in imported files: alpha 0.2
        [InlineData("LSTM", "relu", "sigmoid")]
        [InlineData("LSTM", "softsign", "hard_sigmoid")]
        [InlineData("GRU", "elu", "legacy_hard_sigmoid")]
        [InlineData("GRU", "linear", "sigmoid")]
        [InlineData("GRU", "softplus", "hard_sigmoid")]
        [InlineData("SimpleRNN", "relu", null)]
        [InlineData("SimpleRNN", "linear", null)]
        [InlineData("SimpleRNN", "sigmoid", null)]
        [InlineData("SimpleRNN", "leaky_relu", null)]
        [InlineData("SimpleRNN", "elu", null)]
        public void ActivationsMapToOnnxsNamedActivations(string kind, string activation, string? recurrentActivation)
        {
            manual_seed(13);
            var model = Wrap(Create(kind, returnSequences: true, activation: activation,
                recurrentActivation: recurrentActivation is null ? null : Activations.Get(recurrentActivation)));
            using var x = randn(3, Steps, Features);
            OnnxCheck.MatchesModel(model, x);
            OnnxCheck.MatchesModel(model, x, opset: OnnxOpset.Minimum);
        }

        [Theory]
        [InlineData("SimpleRNN", true)]
        [InlineData("LSTM", true)]
        [InlineData("GRU", true)]
        [InlineData("GRU", false)]
        public void WithoutBiasAndGruResetBefore(string kind, bool useBias)
        {
            manual_seed(14);
            var model = Wrap(Create(kind, returnSequences: true, useBias: useBias, resetAfter: useBias));
            using var x = randn(3, Steps, Features);
            OnnxCheck.MatchesModel(model, x);
            OnnxCheck.MatchesModel(model, x, opset: OnnxOpset.Minimum);
        }

        [Theory]
        [InlineData("SimpleRNN", false, false)]
        [InlineData("LSTM", false, true)]
        [InlineData("LSTM", true, false)]
        [InlineData("GRU", true, true)]
        public void ReturnedStatesAreOutputs(string kind, bool returnSequences, bool goBackwards)
        {
            manual_seed(15);
            var input = Input.Create(new Shape(Steps, Features), name: "sequence");
            var outputs = Create(kind, returnSequences, goBackwards, returnState: true).ApplyAll(input);
            var model = new Model(new[] { input }, outputs.ToArray());
            RandomizeWeights(model);
            using var x = randn(3, Steps, Features);
            var onnx = OnnxCheck.MatchesModel(model, x);
            Assert.Equal(kind == "LSTM" ? 3 : 2, OnnxCheck.OutputNames(onnx).Count);
            OnnxCheck.MatchesModel(model, x, opset: OnnxOpset.Minimum);
        }

        [Theory]
        [InlineData("SimpleRNN")]
        [InlineData("LSTM")]
        [InlineData("GRU")]
        public void InitialStatesGivenAsInputs(string kind)
        {
            manual_seed(16);
            var sequence = Input.Create(new Shape(Steps, Features), name: "sequence");
            var states = Enumerable.Range(0, kind == "LSTM" ? 2 : 1).Select(i => Input.Create(new Shape(4), name: $"state{i}")).ToList();
            var output = Create(kind, returnSequences: true, goBackwards: true).Apply(states.Prepend(sequence).ToList());
            var model = new Model(states.Prepend(sequence).ToArray(), new[] { output });
            RandomizeWeights(model);
            using var x = randn(3, Steps, Features);
            var h = states.Select(_ => randn(3, 4)).ToList();
            OnnxCheck.MatchesModel(model, h.Prepend(x).ToList());
            OnnxCheck.MatchesModel(model, h.Prepend(x).ToList(), opset: OnnxOpset.Minimum);
        }

        [Fact]
        public void StackedRecurrentLayersFeedingDense()
        {
            manual_seed(17);
            var model = new Sequential(new InputLayer(new Shape(Steps, Features), name: "sequence"),
                new GRU(6, returnSequences: true), new LSTM(5, returnSequences: true, goBackwards: true), new SimpleRNN(4),
                new Dense(2));
            RandomizeWeights(model);
            using var x = randn(4, Steps, Features);
            OnnxCheck.MatchesModel(model, x);
            OnnxCheck.MatchesModel(model, x, opset: OnnxOpset.Minimum);
        }

        public static TheoryData<string, MergeMode, bool, int> BidirectionalConfigurations()
        {
            var data = new TheoryData<string, MergeMode, bool, int>();
            foreach (var mode in new[] { MergeMode.Concat, MergeMode.Sum, MergeMode.Multiply, MergeMode.Average, MergeMode.None })
                foreach (var returnSequences in new[] { false, true })
                    foreach (var opset in new[] { OnnxOpset.Minimum, OnnxOpset.Default })
                        data.Add(mode == MergeMode.Sum ? "GRU" : mode == MergeMode.Multiply ? "SimpleRNN" : "LSTM", mode, returnSequences,
                            opset);
            return data;
        }

        [Theory]
        [MemberData(nameof(BidirectionalConfigurations))]
        public void BidirectionalMatchesOnnxRuntime(string kind, MergeMode mergeMode, bool returnSequences, int opset)
        {
            manual_seed(18);
            var input = Input.Create(new Shape(Steps, Features), name: "sequence");
            var outputs = new Bidirectional(Create(kind, returnSequences), mergeMode).ApplyAll(input);
            var model = new Model(new[] { input }, outputs.ToArray());
            RandomizeWeights(model);
            using var x = randn(3, Steps, Features);
            OnnxCheck.MatchesModel(model, x, opset: opset);
        }

        [Fact]
        public void BidirectionalWithStatesAndABackwardLayerOfItsOwn()
        {
            manual_seed(19);
            var input = Input.Create(new Shape(Steps, Features), name: "sequence");
            var bi = new Bidirectional(new LSTM(4, returnSequences: true, returnState: true),
                backwardLayer: new LSTM(4, returnSequences: true, returnState: true, goBackwards: true,
                    recurrentActivation: "hard_sigmoid"));
            var outputs = bi.ApplyAll(input);
            Assert.Equal(5, outputs.Count);
            var model = new Model(new[] { input }, outputs.ToArray());
            RandomizeWeights(model);
            using var x = randn(3, Steps, Features);
            OnnxCheck.MatchesModel(model, x);
            OnnxCheck.MatchesModel(model, x, opset: OnnxOpset.Minimum);
        }

        [Theory]
        [InlineData(OnnxOpset.Minimum)]
        [InlineData(OnnxOpset.Default)]
        public void TimeDistributedDenseAndRecurrentLayers(int opset)
        {
            manual_seed(20);
            var model = new Sequential(new InputLayer(new Shape(Steps, 2, Features), name: "sequence"),
                new TimeDistributed(new LSTM(4, returnSequences: true)),   // (batch, 5, 2, 4)
                new TimeDistributed(new TimeDistributed(new Dense(3, activation: "tanh"))),
                new TimeDistributed(new GRU(2)));                           // (batch, 5, 2)
            RandomizeWeights(model);
            using var x = randn(3, Steps, 2, Features);
            OnnxCheck.MatchesModel(model, x, opset: opset);
            using var one = randn(1, Steps, 2, Features);
            OnnxCheck.MatchesModel(model, one, opset: opset);
        }

        [Fact]
        public void StatefulLayerIsUnsupported()
        {
            var model = new Sequential(new InputLayer(new Shape(Steps, Features), batchSize: 2),
                new LSTM(4, stateful: true, name: "memory"));
            var error = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(new MemoryStream()));
            Assert.Contains("Layer 'memory' (LSTM) cannot be exported to ONNX", error.Message, StringComparison.Ordinal);
            Assert.Contains("stateful", error.Message, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("gelu", "activation 'gelu'")]
        [InlineData("swish", "activation 'swish'")]
        public void ActivationOnnxRecurrentOperatorsDoNotAcceptIsUnsupported(string activation, string expected)
        {
            var model = Wrap(new GRU(4, activation: activation, name: "gru_odd"));
            var error = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(new MemoryStream()));
            Assert.Contains("Layer 'gru_odd' (GRU) cannot be exported to ONNX", error.Message, StringComparison.Ordinal);
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void CustomRecurrentActivationIsUnsupported()
        {
            var custom = new Activation("my_gate", t => t.sigmoid());
            var model = Wrap(new LSTM(4, recurrentActivation: custom, name: "lstm_custom"));
            var error = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(new MemoryStream()));
            Assert.Contains("Layer 'lstm_custom' (LSTM)", error.Message, StringComparison.Ordinal);
            Assert.Contains("recurrent_activation 'my_gate'", error.Message, StringComparison.Ordinal);
        }

        /// <summary>An exportable identity that masks the time steps whose features are all zero (as Masking does).</summary>
        private sealed class ZeroStepMask : Layer, IOnnxExportable
        {
            public ZeroStepMask() : base(null, true, null) => SupportsMasking = true;

            protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null) => inputs.alias();

            public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => inputs.ne(0).any(-1);

            string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input) => context.Node("Identity", input.Name);
        }

        [Fact]
        public void MaskedSequenceIsUnsupportedInAFunctionalModel()
        {
            var input = Input.Create(new Shape(Steps, Features));
            var masked = new ZeroStepMask().Apply(input);
            var model = new Model(input, new GRU(4, name: "masked_gru").Apply(masked));
            var error = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(new MemoryStream()));
            Assert.Contains("Layer 'masked_gru' (GRU) cannot be exported to ONNX", error.Message, StringComparison.Ordinal);
            Assert.Contains("masks are not exported", error.Message, StringComparison.Ordinal);
        }

        [KerasReferenceTheory]
        [InlineData("simple_rnn/simple_rnn_tf_keras_2_model.h5")]
        [InlineData("simple_flatten_lstm/simple_flatten_lstm_tf_keras_2_model.h5")]
        public void KerasFileExportedReproducesKerasPredictions(string example)
        {
            string modelPath = KerasReferenceFiles.Example(example);
            using var scope = NewDisposeScope();
            using var model = KerasModel.Load(modelPath);
            string io = KerasReferenceFiles.InputsAndOutputsOf(modelPath);
            var inputs = KerasReferenceFiles.Group(io, "inputs");
            var names = KerasReferenceFiles.InputNames(io);
            var predictions = KerasReferenceFiles.Group(io, "predictions");
            Assert.NotEmpty(predictions);
            var onnx = OnnxCheck.Export(model);
            var onnxNames = OnnxCheck.InputNames(onnx);
            var actual = OnnxCheck.Run(onnx, onnxNames.Zip(names, (onnxName, name) => (onnxName, inputs[name])).ToList());
            Assert.Equal(predictions.Count, actual.Count);
            foreach (var ((name, expected), output) in predictions.Zip(actual))
                TensorAssert.Close(expected, output.Value, 0, 1e-5, $"{example} through ONNX, output '{name}'");
        }
    }
}
