using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Initializers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    // The time loop: input projection, masked steps, go_backwards, dropout masks.
    public abstract partial class RecurrentLayer
    {
        private Tensor[] Run(Tensor inputs, Tensor[]? initialState, bool? training, Tensor? mask)
        {
            long batch = inputs.shape[0], steps = inputs.shape[1];
            if (steps == 0)
                throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) needs at least one time step. Received: input shape " +
                    $"{Shape.Of(inputs)}.", nameof(inputs));
            // (batch, units), or (batch, rows, cols, filters) for a convolutional cell.
            var stateShape = new[] { batch }.Concat(StateShape(Shape.Of(inputs))).ToArray();
            bool train = training == true;
            if (TryRunNative(inputs, initialState, train, mask, stateShape) is { } native)
                return native;
            var stepMask = mask is null ? null : StepMask(mask, batch, steps, stateShape.Length - 1);

            var inputMasks = train && Dropout > 0 ? DropoutMasks(inputs.shape.Where((_, axis) => axis != 1).ToArray(), Dropout) : null;
            var recurrentMasks = train && RecurrentDropout > 0 ? DropoutMasks(stateShape, RecurrentDropout) : null;

            // Time-major, in processing order; one matrix product (or one convolution) projects every step.
            var sequence = (GoBackwards ? inputs.flip(1) : inputs).transpose(0, 1);
            // unbind, not select per step: its gradient is one stack, where each select's would be a zero-filled (timesteps, ...) tensor.
            var projected = ProjectInputs(sequence, inputMasks).unbind(0);

            var states = initialState ?? InitialStates(stateShape);
            var outputs = ReturnSequences ? new List<Tensor>((int)steps) : null;
            Tensor? previousOutput = stepMask is null ? null : zeros(stateShape, dtype: ComputeDType);
            Tensor last = null!;
            for (int t = 0; t < projected.Length; t++)
            {
                using var stepScope = NewDisposeScope();
                var (output, newStates) = StepWithOutput(projected[t], states, recurrentMasks, training);
                if (stepMask is not null)
                {
                    var keep = stepMask[t];
                    output = where(keep, output, ZeroOutputForMask ? zeros_like(output) : previousOutput!);
                    for (int i = 0; i < newStates.Length; i++)
                        newStates[i] = where(keep, newStates[i], states[i]);
                }
                // A cell may hand back a previous state unchanged (owned by an outer scope) or the output as one of its states.
                var fresh = newStates.Append(output).Distinct<Tensor>(ReferenceEqualityComparer.Instance)
                    .Where(s => !states.Any(p => ReferenceEquals(p, s))).ToArray();
                stepScope.MoveToOuter(fresh);
                states = newStates;
                previousOutput = output;
                last = output;
                outputs?.Add(output);
            }

            if (Stateful && !KerasTensor.IsProbing)
                KeepStates(states);
            var result = new Tensor[1 + (ReturnState ? states.Length : 0)];
            // The last output is the final h: returned with the states, it is a distinct tensor (an alias), as each output must be.
            result[0] = outputs is not null ? stack(outputs, 1) : ReturnState ? last.alias() : last;
            if (ReturnState)
                Array.Copy(states, 0, result, 1, states.Length);
            return result;
        }

        private Tensor StepMask(Tensor mask, long batch, long steps, int stateRank)
        {
            if (mask.ndim != 2 || mask.shape[0] != batch || mask.shape[1] != steps)
            {
                throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) needs a mask of shape (batch, timesteps) = ({batch}, " +
                    $"{steps}). Received: mask.shape={Shape.Of(mask)}.", nameof(mask));
            }
            var keep = mask.dtype == ScalarType.Bool ? mask : mask.to(ScalarType.Bool);
            if (GoBackwards)
                keep = keep.flip(1);
            // (timesteps, batch, 1, ...): broadcast over each sample's state.
            return keep.transpose(0, 1).reshape(new[] { steps, batch }.Concat(Enumerable.Repeat(1L, stateRank)).ToArray());
        }

        /// <summary>Keras's dropout masks of <paramref name="shape"/>: 0 with probability <paramref name="rate"/>, else
        /// <c>1 / (1 - rate)</c>; one, or one per gate.</summary>
        private Tensor[] DropoutMasks(long[] shape, double rate)
            => DrawDropoutMasks(shape, rate, DropoutMaskPerGate ? GateCount : 1, DropoutGenerator(), ComputeDType);

        /// <summary><paramref name="count"/> dropout masks of <paramref name="shape"/> drawn in turn from
        /// <paramref name="generator"/> (the global one when null): the draw the layers and the cells share, so that a cell and
        /// its layer with the same seed draw the same masks.</summary>
        internal static Tensor[] DrawDropoutMasks(long[] shape, double rate, int count, Generator? generator, ScalarType dtype)
        {
            double keep = 1 - rate;
            return Enumerable.Range(0, count)
                .Select(_ => bernoulli(ScalarMath.Full(shape, keep, ScalarType.Float32), generator).DivScalar_(keep).to(dtype))
                .ToArray();
        }

        private Generator? DropoutGenerator()
        {
            if (Seed is not long seed)
                return null;
            lock (_statesGate)
                return _dropoutGenerator ??= Sampling.GeneratorFor(seed);
        }
    }
}
