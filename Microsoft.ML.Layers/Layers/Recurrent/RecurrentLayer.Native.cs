using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    // The native path: libtorch's fused LSTM/GRU/RNN kernels when the configuration and the mask allow it.
    public abstract partial class RecurrentLayer
    {
        private NativeRecurrentPool? _nativePool;

        /// <summary>
        /// Whether layers created from now on may take the fused kernels; <c>MLLAYERS_RECURRENT_NATIVE=0</c> turns them off
        /// process-wide (diagnostics, before/after measurements of copies a trainer makes).
        /// </summary>
        internal static bool NativeByDefault { get; set; } = Environment.GetEnvironmentVariable("MLLAYERS_RECURRENT_NATIVE") != "0";

        /// <summary>Whether calls may take libtorch's fused kernels (tests turn it off to compare with the time loop).</summary>
        internal bool NativePathEnabled { get; set; } = NativeByDefault;

        /// <summary>Whether the last call ran on libtorch's fused kernel (for tests).</summary>
        internal bool LastCallWasNative { get; private set; }

        /// <summary>The fused kernel this layer's configuration maps to, ignoring the call (mask, training); none by default.</summary>
        internal virtual NativeRecurrentKind NativeKind => NativeRecurrentKind.None;

        /// <summary>The layer's weights in libtorch's layout: <c>w_ih (gates * units, features), w_hh[, b_ih, b_hh]</c>, built with
        /// differentiable ops so gradients reach the Keras-layout weights.</summary>
        internal virtual Tensor[] NativeWeights()
        {
            var weights = new[] { _kernel!.t(), _recurrentKernel!.t() };
            return _bias is null ? weights : weights.Concat(new[] { (Tensor)_bias, zeros_like(_bias) }).ToArray();
        }

        /// <summary>
        /// Runs the call on the fused kernel when it can express it, or returns null (the time loop then runs). Right-padded
        /// masks (each row ones then zeros, at least one step) run as packed sequences with the time loop's semantics.
        /// </summary>
        private Tensor[]? TryRunNative(Tensor inputs, Tensor[]? initialState, bool train, Tensor? mask, long[] stateShape)
        {
            LastCallWasNative = false;
            var kind = NativeKind;
            if (kind == NativeRecurrentKind.None || !NativePathEnabled || ComputeDType != ScalarType.Float32
                || inputs.dtype != ScalarType.Float32 || inputs.device_type != DeviceType.CPU
                || (train && (RecurrentDropout > 0 || (Dropout > 0 && DropoutMaskPerGate))))
                return null;
            long batch = inputs.shape[0], steps = inputs.shape[1];
            long[]? lengths = null;
            Tensor? valid = null; // (batch, steps) bool, in input order
            if (mask is not null)
            {
                if (mask.ndim != 2 || mask.shape[0] != batch || mask.shape[1] != steps)
                    return null; // the time loop reports it
                var keep = mask.dtype == ScalarType.Bool ? mask : mask.to(ScalarType.Bool);
                var lengthTensor = keep.sum(1, type: ScalarType.Int64);
                using var stepCount = steps.ToScalar();
                var rightPadded = arange(Scalars.IntZero, stepCount, Scalars.IntOne, ScalarType.Int64).unsqueeze(0) < lengthTensor.unsqueeze(1);
                if (!rightPadded.eq(keep).all().item<bool>())
                    return null;
                var lengthArray = lengthTensor.data<long>().ToArray();
                if (lengthArray.Any(l => l == 0))
                    return null;
                if (lengthArray.Any(l => l != steps))
                {
                    lengths = lengthArray;
                    valid = rightPadded;
                }
            }

            var inputMasks = train && Dropout > 0 ? DropoutMasks(new[] { batch, inputs.shape[2] }, Dropout) : null;
            var x = inputMasks is null ? inputs : inputs * inputMasks[0].unsqueeze(1);
            if (GoBackwards)
                x = lengths is null ? x.flip(1) : x.gather(1, ReverseValidIndex(lengths, steps, 0).unsqueeze(2).expand(x.shape));
            var states = initialState ?? InitialStates(stateShape);
            var pool = _nativePool;
            if (pool is null || pool.Features != inputs.shape[2])
                pool = _nativePool = new NativeRecurrentPool(kind, inputs.shape[2], Units, UseBias);
            var call = new NativeRecurrentFunction.Call { Pool = pool, Lengths = lengths, Steps = steps };
            var run = NativeRecurrentFunction.Run(call, x, states.Select(s => s.unsqueeze(0)).ToArray(), NativeWeights());
            var finalStates = run.Skip(1).Select(s => s.squeeze(0)).ToArray();
            var sequence = run[0]; // processing order, zeros after each row's length
            if (lengths is not null)
            {
                if (GoBackwards)
                {
                    // The time loop sees the flipped mask (zeros then ones): zero outputs first, then the valid steps.
                    var shift = ReverseValidIndex(lengths, steps, 1);
                    var moved = sequence.gather(1, shift.unsqueeze(2).expand(sequence.shape));
                    sequence = where(valid!.flip(1).unsqueeze(2), moved, zeros_like(moved));
                }
                else if (!ZeroOutputForMask)
                {
                    // Masked steps repeat the last valid output, which is the final h.
                    sequence = where(valid!.unsqueeze(2), sequence, finalStates[0].unsqueeze(1).expand(sequence.shape));
                }
            }

            if (Stateful && !KerasTensor.IsProbing)
                KeepStates(finalStates);
            var result = new Tensor[1 + (ReturnState ? finalStates.Length : 0)];
            var last = lengths is null ? finalStates[0] : sequence.select(1, steps - 1);
            result[0] = ReturnSequences ? sequence : ReturnState && ReferenceEquals(last, finalStates[0]) ? last.alias() : last;
            if (ReturnState)
                Array.Copy(finalStates, 0, result, 1, finalStates.Length);
            LastCallWasNative = true;
            return result;
        }

        /// <summary>
        /// Per row, a gather index over the steps. <paramref name="mode"/> 0: reverses the valid prefix (<c>len - 1 - t</c> for
        /// <c>t &lt; len</c>, else <c>t</c>). Mode 1: moves the valid prefix to the end (<c>t - (steps - len)</c>, clamped at 0).
        /// </summary>
        private static Tensor ReverseValidIndex(long[] lengths, long steps, int mode)
        {
            var index = new long[lengths.Length * steps];
            for (int b = 0; b < lengths.Length; b++)
            {
                long len = lengths[b];
                for (long t = 0; t < steps; t++)
                    index[b * steps + t] = mode == 0 ? (t < len ? len - 1 - t : t) : Math.Max(0, t - (steps - len));
            }
            return tensor(index, new[] { (long)lengths.Length, steps });
        }
    }
}
