using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Recurrent
{
    /// <summary>
    /// The recurrent cells and Keras's time loop written out directly with TorchSharp ops, independently of the layers:
    /// each gate sliced from the Keras-layout weights by hand, one step at a time, masks applied arithmetically.
    /// </summary>
    internal static class RecurrentReference
    {
        /// <summary>A step: the input at t <c>(batch, features...)</c> and the states; returns the new states (the first is the output).</summary>
        public delegate Tensor[] StepFunction(Tensor input, Tensor[] states);

        /// <summary>
        /// Keras's loop: steps in time order (or reversed), a masked row keeps its states and repeats its previous output
        /// (zeros before any unmasked step). Returns the outputs in processing order, <c>(batch, timesteps, units)</c>, and the final states.
        /// </summary>
        public static (Tensor Outputs, Tensor[] States) Run(Tensor x, Tensor[] initialStates, StepFunction step, Tensor? mask = null, bool backwards = false)
        {
            long steps = x.shape[1];
            var states = initialStates;
            var previous = zeros_like(initialStates[0]);
            var outputs = new List<Tensor>();
            for (long n = 0; n < steps; n++)
            {
                long t = backwards ? steps - 1 - n : n;
                var next = step(x.select(1, t), states);
                var output = next[0];
                if (mask is not null)
                {
                    // (batch, 1, ...): one value per sample, over the whole state (a vector, or a feature map).
                    var m = mask.select(1, t).to(x.dtype).reshape(new[] { x.shape[0] }.Concat(Enumerable.Repeat(1L, (int)states[0].ndim - 1)).ToArray());
                    next = next.Select((s, i) => m * s + (1 - m) * states[i]).ToArray();
                    output = m * output + (1 - m) * previous;
                }
                outputs.Add(output);
                previous = output;
                states = next;
            }
            return (stack(outputs, 1), states);
        }

        /// <summary>Zero states of <paramref name="count"/> × (batch, units).</summary>
        public static Tensor[] Zeros(long batch, long units, int count = 1) => Enumerable.Range(0, count).Select(_ => zeros(batch, units)).ToArray();

        private static Tensor Block(Tensor weight, int gate, long units) => weight.narrow(-1, gate * units, units);

        /// <summary>SimpleRNN: <c>tanh(x K + h U + b)</c>.</summary>
        public static StepFunction SimpleRnn(Tensor kernel, Tensor recurrentKernel, Tensor bias)
            => (x, s) => new[] { tanh(x.mm(kernel) + s[0].mm(recurrentKernel) + bias) };

        /// <summary>LSTM with Keras's gate order i, f, c, o in the kernels' columns.</summary>
        public static StepFunction Lstm(Tensor kernel, Tensor recurrentKernel, Tensor bias)
        {
            long u = recurrentKernel.shape[0];
            Tensor Pre(int gate, Tensor x, Tensor h) => x.mm(Block(kernel, gate, u)) + h.mm(Block(recurrentKernel, gate, u)) + Block(bias, gate, u);
            return (x, s) =>
            {
                var h = s[0];
                var c = s[1];
                var i = sigmoid(Pre(0, x, h));
                var f = sigmoid(Pre(1, x, h));
                var candidate = tanh(Pre(2, x, h));
                var o = sigmoid(Pre(3, x, h));
                var newC = f * c + i * candidate;
                return new[] { o * tanh(newC), newC };
            };
        }

        /// <summary>GRU with Keras's gate order z, r, h; <paramref name="bias"/> is (2, 3u) when <paramref name="resetAfter"/>, else (3u,).</summary>
        public static StepFunction Gru(Tensor kernel, Tensor recurrentKernel, Tensor bias, bool resetAfter)
        {
            long u = recurrentKernel.shape[0];
            var inputBias = resetAfter ? bias[0] : bias;
            var recurrentBias = resetAfter ? bias[1] : zeros(3 * u);
            return (x, s) =>
            {
                var h = s[0];
                Tensor X(int gate) => x.mm(Block(kernel, gate, u)) + Block(inputBias, gate, u);
                Tensor H(int gate, Tensor state) => state.mm(Block(recurrentKernel, gate, u)) + Block(recurrentBias, gate, u);
                var z = sigmoid(X(0) + H(0, h));
                var r = sigmoid(X(1) + H(1, h));
                var candidate = resetAfter ? tanh(X(2) + r * H(2, h)) : tanh(X(2) + H(2, r * h));
                return new[] { z * h + (1 - z) * candidate };
            };
        }

        /// <summary>Random weights of the given shapes, scaled to keep the gates away from saturation.</summary>
        public static Array[] RandomWeights(RecurrentLayer layer)
            => layer.Weights.Select(w => (Array)WeightArrays.ToArray(randn(w.shape) * 0.5f)).ToArray();
    }
}
