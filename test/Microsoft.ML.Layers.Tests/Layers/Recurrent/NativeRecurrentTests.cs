using Microsoft.ML.Layers.TestFramework;
using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;
using static TorchSharp.torch;
using R = Microsoft.ML.Layers.Tests.Layers.Recurrent.RecurrentReference;

namespace Microsoft.ML.Layers.Tests.Layers.Recurrent
{
    /// <summary>The fused libtorch path of LSTM/GRU/SimpleRNN against the step-by-step time loop (outputs, states, gradients).</summary>
    public sealed class NativeRecurrentTests
    {
        public static IEnumerable<object[]> Configurations()
        {
            string[] kinds = { "lstm", "gru", "rnn_tanh", "rnn_relu" };
            foreach (var kind in kinds)
            {
                foreach (bool bias in new[] { true, false })
                {
                    foreach (bool backwards in new[] { false, true })
                    {
                        foreach (bool sequences in new[] { false, true })
                        {
                            foreach (string mask in new[] { "none", "right", "full" })
                                yield return new object[] { kind, bias, backwards, sequences, mask, false };
                        }
                    }
                }
                yield return new object[] { kind, true, false, true, "right", true };
                yield return new object[] { kind, true, true, false, "right", true };
            }
        }

        private static RecurrentLayer Make(string kind, bool bias, bool backwards, bool sequences, bool zeroOutput, double dropout = 0)
            => kind switch
            {
                "lstm" => new LSTM(5, useBias: bias, goBackwards: backwards, returnSequences: sequences, returnState: true,
                    zeroOutputForMask: zeroOutput, dropout: dropout, seed: 3),
                "gru" => new GRU(5, useBias: bias, goBackwards: backwards, returnSequences: sequences, returnState: true,
                    zeroOutputForMask: zeroOutput, dropout: dropout, seed: 3),
                "rnn_tanh" => new SimpleRNN(5, useBias: bias, goBackwards: backwards, returnSequences: sequences, returnState: true,
                    zeroOutputForMask: zeroOutput, dropout: dropout, seed: 3),
                _ => new SimpleRNN(5, activation: Microsoft.ML.Layers.Activations.Relu, useBias: bias, goBackwards: backwards,
                    returnSequences: sequences, returnState: true, zeroOutputForMask: zeroOutput, dropout: dropout, seed: 3),
            };

        private static Tensor? MakeMask(string mask, long batch, long steps)
        {
            if (mask == "none")
                return null;
            long[] lengths = mask == "full" ? Enumerable.Repeat(steps, (int)batch).ToArray() : new long[] { 7, 3, 1, 7 };
            return arange(steps).unsqueeze(0) < tensor(lengths).unsqueeze(1);
        }

        private static (Tensor[] Outputs, Tensor[] Grads) RunOnce(RecurrentLayer layer, Tensor x, Tensor? mask, Tensor[]? states,
            bool native, bool training = false)
        {
            layer.NativePathEnabled = native;
            var weights = new[] { layer.Kernel!, layer.RecurrentKernel!, layer.Bias }.Where(w => w is not null).Select(w => w!).ToArray();
            foreach (var w in weights)
                w.grad?.zero_();
            x.grad?.zero_();
            var outputs = states is null ? layer.ApplyAll(x, training, mask).ToArray()
                : layer.ApplyAll(new[] { x }.Concat(states).ToArray(), training).ToArray();
            Assert.Equal(native, layer.LastCallWasNative);
            // A generator of its own: other test classes draw from the global one in parallel.
            var generator = new TorchSharp.torch.Generator(11);
            var loss = outputs.Select(o => (o * randn(o.shape, generator: generator)).sum()).Aggregate((a, b) => a + b);
            loss.backward();
            var grads = weights.Select(w => w.grad!.clone()).ToList();
            if (states is not null)
                grads.AddRange(states.Select(s => s.grad!.clone()));
            if (x.requires_grad)
                grads.Add(x.grad!.clone());
            return (outputs.Select(o => o.detach().clone()).ToArray(), grads.ToArray());
        }

        private static void AssertSame(RecurrentLayer layer, Tensor x, Tensor? mask, Tensor[]? states = null, bool training = false)
        {
            if (states is not null)
                foreach (var s in states) s.requires_grad_(true);
            var (loopOut, loopGrads) = RunOnce(layer, x, mask, states, native: false, training);
            if (states is not null)
                foreach (var s in states) s.grad!.zero_();
            var (nativeOut, nativeGrads) = RunOnce(layer, x, mask, states, native: true, training);
            Assert.Equal(loopOut.Length, nativeOut.Length);
            for (int i = 0; i < loopOut.Length; i++)
                TensorAssert.Close(loopOut[i], nativeOut[i], 1e-4, 1e-5, $"output {i}");
            for (int i = 0; i < loopGrads.Length; i++)
                TensorAssert.Close(loopGrads[i], nativeGrads[i], 1e-3, 1e-4, $"gradient {i}");
        }

