using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;
using R = Microsoft.ML.Layers.Tests.Layers.Recurrent.RecurrentReference;

namespace Microsoft.ML.Layers.Tests.Layers.Recurrent
{
    /// <summary>
    /// What SimpleRNN, LSTM and GRU share, one row per layer (and GRU's reset-before variant): the shared layer check, the
    /// Keras weight layout, every step against the cell written by hand in <see cref="RecurrentReference"/>, and the last
    /// step without <c>returnSequences</c>. Behaviour only one layer has stays in that layer's test class.
    /// </summary>
    public sealed class RecurrentLayerTests
    {
        /// <summary>The layer a row names: <c>SimpleRNN</c>, <c>LSTM</c>, <c>GRU</c> (reset after) or <c>GRU reset before</c>.</summary>
        private static RecurrentLayer Create(string kind, int units, bool returnSequences = false, bool returnState = false) => kind switch
        {
            "SimpleRNN" => new SimpleRNN(units, returnSequences: returnSequences, returnState: returnState),
            "LSTM" => new LSTM(units, returnSequences: returnSequences, returnState: returnState),
            "GRU" => new GRU(units, returnSequences: returnSequences, returnState: returnState),
            "GRU reset before" => new GRU(units, resetAfter: false, returnSequences: returnSequences, returnState: returnState),
            _ => throw new ArgumentException($"No recurrent layer '{kind}'.", nameof(kind)),
        };

        /// <summary>The layer checks of the recurrent layers, by name: the plain ones and their variants.</summary>
        private static LayerCheckOptions CheckOf(string variant) => variant switch
        {
            "SimpleRNN" => Sequences(dtype => new SimpleRNN(3, returnSequences: true, dtype: dtype)),
            "LSTM" => Sequences(dtype => new LSTM(3, returnSequences: true, dtype: dtype)),
            "GRU" => Sequences(dtype => new GRU(3, returnSequences: true, dtype: dtype)),
            "LSTM returning the last output and states, no bias" => LastOutput(
                dtype => new LSTM(3, returnState: true, useBias: false, dtype: dtype), trainableWeights: 2),
            "LSTM with dropout on inputs and states" => Sequences(
                dtype => new LSTM(3, dropout: 0.2, recurrentDropout: 0.3, seed: 1, returnSequences: true, dtype: dtype), random: true),
            "GRU with the reset gate before the product" => LastOutput(dtype => new GRU(3, resetAfter: false, returnState: true, dtype: dtype)),
            "GRU with input dropout" => LastOutput(dtype => new GRU(3, dropout: 0.25, dtype: dtype), random: true),
            _ => throw new ArgumentException($"No layer check '{variant}'.", nameof(variant)),
        };

        private static LayerCheckOptions Sequences(Func<ScalarType?, Layer> create, bool random = false) => new()
        {
            Create = create,
            InputShapes = new Shape[] { new(4, 5, 2) },
            ExpectedTrainableWeights = 3,
            ExpectedOutputShape = new Shape(4, 5, 3),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 5),
            RandomInTraining = random,
        };

        private static LayerCheckOptions LastOutput(Func<ScalarType?, Layer> create, int trainableWeights = 3, bool random = false) => new()
        {
            Create = create,
            InputShapes = new Shape[] { new(4, 5, 2) },
            ExpectedTrainableWeights = trainableWeights,
            ExpectedOutputShape = new Shape(4, 3),
            ExpectedSupportsMasking = true,
            RandomInTraining = random,
        };

        [Theory]
        [InlineData("SimpleRNN")]
        [InlineData("LSTM")]
        [InlineData("GRU")]
        [InlineData("LSTM returning the last output and states, no bias")]
        [InlineData("LSTM with dropout on inputs and states")]
        [InlineData("GRU with the reset gate before the product")]
        [InlineData("GRU with input dropout")]
        public void PassesTheSharedLayerCheck(string variant) => LayerCheck.Run(CheckOf(variant));

        [Theory]
        [InlineData("SimpleRNN", 3, 3, new long[] { 3 })]
        [InlineData("LSTM", 3, 12, new long[] { 12 })]
        [InlineData("GRU", 4, 12, new long[] { 2, 12 })]
        [InlineData("GRU reset before", 4, 12, new long[] { 12 })]
        public void HasKerasWeightLayoutAndOrder(string kind, int units, long gateColumns, long[] biasShape)
        {
            var layer = Create(kind, units);
            layer.EnsureBuilt(new Shape(Shape.Unknown, 7, 5));

            Assert.Equal(new[] { "kernel", "recurrent_kernel", "bias" }, layer.Weights.Select(w => w.Name));
            Assert.Equal(new[] { new Shape(5, gateColumns), new Shape(units, gateColumns), new Shape(biasShape) }, layer.Weights.Select(w => w.Shape));
        }

        [Theory]
        [InlineData("SimpleRNN")]
        [InlineData("LSTM")]
        [InlineData("GRU")]
        [InlineData("GRU reset before")]
        public void EveryStepMatchesTheCellWrittenByHand(string kind)
        {
            var layer = Create(kind, 4, returnSequences: true, returnState: true);
            layer.EnsureBuilt(new Shape(3, 6, 5));
            layer.SetWeights(R.RandomWeights(layer));
            var x = randn(3, 6, 5);
            var (kernel, recurrentKernel, bias) = (layer.Kernel!, layer.RecurrentKernel!, layer.Bias!);
            var (step, stateCount) = kind switch
            {
                "SimpleRNN" => (R.SimpleRnn(kernel, recurrentKernel, bias), 1),
                "LSTM" => (R.Lstm(kernel, recurrentKernel, bias), 2),
                _ => (R.Gru(kernel, recurrentKernel, bias, resetAfter: kind == "GRU"), 1),
            };

            var outputs = layer.ApplyAll(x);

            var (expected, states) = R.Run(x, R.Zeros(3, 4, stateCount), step);
            Assert.Equal(1 + stateCount, outputs.Count);
            TensorAssert.Close(expected, outputs[0], 1e-5, 1e-5, $"{kind}: sequence");
            for (int s = 0; s < stateCount; s++)
                TensorAssert.Close(states[s], outputs[1 + s], 1e-5, 1e-5, $"{kind}: final state {s}");
        }

        [Theory]
        [InlineData("SimpleRNN")]
        [InlineData("LSTM")]
        [InlineData("GRU")]
        public void WithoutReturnSequencesOutputsTheLastStep(string kind)
        {
            var sequence = Create(kind, 3, returnSequences: true);
            var last = Create(kind, 3);
            var x = randn(2, 5, 4);
            sequence.Apply(x);
            last.Apply(x);
            last.SetWeights(sequence.GetWeights());

            TensorAssert.Close(sequence.Apply(x).select(1, -1), last.Apply(x), 1e-5, 1e-5, $"{kind}: last step");
        }
    }
}
