using System;
using System.Collections.Generic;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Regularizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The base of the recurrent layers (<see cref="SimpleRNN"/>, <see cref="LSTM"/>, <see cref="GRU"/>, <see cref="ConvLSTM2D"/>): Keras's
    /// <c>RNN</c>
    /// layer with its cell folded in. It owns the weights (<c>kernel</c>, <c>recurrent_kernel</c>, <c>bias</c>, in Keras's
    /// layout), the time loop, masks, <c>go_backwards</c>, <c>return_sequences</c>/<c>return_state</c>, stateful states and
    /// dropout masks; a subclass writes only one time step (<see cref="Step"/>).
    /// </summary>
    /// <remarks>
    /// <para>Input <c>(batch, timesteps, features)</c>, or a list <c>[sequence, state...]</c> to start from given states
    /// (Keras's <c>initial_state</c>; each state <c>(batch, units)</c>, gradients flow into them). Output <c>(batch, units)</c>,
    /// or <c>(batch, timesteps, units)</c> with <c>returnSequences</c>; with <c>returnState</c>,
    /// <see cref="Layer.ApplyAll(Tensor, bool?, Tensor?)"/> returns <c>[output, state...]</c> and
    /// <see cref="Layer.Apply(Tensor, bool?, Tensor?)"/> the output.</para>
    /// <para>The input projection of every time step is one matrix product before the loop; each step then adds the
    /// recurrent product (a fused <c>addmm</c> when no recurrent dropout applies) and runs the cell's gates, all on the
    /// whole batch.</para>
    /// <para>Masks: a masked step leaves the states unchanged and repeats the previous output (zeros before the first
    /// unmasked step, or always zeros with <c>zeroOutputForMask</c>), as Keras does. The output carries the input mask
    /// when <c>returnSequences</c> is set, and no mask otherwise.</para>
    /// <para>Stateful layers (<c>stateful: true</c>) start each call from the final states of the previous one (zeros at first
    /// and after <see cref="ResetStates"/>), which needs the same batch size on every call; states given in the call take
    /// precedence. Calls that only trace a functional model leave the states alone.</para>
    /// <para>Dropout (training only) draws one mask per call, shared by every time step: one for the inputs and one for
    /// the recurrent state, or one per gate when the cell uses Keras's <c>implementation=1</c> (always the case with a
    /// recurrent dropout).</para>
    /// <code>
    /// var encoder = new LSTM(32, returnState: true);
    /// var states = encoder.ApplyAll(source);                                   // [output, h, c]
    /// var decoded = new LSTM(32, returnSequences: true).Apply(new[] { target, states[1], states[2] });
    /// </code>
    /// <para>What a subclass writes (the base class does the rest: weights, loop, masks, states, dropout, config):</para>
    /// <list type="table">
    /// <listheader><term>The cell ...</term><description>Override</description></listheader>
    /// <item><term>every cell (required)</term><description><see cref="GateCount"/> (the gate blocks in the kernels' columns),
    /// <see cref="StateCount"/> (1 for <c>[h]</c>, 2 for <c>[h, c]</c>) and <see cref="Step"/>: one time step on the whole batch,
    /// from the step's input projection and the previous states to the new states (the first is the output). Inside it,
    /// <see cref="AddRecurrentProduct"/> or <see cref="RecurrentProduct"/> give <c>h @ recurrent_kernel</c> with recurrent
    /// dropout applied.</description></item>
    /// <item><term>has arguments of its own</term><description><see cref="Layer.GetConfig"/>
    /// (<c>base.GetConfig().With(...)</c>), and the constructor's parameters named after the config's keys (or a static
    /// <c>FromConfig</c>).</description></item>
    /// <item><term>draws one dropout mask per gate</term><description><see cref="DropoutMaskPerGate"/> (Keras's
    /// <c>implementation=1</c>).</description></item>
    /// <item><term>lays out its bias differently</term><description><see cref="BiasShape"/>, <see cref="InputBias"/> (the part
    /// added before the loop; GRU's <c>reset_after</c>), <see cref="BuildBiasInitializer"/> (LSTM's
    /// <c>unit_forget_bias</c>).</description></item>
    /// <item><term>is convolutional or has other state shapes</term><description><see cref="SequenceRank"/>,
    /// <see cref="FeatureAxis"/>, <see cref="StateShape"/>, <see cref="StateShapeDescription"/>, <see cref="KernelShape"/>,
    /// <see cref="RecurrentKernelShape"/> and <see cref="ProjectInputs"/> (as <see cref="ConvLSTM2D"/> does).</description></item>
    /// </list>
    /// <para><c>Build</c>, <c>Call</c>, <c>CallOutputs</c>, <c>ComputeMask</c> and <c>ComputeOutputShape</c> are written here
    /// for every recurrent layer: a subclass leaves them alone. Gate maths shared by several layers goes into one static
    /// helper (<see cref="LSTM"/>'s cell is reused by <see cref="ConvLSTM2D"/>).</para>
    /// </remarks>
    public abstract partial class RecurrentLayer : Layer
    {
        private readonly object _statesGate = new();
        private Parameter? _kernel;
        private Parameter? _recurrentKernel;
        private Parameter? _bias;
        private Tensor[]? _states;
        private Generator? _dropoutGenerator;
        // Checked here rather than through Layer.InputSpec, which would apply to the initial states of a list call too.
        private InputSpec _sequenceSpec;

        /// <summary>Creates a recurrent layer with the arguments every Keras recurrent layer shares.</summary>
        /// <param name="units">The size of the output and of each state; positive.</param>
        /// <param name="activation">The output activation; <see langword="null"/> is linear.</param>
        /// <param name="useBias">Whether the layer has a bias.</param>
        /// <param name="kernelInitializer">Default <c>glorot_uniform</c>.</param>
        /// <param name="recurrentInitializer">Default <c>orthogonal</c>.</param>
        /// <param name="biasInitializer">Default <c>zeros</c>.</param>
        /// <param name="kernelRegularizer">Penalty on the kernel.</param>
        /// <param name="recurrentRegularizer">Penalty on the recurrent kernel.</param>
        /// <param name="biasRegularizer">Penalty on the bias.</param>
        /// <param name="activityRegularizer">Penalty on the outputs.</param>
        /// <param name="kernelConstraint">Projection of the kernel after each optimizer step.</param>
        /// <param name="recurrentConstraint">Projection of the recurrent kernel after each optimizer step.</param>
        /// <param name="biasConstraint">Projection of the bias after each optimizer step.</param>
        /// <param name="dropout">Fraction of the inputs dropped in training, in [0, 1).</param>
        /// <param name="recurrentDropout">Fraction of the recurrent state dropped in training, in [0, 1).</param>
        /// <param name="seed">Seed of the dropout masks; <see langword="null"/> draws from TorchSharp's global generator.</param>
        /// <param name="returnSequences">Whether to return the output of every step rather than the last one.</param>
        /// <param name="returnState">Whether to return the final states after the output.</param>
        /// <param name="goBackwards">Whether to process the sequence backwards (the returned sequence is then reversed).</param>
        /// <param name="stateful">Whether the final states of a batch are the initial states of the next one.</param>
        /// <param name="unroll">Accepted for Keras compatibility; the loop runs eagerly either way.</param>
        /// <param name="zeroOutputForMask">Whether masked steps output zeros instead of repeating the previous output.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        protected RecurrentLayer(int units, Activation? activation, bool useBias,
            Initializer? kernelInitializer, Initializer? recurrentInitializer, Initializer? biasInitializer,
            Regularizer? kernelRegularizer, Regularizer? recurrentRegularizer, Regularizer? biasRegularizer,
            Regularizer? activityRegularizer,
            Constraint? kernelConstraint, Constraint? recurrentConstraint, Constraint? biasConstraint,
            double dropout, double recurrentDropout, long? seed,
            bool returnSequences, bool returnState, bool goBackwards, bool stateful, bool unroll, bool zeroOutputForMask,
            string? name, bool trainable, ScalarType? dtype)
            : base(name, trainable, dtype)
        {
            Units = Arguments.Positive(units, "units");
            Activation = activation ?? Activations.Linear;
            UseBias = useBias;
            KernelInitializer = kernelInitializer ?? Initializer.GlorotUniform();
            RecurrentInitializer = recurrentInitializer ?? Initializer.Orthogonal();
            BiasInitializer = biasInitializer ?? Initializer.Zeros();
            KernelRegularizer = kernelRegularizer;
            RecurrentRegularizer = recurrentRegularizer;
            BiasRegularizer = biasRegularizer;
            ActivityRegularizer = activityRegularizer;
            KernelConstraint = kernelConstraint;
            RecurrentConstraint = recurrentConstraint;
            BiasConstraint = biasConstraint;
            Dropout = Arguments.Rate(dropout, "dropout");
            RecurrentDropout = Arguments.Rate(recurrentDropout, "recurrent_dropout");
            Seed = seed;
            ReturnSequences = returnSequences;
            ReturnState = returnState;
            GoBackwards = goBackwards;
            Stateful = stateful;
            Unroll = unroll;
            ZeroOutputForMask = zeroOutputForMask;
            _sequenceSpec = new InputSpec { NDim = SequenceRank };
            SupportsMasking = true;
        }

        /// <summary>
        /// The sequence is checked against <see cref="SequenceSpec"/> and the initial states against the state shape; a spec
        /// derived from the build shape would wrongly apply to the states of a list call, and miss a channels-first feature axis.
        /// </summary>
        protected override bool DerivesInputSpecFromBuildShape => false;

        /// <summary>The size of the output and of each state.</summary>
        public int Units { get; }

        /// <summary>The activation of the output (and of the LSTM's candidate and carry, the GRU's candidate).</summary>
        public Activation Activation { get; }

        /// <summary>Whether the layer has a bias.</summary>
        public bool UseBias { get; }

        /// <summary>The kernel's initializer.</summary>
        public Initializer KernelInitializer { get; }

        /// <summary>The recurrent kernel's initializer.</summary>
        public Initializer RecurrentInitializer { get; }

        /// <summary>The bias's initializer.</summary>
        public Initializer BiasInitializer { get; }

        /// <summary>The kernel's regularizer, if any.</summary>
        public Regularizer? KernelRegularizer { get; }

        /// <summary>The recurrent kernel's regularizer, if any.</summary>
        public Regularizer? RecurrentRegularizer { get; }

        /// <summary>The bias's regularizer, if any.</summary>
        public Regularizer? BiasRegularizer { get; }

        /// <summary>The kernel's constraint, if any.</summary>
        public Constraint? KernelConstraint { get; }

        /// <summary>The recurrent kernel's constraint, if any.</summary>
        public Constraint? RecurrentConstraint { get; }

        /// <summary>The bias's constraint, if any.</summary>
        public Constraint? BiasConstraint { get; }

        /// <summary>The fraction of the inputs dropped in training.</summary>
        public double Dropout { get; }

        /// <summary>The fraction of the recurrent state dropped in training.</summary>
        public double RecurrentDropout { get; }

        /// <summary>The seed of the dropout masks, if any.</summary>
        public long? Seed { get; }

        /// <summary>Whether the output is the whole sequence of outputs rather than the last one.</summary>
        public bool ReturnSequences { get; }

        /// <summary>Whether the final states are returned after the output.</summary>
        public bool ReturnState { get; }

        /// <summary>Whether the sequence is processed backwards (and the returned sequence reversed).</summary>
        public bool GoBackwards { get; }

        /// <summary>Whether the final states of a call are the initial states of the next one.</summary>
        public bool Stateful { get; }

        /// <summary>Keras's <c>unroll</c>: kept for configs, no effect.</summary>
        public bool Unroll { get; }

        /// <summary>Whether masked steps output zeros rather than the previous output. <see cref="Bidirectional"/> sets it to
        /// <see cref="ReturnSequences"/>.</summary>
        public bool ZeroOutputForMask { get; internal set; }

        /// <summary>The kernel, <c>(features, gates * units)</c> (a convolutional cell's: see <see cref="ConvLSTM2D"/>); null before
        /// build.</summary>
        public Parameter? Kernel => _kernel;

        /// <summary>The recurrent kernel, <c>(units, gates * units)</c> (a convolutional cell's: see <see cref="ConvLSTM2D"/>); null before
        /// build.</summary>
        public Parameter? RecurrentKernel => _recurrentKernel;

        /// <summary>The bias; null before build or without bias.</summary>
        public Parameter? Bias => _bias;
    }
}