        [Theory]
        [MemberData(nameof(Configurations))]
        public void TheNativePathEqualsTheTimeLoop(string kind, bool bias, bool backwards, bool sequences, string mask, bool zeroOutput)
        {
            manual_seed(1);
            var layer = Make(kind, bias, backwards, sequences, zeroOutput);
            layer.EnsureBuilt(new Shape(4, 7, 6));
            layer.SetWeights(R.RandomWeights(layer));
            AssertSame(layer, randn(4, 7, 6), MakeMask(mask, 4, 7));
        }

        [Theory]
        [InlineData("lstm")]
        [InlineData("gru")]
        [InlineData("rnn_tanh")]
        public void InitialStatesAndTheirGradientsMatch(string kind)
        {
            manual_seed(2);
            var layer = Make(kind, true, false, true, false);
            layer.EnsureBuilt(new Shape(4, 7, 6));
            layer.SetWeights(R.RandomWeights(layer));
            var states = Enumerable.Range(0, kind == "lstm" ? 2 : 1).Select(_ => randn(4, 5)).ToArray();
            AssertSame(layer, randn(4, 7, 6), null, states);
        }

        [Theory]
        [InlineData("lstm", "none")]
        [InlineData("lstm", "right")]
        [InlineData("gru", "none")]
        [InlineData("gru", "right")]
        [InlineData("rnn_tanh", "right")]
        public void InputGradientsMatch(string kind, string mask)
        {
            // The input is a leaf of the native graph only when it needs a gradient (a layer after an Embedding).
            manual_seed(4);
            var layer = Make(kind, true, false, true, false);
            layer.EnsureBuilt(new Shape(4, 7, 6));
            layer.SetWeights(R.RandomWeights(layer));
            AssertSame(layer, randn(4, 7, 6).requires_grad_(true), MakeMask(mask, 4, 7));
        }

        [Theory]
        [InlineData("lstm")]
        [InlineData("gru")]
        public void InputDropoutInTrainingDrawsTheSameMask(string kind)
        {
            var layer = Make(kind, true, false, true, false, dropout: 0.3);
            layer.EnsureBuilt(new Shape(4, 7, 6));
            layer.SetWeights(R.RandomWeights(layer));
            var x = randn(4, 7, 6);
            layer.NativePathEnabled = false;
            var first = layer.ApplyAll(x, true).Select(o => o.detach().clone()).ToArray();
            // A fresh layer with the same seed draws the same dropout mask.
            var again = Make(kind, true, false, true, false, dropout: 0.3);
            again.EnsureBuilt(new Shape(4, 7, 6));
            again.SetWeights(layer.GetWeights());
            var second = again.ApplyAll(x, true).ToArray();
            Assert.True(again.LastCallWasNative);
            for (int i = 0; i < first.Length; i++)
                TensorAssert.Close(first[i], second[i], 1e-4, 1e-5, $"output {i}");
        }

        [Fact]
        public void ConfigurationsTheKernelCannotExpressFallBack()
        {
            var x = randn(2, 4, 3);
            var cases = new RecurrentLayer[]
            {
                new GRU(2, resetAfter: false),
                new LSTM(2, activation: Microsoft.ML.Layers.Activations.Relu),
                new GRU(2, recurrentActivation: Microsoft.ML.Layers.Activations.Get("hard_sigmoid")),
                new SimpleRNN(2, activation: Microsoft.ML.Layers.Activations.Get("sigmoid")),
            };
            foreach (var layer in cases)
            {
                layer.Apply(x);
                Assert.False(layer.LastCallWasNative, layer.GetType().Name);
            }
            var dropped = new LSTM(2, recurrentDropout: 0.5);
            dropped.Apply(x, training: true);
            Assert.False(dropped.LastCallWasNative, "recurrent dropout in training");
            dropped.Apply(x, training: false);
            Assert.True(dropped.LastCallWasNative, "recurrent dropout at inference");

            var lstm = new LSTM(2);
            var leftPadded = tensor(new[,] { { false, true, true, true }, { true, true, true, true } });
            lstm.Apply(x, mask: leftPadded);
            Assert.False(lstm.LastCallWasNative, "left padding");
            var hole = tensor(new[,] { { true, false, true, true }, { true, true, true, true } });
            lstm.Apply(x, mask: hole);
            Assert.False(lstm.LastCallWasNative, "a hole");
            var empty = tensor(new[,] { { false, false, false, false }, { true, true, true, true } });
            lstm.Apply(x, mask: empty);
            Assert.False(lstm.LastCallWasNative, "an empty row");
            lstm.Apply(x);
            Assert.True(lstm.LastCallWasNative, "plain call");
        }

        [Fact]
        public void AStatefulLayerCarriesItsStatesOnTheNativePath()
        {
            var native = new LSTM(3, stateful: true);
            var loop = new LSTM(3, stateful: true);
            native.EnsureBuilt(new Shape(2, 4, 3));
            loop.EnsureBuilt(new Shape(2, 4, 3));
            loop.SetWeights(native.GetWeights());
            loop.NativePathEnabled = false;
            for (int call = 0; call < 3; call++)
            {
                var x = randn(2, 4, 3);
                TensorAssert.Close(loop.Apply(x), native.Apply(x), 1e-4, 1e-5, $"call {call}");
                Assert.True(native.LastCallWasNative);
            }
        }
    }
}
