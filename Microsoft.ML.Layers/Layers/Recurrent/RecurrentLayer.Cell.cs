using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Initializers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    // The cell: what a subclass describes (gate and state counts, shapes) and writes (Step), and the products it uses.
    public abstract partial class RecurrentLayer
    {
        /// <summary>The number of gate blocks in the kernels' columns: 1 (SimpleRNN), 4 (LSTM: i, f, c, o), 3 (GRU: z, r, h).</summary>
        protected abstract int GateCount { get; }

        /// <summary>The number of states: 1 (<c>[h]</c>) or 2 (<c>[h, c]</c>).</summary>
        protected abstract int StateCount { get; }

        /// <summary>Whether dropout draws one mask per gate (Keras's <c>implementation=1</c>) rather than one for all.</summary>
        protected virtual bool DropoutMaskPerGate => false;

        /// <summary>
        /// The rank of the sequence input: 3, <c>(batch, timesteps, features)</c>, by default; 5 for a 2-D convolutional cell.
        /// It is read in the base constructor, so an override must return a constant.
        /// </summary>
        protected virtual int SequenceRank => 3;

        /// <summary>The axis of the sequence input that holds the features (the channels of a convolutional cell); the last by
        /// default.</summary>
        protected virtual int FeatureAxis => -1;

        /// <summary>How errors describe the shape of one state: <c>(batch, units)</c> by default.</summary>
        protected virtual string StateShapeDescription => "(batch, units)";

        /// <summary>
        /// The shape of one sample's state (and of one step's output) for a sequence of shape <paramref name="sequenceShape"/>:
        /// <c>(units,)</c> by default. An override throws, naming the layer, when the sequence's shape cannot give one.
        /// </summary>
        protected virtual long[] StateShape(Shape sequenceShape) => new long[] { Units };

        /// <summary>The kernel's shape for <paramref name="features"/> input features: <c>(features, gates * units)</c> by
        /// default.</summary>
        protected virtual Shape KernelShape(long features) => new(features, GateCount * Units);

        /// <summary>The recurrent kernel's shape: <c>(units, gates * units)</c> by default.</summary>
        protected virtual Shape RecurrentKernelShape => new(Units, GateCount * Units);

        /// <summary>The bias's shape; <c>(gates * units,)</c> by default.</summary>
        protected virtual Shape BiasShape => new(GateCount * Units);

        /// <summary>The initializer the bias is created with; <see cref="BiasInitializer"/> by default.</summary>
        protected virtual Initializer BuildBiasInitializer => BiasInitializer;

        /// <summary>The bias added to the input projection (before the time loop); the whole bias by default.</summary>
        protected virtual Tensor? InputBias => _bias;

        /// <summary>
        /// One time step of the cell, on the whole batch: the new states (the first one is the step's output).
        /// </summary>
        /// <param name="projectedInput">This step's input projection <c>x_t @ kernel + input bias</c>,
        /// <c>(batch, gates * units)</c>.</param>
        /// <param name="states">The previous states, each <c>(batch, units)</c>.</param>
        /// <param name="recurrentMasks">The recurrent dropout masks (one, or one per gate), or null; pass them to
        /// <see cref="RecurrentProduct"/>.</param>
        protected abstract Tensor[] Step(Tensor projectedInput, IReadOnlyList<Tensor> states, Tensor[]? recurrentMasks);

        /// <summary>One time step as the loop runs it: the step's output and the new states. By default <see cref="Step"/>, whose
        /// first state is the output; <see cref="RNN"/> runs its cell, whose output may differ from its first state.</summary>
        private protected virtual (Tensor Output, Tensor[] States) StepWithOutput(Tensor projectedInput, Tensor[] states,
            Tensor[]? recurrentMasks, bool? training)
        {
            var newStates = Step(projectedInput, states, recurrentMasks);
            return (newStates[0], newStates);
        }

        /// <summary>
        /// <c>h @ recurrent_kernel</c> restricted to the gate blocks <c>[firstGate, firstGate + gates)</c>, with <paramref name="h"/>
        /// multiplied by each gate's recurrent dropout mask when there are masks.
        /// </summary>
        protected Tensor RecurrentProduct(Tensor h, Tensor[]? recurrentMasks, int firstGate, int gates)
            => KernelProduct(h, _recurrentKernel!, Units, recurrentMasks, firstGate, gates);

        /// <summary>
        /// <c>h @ kernel</c> restricted to the gate blocks <c>[firstGate, firstGate + gates)</c> of <paramref name="units"/> columns
        /// each, with each gate's recurrent dropout mask applied to <paramref name="h"/> when there are masks: the product the
        /// recurrent layers and their cells (<see cref="LSTMCell"/>, <see cref="GRUCell"/>, <see cref="SimpleRNNCell"/>) share.
        /// </summary>
        internal static Tensor KernelProduct(Tensor h, Tensor kernel, int units, Tensor[]? recurrentMasks, int firstGate, int gates)
        {
            bool all = gates * units == kernel.shape[1];
            if (recurrentMasks is null)
                return all ? h.matmul(kernel) : h.matmul(kernel.narrow(1, firstGate * units, gates * units));
            if (recurrentMasks.Length == 1)
            {
                var masked = h * recurrentMasks[0];
                return all ? masked.matmul(kernel) : masked.matmul(kernel.narrow(1, firstGate * units, gates * units));
            }
            var parts = Enumerable.Range(firstGate, gates).Select(g => (h * recurrentMasks[g]).matmul(kernel.narrow(1, g * units, units)))
                .ToArray();
            return parts.Length == 1 ? parts[0] : cat(parts, 1);
        }

        /// <summary><c>addend + h @ recurrent_kernel</c> over all gates: one fused <c>addmm</c> without recurrent dropout.</summary>
        protected Tensor AddRecurrentProduct(Tensor addend, Tensor h, Tensor[]? recurrentMasks)
            => AddKernelProduct(addend, h, _recurrentKernel!, Units, recurrentMasks);

        /// <summary><c>addend + h @ kernel</c> over all gates (one fused <c>addmm</c> without recurrent dropout), shared with the
        /// cells.</summary>
        internal static Tensor AddKernelProduct(Tensor addend, Tensor h, Tensor kernel, int units, Tensor[]? recurrentMasks)
            => recurrentMasks is null ? addend.addmm(h, kernel)
                : addend.Plus(KernelProduct(h, kernel, units, recurrentMasks, 0, (int)(kernel.shape[1] / units)));

        /// <summary>
        /// The input projection of every step at once, before the time loop: <c>x @ kernel + input bias</c> on the
        /// time-major <paramref name="sequence"/> <c>(timesteps, batch, features...)</c>, each input dropout mask (one, or one per
        /// gate, shaped like one step) applied first. Returns <c>(timesteps, batch, ...)</c>; step t is what <see cref="Step"/> receives.
        /// </summary>
        protected virtual Tensor ProjectInputs(Tensor sequence, Tensor[]? inputMasks)
        {
            var kernel = _kernel!;
            var bias = InputBias;
            Tensor projected;
            if (inputMasks is null)
                projected = sequence.matmul(kernel);
            else if (inputMasks.Length == 1)
                projected = (sequence * inputMasks[0]).matmul(kernel);
            else
                projected = cat(Enumerable.Range(0, GateCount)
                    .Select(g => (sequence * inputMasks[g]).matmul(kernel.narrow(1, g * Units, Units))).ToArray(), -1);
            return bias is null ? projected : projected.Plus(bias);
        }
    }
}
