using Microsoft.ML.Layers.TestFramework;
using System;
using System.Linq;
using Xunit;
using static TorchSharp.torch;
using R = Microsoft.ML.Layers.Tests.Layers.Recurrent.RecurrentReference;

namespace Microsoft.ML.Layers.Tests.Layers.Recurrent
{
    /// <summary>What the recurrent base class does for every cell: masks, direction, states, statefulness, dropout.</summary>
    public sealed class RecurrentBehaviourTests
    {
        private static LSTM BuiltLstm(bool returnSequences = true, bool returnState = false, bool goBackwards = false, bool stateful = false, bool zeroOutputForMask = false)
        {
            var lstm = new LSTM(3, returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards, stateful: stateful, zeroOutputForMask: zeroOutputForMask);
            lstm.EnsureBuilt(new Shape(2, 5, 4));
            manual_seed(11);
            lstm.SetWeights(R.RandomWeights(lstm));
            return lstm;
        }

        private static Tensor Mask() => tensor(new[] { true, false, true, true, false, false, true, true, false, true }, 2, 5);

        [Fact]
        public void AMaskedStepLeavesTheStatesUnchangedAndRepeatsThePreviousOutput()
        {
            var lstm = BuiltLstm(returnState: true);
            var x = randn(2, 5, 4);
            var mask = Mask();

            var all = lstm.ApplyAll(x, mask: mask);
            var y = all[0];

            var (expected, states) = R.Run(x, R.Zeros(2, 3, 2), R.Lstm(lstm.Kernel!, lstm.RecurrentKernel!, lstm.Bias!), mask);
            TensorAssert.Close(expected, y, 1e-5, 1e-5, "masked sequence");
            TensorAssert.Close(states[0], all[1], 1e-5, 1e-5, "h");
            TensorAssert.Close(states[1], all[2], 1e-5, 1e-5, "c");
            // Row 0, step 1 is masked: it repeats step 0. Row 1 starts masked: zeros before its first unmasked step.
            Assert.True(y[0, 1].equal(y[0, 0]).all().item<bool>());
            Assert.True(y[0, 4].equal(y[0, 3]).all().item<bool>());
            Assert.Equal(0f, y[1, 0].abs().max().item<float>());
            Assert.NotEqual(0f, y[1, 1].abs().max().item<float>());
        }

        [Fact]
        public void MaskedTrailingStepsGiveTheSameFinalStateAsTheShorterSequence()
        {
            var lstm = BuiltLstm(returnSequences: false, returnState: true);
            var x = randn(1, 5, 4);
            var mask = tensor(new[] { true, true, true, false, false }, 1, 5);

            var masked = lstm.ApplyAll(x, mask: mask);
            var shorter = lstm.ApplyAll(x.narrow(1, 0, 3));

            for (int i = 0; i < 3; i++)
                TensorAssert.Close(shorter[i], masked[i], 1e-5, 1e-5, $"output {i}");
        }

        [Fact]
        public void ReturnSequencesKeepsTheInputMaskOnTheOutputAndTheLastOutputHasNone()
        {
            var x = randn(2, 5, 4);
            var mask = Mask();

            var sequence = BuiltLstm(returnSequences: true, returnState: true).ApplyAll(x, mask: mask);
            var last = BuiltLstm(returnSequences: false).Apply(x, mask: mask);

            Assert.True(KerasMask.Get(sequence[0])!.equal(mask).all().item<bool>());
            Assert.Null(KerasMask.Get(sequence[1]));
            Assert.Null(KerasMask.Get(sequence[2]));
            Assert.Null(KerasMask.Get(last));
        }

        [Fact]
        public void ZeroOutputForMaskOutputsZerosAtMaskedSteps()
        {
            var lstm = BuiltLstm(zeroOutputForMask: true);
            var x = randn(2, 5, 4);
            var mask = Mask();

            var y = lstm.Apply(x, mask: mask);

            var (expected, _) = R.Run(x, R.Zeros(2, 3, 2), R.Lstm(lstm.Kernel!, lstm.RecurrentKernel!, lstm.Bias!), mask);
            var keep = mask.unsqueeze(-1).to(ScalarType.Float32);
            TensorAssert.Close(expected * keep, y, 1e-5, 1e-5, "zeros at masked steps");
        }

        [Fact]
        public void GoBackwardsProcessesTheReversedSequenceAndReturnsItInProcessingOrder()
        {
            var forward = BuiltLstm();
            var backward = BuiltLstm(goBackwards: true);
            backward.SetWeights(forward.GetWeights());
            var x = randn(2, 5, 4);

            var y = backward.Apply(x);

            TensorAssert.Close(forward.Apply(x.flip(1)), y, 1e-5, 1e-5, "backwards = forwards on the reversed input");
            var (expected, _) = R.Run(x, R.Zeros(2, 3, 2), R.Lstm(forward.Kernel!, forward.RecurrentKernel!, forward.Bias!), backwards: true);
            TensorAssert.Close(expected, y, 1e-5, 1e-5, "hand-written backwards loop");
        }

        [Fact]
        public void GoBackwardsAppliesTheMaskToTheStepsItBelongsTo()
        {
            var lstm = BuiltLstm(goBackwards: true);
            var x = randn(2, 5, 4);
            var mask = Mask();

            var y = lstm.Apply(x, mask: mask);

            var (expected, _) = R.Run(x, R.Zeros(2, 3, 2), R.Lstm(lstm.Kernel!, lstm.RecurrentKernel!, lstm.Bias!), mask, backwards: true);
            TensorAssert.Close(expected, y, 1e-5, 1e-5, "masked backwards loop");
        }

