using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Runs a cell over a sequence (Keras's <c>RNN</c>): a <see cref="RecurrentCell"/> of the library (<see cref="LSTMCell"/>,
    /// <see cref="GRUCell"/>, <see cref="SimpleRNNCell"/>, <see cref="StackedRNNCells"/>) or one written by the user. The layer
    /// owns the time loop and everything around it, exactly as <see cref="LSTM"/>, <see cref="GRU"/> and <see cref="SimpleRNN"/>
    /// do (they are this loop with their cell folded in): masks, <c>returnSequences</c>, <c>returnState</c>, <c>goBackwards</c>,
    /// <c>stateful</c>, initial states, and <see cref="Bidirectional"/>.
    /// </summary>
    /// <remarks>
    /// <para>Input <c>(batch, timesteps, features)</c>, or a list <c>[sequence, state...]</c> with the cell's initial states
    /// (one per <see cref="RecurrentCell.StateSize"/> entry, each <c>(batch, size)</c>). Output <c>(batch, output_size)</c>, or
    /// <c>(batch, timesteps, output_size)</c> with <c>returnSequences</c>; with <c>returnState</c>,
    /// <see cref="Layer.ApplyAll(Tensor, bool?, Tensor?)"/> returns <c>[output, state...]</c>.</para>
    /// <para>Masks as in Keras: a masked step keeps the states and repeats the previous output (zeros with
    /// <c>zeroOutputForMask</c>). The cell's dropout masks are reset at each call, so a training call draws them once for its
    /// sequence (see <see cref="RecurrentCell.GetDropoutMasks"/>). <c>unroll</c> is accepted and changes nothing. The cell runs once per step (no fused kernel, no
    /// input projection before the loop): the built-in layers are faster for the same maths. Weights: the cell's. ONNX export is
    /// not available for it.</para>
    /// <para>The weight-related members inherited from <see cref="RecurrentLayer"/> (<see cref="RecurrentLayer.Kernel"/>,
    /// <see cref="RecurrentLayer.Activation"/>, initializers, dropout, ...) are unused here: the cell owns its weights and
    /// arguments. <see cref="RecurrentLayer.Units"/> is the cell's output size.</para>
    /// <code>
    /// var rnn = new RNN(new LSTMCell(32), returnSequences: true);   // as new LSTM(32, returnSequences: true)
    /// Tensor y = rnn.Apply(torch.randn(8, 10, 16));                 // (8, 10, 32)
    /// </code>
    /// </remarks>
    [RegisterLayer("RNN")]
    public sealed class RNN : RecurrentLayer
    {
        /// <summary>Creates the layer; the arguments and defaults are Keras 3's.</summary>
        /// <param name="cell">The cell run at every step (a list of cells is a <see cref="StackedRNNCells"/>).</param>
        /// <param name="returnSequences">Whether to return the output of every step rather than the last one.</param>
        /// <param name="returnState">Whether to return the final states after the output.</param>
        /// <param name="goBackwards">Whether to process the sequence backwards (the returned sequence is then reversed).</param>
        /// <param name="stateful">Whether the final states of a batch are the initial states of the next one.</param>
        /// <param name="unroll">Accepted for Keras compatibility; the loop runs eagerly either way.</param>
        /// <param name="zeroOutputForMask">Whether masked steps output zeros instead of repeating the previous output.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        /// <exception cref="ArgumentException">The cell has no state or a state or output size that is not positive.</exception>
        public RNN(RecurrentCell cell, bool returnSequences = false, bool returnState = false, bool goBackwards = false,
            bool stateful = false, bool unroll = false, bool zeroOutputForMask = false,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(OutputSizeOf(cell), null, false, null, null, null, null, null, null, null, null, null, null, 0.0, 0.0, null,
                returnSequences, returnState, goBackwards, stateful, unroll, zeroOutputForMask, name, trainable, dtype)
        {
            Cell = cell;
        }

        /// <summary>The cell run at every step.</summary>
        public RecurrentCell Cell { get; }

        private readonly object _autocastGate = new();

        private static int OutputSizeOf(RecurrentCell cell)
        {
            ArgumentNullException.ThrowIfNull(cell);
            var sizes = cell.StateSize;
            if (sizes is null || sizes.Count == 0 || sizes.Any(s => s <= 0) || cell.OutputSize <= 0)
            {
                throw new ArgumentException($"RNN needs a cell with at least one state and positive state and output sizes. Received: " +
                    $"cell '{cell.Name}' ({cell.GetType().Name}) with state_size=[{string.Join(", ", sizes ?? Array.Empty<int>())}], " +
                    $"output_size={(sizes is { Count: > 0 } ? cell.OutputSize : 0)}.", nameof(cell));
            }
            return cell.OutputSize;
        }

        /// <summary>One block: the cell's input is the step itself (the cell projects it).</summary>
        protected override int GateCount => 1;

        /// <summary>The cell's state count.</summary>
        protected override int StateCount => Cell.StateSize.Count;

        /// <inheritdoc />
        protected override string StateShapeDescription => "(batch, state_size[i])";

        /// <inheritdoc />
        private protected override IReadOnlyList<long[]> StateShapes(long[] stateShape)
            => Cell.StateSize.Select(size => new[] { stateShape[0], (long)size }).ToArray();

        /// <inheritdoc />
        private protected override Tensor[] ZeroStates(long[] stateShape)
            => Cell.GetInitialState(stateShape[0]).Select(s => s.to(ComputeDType)).ToArray();

        /// <summary>Builds the cell for one step <c>(batch, features)</c>; the layer itself has no weights.</summary>
        private protected override void BuildWeights(Shape inputShape, long features)
            => Cell.EnsureBuilt(new Shape(inputShape[0], features));

        /// <summary>The steps themselves: the cell reads each step's input as it is.</summary>
        protected override Tensor ProjectInputs(Tensor sequence, Tensor[]? inputMasks) => sequence;

        /// <inheritdoc />
        protected override Tensor[] Step(Tensor projectedInput, IReadOnlyList<Tensor> states, Tensor[]? recurrentMasks)
            => StepWithOutput(projectedInput, states.ToArray(), recurrentMasks, null).States;

        /// <summary>The cell's step: its output and new states, checked against its <see cref="RecurrentCell.StateSize"/>.</summary>
        private protected override (Tensor Output, Tensor[] States) StepWithOutput(Tensor projectedInput, Tensor[] states,
            Tensor[]? recurrentMasks, bool? training)
        {
            var (output, next) = Cell.Call(projectedInput, states, training);
            if (next is null || next.Count != states.Length)
            {
                throw new InvalidOperationException($"Layer '{Name}' (RNN): cell '{Cell.Name}' ({Cell.GetType().Name}) returned " +
                    $"{next?.Count ?? 0} state(s) from a step; its StateSize has {states.Length}.");
            }
            if (output is null || output.ndim != 2 || output.shape[1] != Units)
            {
                throw new InvalidOperationException($"Layer '{Name}' (RNN): cell '{Cell.Name}' ({Cell.GetType().Name}) returned an " +
                    $"output of shape {(output is null ? "null" : Shape.Of(output).ToString())} from a step; its OutputSize is {Units}, " +
                    $"so (batch, {Units}) was expected.");
            }
            return (output, next.ToArray());
        }

        /// <summary>
        /// Runs the sequence as <see cref="RecurrentLayer"/> does. The cell runs inside this call rather than through its own
        /// <c>Apply</c>, so its weights are read in this layer's compute dtype here (Keras's autocast under a mixed policy), with
        /// gradients flowing back to the full-precision weights.
        /// </summary>
        protected override IReadOnlyList<Tensor> CallOutputs(IReadOnlyList<Tensor> inputs, bool singleInput, bool? training,
            IReadOnlyList<Tensor?> masks)
        {
            // The cell's dropout masks are drawn at the first step of this call and serve every step of it (Keras's reset).
            Cell.ResetDropoutMasks();
            try
            {
                return CallWithCellWeights(inputs, singleInput, training, masks);
            }
            finally
            {
                Cell.ResetDropoutMasks();
            }
        }

        private IReadOnlyList<Tensor> CallWithCellWeights(IReadOnlyList<Tensor> inputs, bool singleInput, bool? training,
            IReadOnlyList<Tensor?> masks)
        {
            var casts = Cell.Weights.Where(w => w.Autocast && DTypes.IsFloating(w.dtype) && w.dtype != ComputeDType).ToList();
            if (casts.Count == 0)
                return base.CallOutputs(inputs, singleInput, training, masks);
            lock (_autocastGate)
            {
                var copies = casts.Select(w => w.to(ComputeDType)).ToList();
                for (int i = 0; i < casts.Count; i++)
                    casts[i].SwapHandleWith(copies[i]);
                try
                {
                    return base.CallOutputs(inputs, singleInput, training, masks);
                }
                finally
                {
                    for (int i = 0; i < casts.Count; i++)
                        casts[i].SwapHandleWith(copies[i]);
                }
            }
        }

        /// <summary>Keras's <c>RNN</c> config: the sequence arguments, then the cell, nested as <c>{"class_name", "config"}</c>.</summary>
        public override LayerConfig GetConfig() => SequenceConfig().With("cell", Cell);
    }
}
