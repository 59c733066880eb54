using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using TorchSharp;
using static TorchSharp.torch;
using TorchModule = TorchSharp.torch.nn.Module;
using TsGru = TorchSharp.Modules.GRU;
using TsLstm = TorchSharp.Modules.LSTM;
using TsRnn = TorchSharp.Modules.RNN;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Runs one libtorch fused recurrent module (<c>nn.LSTM</c>/<c>nn.GRU</c>/<c>nn.RNN</c>, batch-first, one layer, one
    /// direction) on weights given in libtorch's layout, as an autograd function: the weights are inputs (computed from the
    /// Keras-layout weights by differentiable ops), so gradients flow back to the Keras weights. Modules come from a pool of
    /// the layer's; a module stays out of the pool while a graph that will be differentiated still needs its weights.
    /// </summary>
    internal sealed class NativeRecurrentFunction : autograd.MultiTensorFunction<NativeRecurrentFunction>
    {
        /// <inheritdoc />
        public override string Name => "NativeRecurrent";

        /// <summary>What one call needs besides its tensors.</summary>
        internal sealed class Call
        {
            public required NativeRecurrentPool Pool { get; init; }
            public long[]? Lengths { get; init; }
            public long Steps { get; init; }
        }

        /// <summary>
        /// Runs the module: <c>x</c> <c>(batch, steps, features)</c>, states <c>(1, batch, units)</c>, weights
        /// <c>w_ih, w_hh[, b_ih, b_hh]</c>. Returns <c>[output (batch, steps, units) with zeros at padded steps, h_n[, c_n]]</c>.
        /// </summary>
        internal static Tensor[] Run(Call call, Tensor x, Tensor[] states, Tensor[] weights)
        {
            bool needsGrad = is_grad_enabled()
                && (x.requires_grad || states.Any(s => s.requires_grad) || weights.Any(w => w.requires_grad));
            if (!needsGrad)
            {
                var module = call.Pool.Take();
                try
                {
                    using var noGrad = no_grad();
                    return Forward(module, call, x, states, weights);
                }
                finally
                {
                    call.Pool.Return(module);
                }
            }
            var args = new object[] { call, x }.Concat(states).Concat(weights).ToArray();
            return apply(args).ToArray();
        }

        private static Tensor[] Forward(TorchModule module, Call call, Tensor x, Tensor[] states, Tensor[] weights)
        {
            using (no_grad())
            {
                var parameters = module.parameters().ToArray();
                for (int i = 0; i < parameters.Length; i++)
                    parameters[i].copy_(weights[i]);
            }
            var pool = call.Pool;
            if (call.Lengths is null)
                return pool.Kind == NativeRecurrentKind.Lstm
                    ? ToArray(((TsLstm)module).call(x, (states[0], states[1])))
                    : ToArray(module is TsGru gruModule ? gruModule.call(x, states[0]) : ((TsRnn)module).call(x, states[0]));
            using var lengths = tensor(call.Lengths);
            using var packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first: true, enforce_sorted: false);
            Tensor[] result;
            nn.utils.rnn.PackedSequence packedOut;
            if (pool.Kind == NativeRecurrentKind.Lstm)
            {
                var (o, h, c) = ((TsLstm)module).call(packed, (states[0], states[1]));
                packedOut = o;
                result = new[] { null!, h, c };
            }
            else
            {
                var (o, h) = module is TsGru gru ? gru.call(packed, states[0]) : ((TsRnn)module).call(packed, states[0]);
                packedOut = o;
                result = new[] { null!, h };
            }
            using (packedOut)
            {
                var (padded, _) = nn.utils.rnn.pad_packed_sequence(packedOut, batch_first: true, total_length: call.Steps);
                result[0] = padded;
            }
            return result;
        }

        private static Tensor[] ToArray((Tensor, Tensor, Tensor) r) => new[] { r.Item1, r.Item2, r.Item3 };

        private static Tensor[] ToArray((Tensor, Tensor) r) => new[] { r.Item1, r.Item2 };

        /// <inheritdoc />
        public override List<Tensor> forward(autograd.AutogradContext ctx, params object[] vars)
        {
            // The outputs' wrappers may be disposed before backward: grads of unused outputs are made in backward instead.
            ctx.set_materialize_grads(false);
            var call = (Call)vars[0];
            var tensors = vars.Skip(1).Cast<Tensor>().ToArray();
            int stateCount = call.Pool.Kind == NativeRecurrentKind.Lstm ? 2 : 1;
            var lease = new NativeRecurrentPool.Lease(call.Pool);
            using var enableGrad = enable_grad();
            // Leaves of an inner graph, differentiated in backward; saved as the context's variables, which the graph owns
            // (freed with it, whether or not backward runs).
            // Only inputs and states that need gradients become differentiable leaves: a first layer's input gradient (one more
            // matmul over every step) is not computed when nothing asks for it.
            var differentiable = tensors.Take(1 + stateCount).Select(t => t.requires_grad).ToArray();
            var leaves = tensors.Take(1 + stateCount)
                .Select(t => t.requires_grad ? t.detach().requires_grad_(true) : t.detach())
                .ToArray();
            var outputs = Forward(lease.Module, call, leaves[0], leaves[1..], tensors[(1 + stateCount)..]);
            // The module's own parameters are the leaves of the inner graph's weights: differentiate w.r.t. them.
            var parameters = lease.Module.parameters().Cast<Tensor>();
            ctx.save_for_backward(leaves.Concat(parameters).Concat(outputs).ToList());
            ctx.save_data("lease", lease);
            ctx.save_data("differentiable", differentiable);
            ctx.save_data("outputs", outputs.Length);
            return outputs.Select(o => o.detach()).ToList();
        }

        /// <inheritdoc />
        public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> grad_outputs)
        {
            var lease = (NativeRecurrentPool.Lease)ctx.get_data("lease");
            int outputCount = (int)ctx.get_data("outputs");
            var saved = ctx.get_saved_variables();
            var differentiable = (bool[])ctx.get_data("differentiable");
            var inputs = saved.Take(saved.Count - outputCount)
                .Where((_, i) => i >= differentiable.Length || differentiable[i])
                .ToArray();
            var outputs = saved.Skip(saved.Count - outputCount).ToArray();
            var grads = outputs.Select((o, i) => i < grad_outputs.Count && grad_outputs[i] is { IsInvalid: false } g ? g : zeros_like(o))
                .ToArray();
            IList<Tensor> computed;
            using (enable_grad())
                computed = autograd.grad(outputs, inputs, grads, allow_unused: true);
            lease.Release();
            // One gradient per argument: none for the Call argument and for inputs or states that need none.
            var result = new List<Tensor> { null! };
            int next = 0;
            foreach (bool needsGrad in differentiable)
                result.Add(needsGrad ? computed[next++] : null!);
            result.AddRange(computed.Skip(next));
            return result;
        }
    }

    /// <summary>The libtorch modules one recurrent layer runs on (created on demand, reused; weights copied in per call).</summary>
    internal sealed class NativeRecurrentPool : IDisposable
    {
        private readonly Stack<TorchModule> _modules = new();
        // Every module made, lent or not: a lent module must stay reachable, or its finalizer could free it together with the
        // lease that would return it to the pool.
        private readonly List<TorchModule> _all = new();
        private int _lent;

        public NativeRecurrentPool(NativeRecurrentKind kind, long features, long units, bool bias)
        {
            Kind = kind;
            Features = features;
            Units = units;
            UseBias = bias;
        }

        public NativeRecurrentKind Kind { get; }

        public long Features { get; }

        public long Units { get; }

        public bool UseBias { get; }

        public TorchModule Take()
        {
            lock (_modules)
            {
                if (_modules.Count > 0)
                    return _modules.Pop();
            }
            if (Volatile.Read(ref _lent) > 0)
            {
                // Modules lent to graphs that were dropped without backward come back when their leases are finalized. In
                // training every lease returns on backward, so a miss happens only while the pool grows (the first step of a
                // layer called several times per step) or after a call with gradients on and no backward (the library's
                // evaluation and prediction run without gradients); one collection then recovers the module, which keeps
                // memory flat instead of growing the pool.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                lock (_modules)
                {
                    if (_modules.Count > 0)
                        return _modules.Pop();
                }
            }
            using var noGrad = no_grad();
            TorchModule created = Kind switch
            {
                NativeRecurrentKind.Lstm => nn.LSTM(Features, Units, bias: UseBias, batchFirst: true),
                NativeRecurrentKind.Gru => nn.GRU(Features, Units, bias: UseBias, batchFirst: true),
                NativeRecurrentKind.RnnTanh => nn.RNN(Features, Units, nonLinearity: nn.NonLinearities.Tanh, bias: UseBias,
                    batchFirst: true),
                _ => nn.RNN(Features, Units, nonLinearity: nn.NonLinearities.ReLU, bias: UseBias, batchFirst: true),
            };
            // A module created inside a dispose scope would lose its parameters when the scope closes.
            foreach (var parameter in created.parameters())
                parameter.DetachFromDisposeScope();
            lock (_modules)
                _all.Add(created);
            return created;
        }

        public void Return(TorchModule module)
        {
            lock (_modules)
                _modules.Push(module);
        }

        /// <summary>
        /// A module lent to one differentiable call: its parameters hold that call's weights until the graph is differentiated
        /// (<see cref="Release"/>) or freed without backward (the finalizer, once the graph's context is gone).
        /// </summary>
        internal sealed class Lease
        {
            private readonly NativeRecurrentPool _pool;
            private int _released;

            public Lease(NativeRecurrentPool pool)
            {
                _pool = pool;
                Module = pool.Take();
                Interlocked.Increment(ref pool._lent);
            }

            public TorchModule Module { get; }

            public void Release()
            {
                if (Interlocked.Exchange(ref _released, 1) == 0)
                {
                    Interlocked.Decrement(ref _pool._lent);
                    _pool.Return(Module);
                    GC.SuppressFinalize(this);
                }
            }

            ~Lease() => Release();
        }

        public void Dispose()
        {
            lock (_modules)
            {
                _modules.Clear();
                foreach (var module in _all)
                    module.Dispose();
                _all.Clear();
            }
        }
    }
}