        [Fact]
        public void AStatefulLayerContinuesFromTheStatesOfItsLastCall()
        {
            var whole = BuiltLstm();
            var stateful = BuiltLstm(stateful: true);
            stateful.SetWeights(whole.GetWeights());
            var x = randn(2, 7, 4);

            var first = stateful.Apply(x.narrow(1, 0, 3));
            var second = stateful.Apply(x.narrow(1, 3, 4));

            TensorAssert.Close(whole.Apply(x), cat(new[] { first, second }, 1), 1e-5, 1e-5, "two stateful calls = one call on the whole sequence");
            Assert.Equal(2, stateful.States!.Count);
        }

        [Fact]
        public void ResetStatesStartsAStatefulLayerFromZerosAgain()
        {
            var stateless = BuiltLstm();
            var stateful = BuiltLstm(stateful: true);
            stateful.SetWeights(stateless.GetWeights());
            var x = randn(2, 5, 4);
            stateful.Apply(randn(2, 5, 4));

            stateful.ResetStates();

            Assert.All(stateful.States!, s => Assert.Equal(0f, s.abs().max().item<float>()));
            TensorAssert.Close(stateless.Apply(x), stateful.Apply(x), 1e-5, 1e-5, "after reset");
        }

        [Fact]
        public void AStatefulLayerRejectsAnotherBatchSizeNamingTheLayer()
        {
            var lstm = new LSTM(2, stateful: true, name: "stateful_encoder");
            lstm.Apply(randn(3, 4, 2));

            var error = Assert.Throws<ArgumentException>(() => lstm.Apply(randn(2, 4, 2)));

            Assert.Contains("'stateful_encoder'", error.Message);
            Assert.Contains("batches of 3", error.Message);
        }

        [Fact]
        public void AStatelessLayerKeepsNoStates()
        {
            var lstm = BuiltLstm();
            lstm.Apply(randn(2, 5, 4));

            Assert.Null(lstm.States);
        }

        [Fact]
        public void BuildingAFunctionalModelDoesNotTouchTheStatesOfAStatefulLayer()
        {
            var lstm = new LSTM(3, stateful: true);
            var input = Input.Create(new Shape(5, 4), batchSize: 2);
            var model = new Model(input, lstm.Apply(input));

            Assert.Null(lstm.States);
            model.Predict(randn(2, 5, 4));
            Assert.NotNull(lstm.States);
        }

        [Fact]
        public void DropoutUsesOneMaskForEveryStepOnlyInTraining()
        {
            // Linear cell, identity kernel, no recurrence: each output step is the dropped-out input itself.
            var rnn = new SimpleRNN(6, activation: "linear", useBias: false, dropout: 0.5, seed: 3, returnSequences: true);
            rnn.EnsureBuilt(new Shape(8, 4, 6));
            rnn.SetWeights(new Array[] { WeightArrays.ToArray(eye(6)), new float[6, 6] });
            var x = ones(8, 4, 6);

            var trained = rnn.Apply(x, training: true);
            var inferred = rnn.Apply(x, training: false);

            Assert.True(inferred.equal(x).all().item<bool>(), "no dropout in inference");
            for (int t = 1; t < 4; t++)
                Assert.True(trained.select(1, t).equal(trained.select(1, 0)).all().item<bool>(), $"step {t} uses the mask of step 0");
            var values = trained.select(1, 0).data<float>().ToArray();
            Assert.All(values, v => Assert.True(v == 0f || v == 2f, $"{v} is neither dropped (0) nor scaled by 1 / (1 - 0.5)"));
            Assert.Contains(0f, values);
            Assert.Contains(2f, values);
        }

        [Fact]
        public void TheSameSeedDrawsTheSameDropoutMasksWhateverTheGlobalGenerator()
        {
            Array[]? weights = null;
            Tensor Run(int globalDraws)
            {
                var lstm = new LSTM(3, dropout: 0.3, recurrentDropout: 0.3, seed: 5);
                lstm.EnsureBuilt(new Shape(4, 5, 2));
                weights ??= R.RandomWeights(lstm);
                lstm.SetWeights(weights);
                randn(globalDraws + 1);
                return lstm.Apply(ones(4, 5, 2), training: true);
            }

            Assert.True(Run(0).equal(Run(7)).all().item<bool>());
        }

        [Fact]
        public void RecurrentDropoutChangesTrainingOutputsButNotInferenceOnes()
        {
            var plain = BuiltLstm(returnSequences: false);
            var dropped = new LSTM(3, recurrentDropout: 0.5);
            dropped.EnsureBuilt(new Shape(2, 5, 4));
            dropped.SetWeights(plain.GetWeights());
            var x = randn(2, 5, 4);

            TensorAssert.Close(plain.Apply(x), dropped.Apply(x), 1e-5, 1e-5, "inference");
            Assert.False(plain.Apply(x, training: true).allclose(dropped.Apply(x, training: true)));
        }

        [Fact]
        public void AMaskOfTheWrongShapeFailsNamingTheLayer()
        {
            var lstm = new LSTM(2, name: "masked_lstm");

            var error = Assert.Throws<ArgumentException>(() => lstm.Apply(randn(2, 5, 3), mask: ones(2, 4, dtype: ScalarType.Bool)));

            Assert.Contains("'masked_lstm'", error.Message);
            Assert.Contains("(2, 5)", error.Message);
        }
    }
}
