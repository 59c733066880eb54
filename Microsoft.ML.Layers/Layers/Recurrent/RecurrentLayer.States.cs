using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    // States: the initial states of a call, and the states a stateful layer carries between calls.
    public abstract partial class RecurrentLayer
    {
        /// <summary>
        /// The states a stateful layer carries to its next call (<c>[h]</c>, or <c>[h, c]</c> for an LSTM), as copies the
        /// caller owns; <see langword="null"/> before its first call or when the layer is not stateful.
        /// </summary>
        public IReadOnlyList<Tensor>? States
        {
            get
            {
                lock (_statesGate)
                    return _states?.Select(s => s.detach().clone()).ToList();
            }
        }

        /// <summary>
        /// Sets the states of a stateful layer back to zeros (Keras's <c>reset_state</c>); does nothing before its first call
        /// or when the layer is not stateful, like Keras.
        /// </summary>
        public void ResetStates()
        {
            lock (_statesGate)
            {
                if (_states is null)
                    return;
                using var noGrad = no_grad();
                foreach (var state in _states)
                    state.zero_();
            }
        }

        private Tensor[] InitialStates(long[] stateShape)
        {
            long batch = stateShape[0];
            if (Stateful)
            {
                lock (_statesGate)
                {
                    if (_states is not null)
                    {
                        if (_states[0].shape[0] != batch)
                        {
                            throw new ArgumentException(
                                $"Layer '{Name}' ({GetType().Name}) is stateful and keeps states for batches of {_states[0].shape[0]}; " +
                                $"received a batch of {batch}. A stateful recurrent layer needs the same batch size on every call (call " +
                                $"ResetStates only zeroes the states).");
                        }
                        return _states.Select(s => s.to(ComputeDType, copy: true)).ToArray();
                    }
                }
            }
            return ZeroStates(stateShape);
        }

        /// <summary>The initial states when none are given: <see cref="StateCount"/> zero tensors of <paramref name="stateShape"/>
        /// (<c>(batch, units)</c>) by default; <see cref="RNN"/> asks its cell.</summary>
        private protected virtual Tensor[] ZeroStates(long[] stateShape)
            => Enumerable.Range(0, StateCount).Select(_ => zeros(stateShape, dtype: ComputeDType)).ToArray();

        /// <summary>The shape of each state, batch first: <see cref="StateCount"/> times <paramref name="stateShape"/> by default;
        /// <see cref="RNN"/> reads its cell's state sizes.</summary>
        private protected virtual IReadOnlyList<long[]> StateShapes(long[] stateShape)
            => Enumerable.Repeat(stateShape, StateCount).ToArray();

        private void KeepStates(Tensor[] states)
        {
            var kept = states.Select(s => s.detach().to(DType, copy: true).DetachFromDisposeScope()).ToArray();
            lock (_statesGate)
            {
                var previous = _states;
                _states = kept;
                if (previous is not null)
                {
                    foreach (var state in previous)
                        state.Dispose();
                }
            }
        }
    }
}
