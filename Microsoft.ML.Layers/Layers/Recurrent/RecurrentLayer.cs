using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The base of the recurrent layers (<see cref="SimpleRNN"/>, <see cref="LSTM"/>, <see cref="GRU"/>, <see cref="ConvLSTM2D"/>): Keras's <c>RNN</c>
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
    /// </remarks>
    public abstract class RecurrentLayer : Layer
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
            Regularizer? kernelRegularizer, Regularizer? recurrentRegularizer, Regularizer? biasRegularizer, Regularizer? activityRegularizer,
            Constraint? kernelConstraint, Constraint? recurrentConstraint, Constraint? biasConstraint,
            double dropout, double recurrentDropout, long? seed,
            bool returnSequences, bool returnState, bool goBackwards, bool stateful, bool unroll, bool zeroOutputForMask,
            string? name, bool trainable, ScalarType? dtype)
            : base(name, trainable, dtype)
        {
            Units = Arguments.Positive(units, "units");
            Activation = activation ?? Activations.Linear;
            UseBias = useBias;
            KernelInitializer = kernelInitializer ?? Initializers.GlorotUniform();
            RecurrentInitializer = recurrentInitializer ?? Initializers.Orthogonal();
            BiasInitializer = biasInitializer ?? Initializers.Zeros();
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

        /// <summary>Whether masked steps output zeros rather than the previous output. <see cref="Bidirectional"/> sets it to <see cref="ReturnSequences"/>.</summary>
        public bool ZeroOutputForMask { get; internal set; }

        /// <summary>The kernel, <c>(features, gates * units)</c> (a convolutional cell's: see <see cref="ConvLSTM2D"/>); null before build.</summary>
        public Parameter? Kernel => _kernel;

        /// <summary>The recurrent kernel, <c>(units, gates * units)</c> (a convolutional cell's: see <see cref="ConvLSTM2D"/>); null before build.</summary>
        public Parameter? RecurrentKernel => _recurrentKernel;

        /// <summary>The bias; null before build or without bias.</summary>
        public Parameter? Bias => _bias;

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

        /// <summary>The axis of the sequence input that holds the features (the channels of a convolutional cell); the last by default.</summary>
        protected virtual int FeatureAxis => -1;

        /// <summary>How errors describe the shape of one state: <c>(batch, units)</c> by default.</summary>
        protected virtual string StateShapeDescription => "(batch, units)";

        /// <summary>
        /// The shape of one sample's state (and of one step's output) for a sequence of shape <paramref name="sequenceShape"/>:
        /// <c>(units,)</c> by default. An override throws, naming the layer, when the sequence's shape cannot give one.
        /// </summary>
        protected virtual long[] StateShape(Shape sequenceShape) => new long[] { Units };

        /// <summary>The kernel's shape for <paramref name="features"/> input features: <c>(features, gates * units)</c> by default.</summary>
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
        /// <param name="projectedInput">This step's input projection <c>x_t @ kernel + input bias</c>, <c>(batch, gates * units)</c>.</param>
        /// <param name="states">The previous states, each <c>(batch, units)</c>.</param>
        /// <param name="recurrentMasks">The recurrent dropout masks (one, or one per gate), or null; pass them to <see cref="RecurrentProduct"/>.</param>
        protected abstract Tensor[] Step(Tensor projectedInput, IReadOnlyList<Tensor> states, Tensor[]? recurrentMasks);

        /// <summary>
        /// <c>h @ recurrent_kernel</c> restricted to the gate blocks <c>[firstGate, firstGate + gates)</c>, with <paramref name="h"/>
        /// multiplied by each gate's recurrent dropout mask when there are masks.
        /// </summary>
        protected Tensor RecurrentProduct(Tensor h, Tensor[]? recurrentMasks, int firstGate, int gates)
        {
            var kernel = _recurrentKernel!;
            if (recurrentMasks is null)
                return gates == GateCount ? h.matmul(kernel) : h.matmul(kernel.narrow(1, firstGate * Units, gates * Units));
            if (recurrentMasks.Length == 1)
            {
                var masked = h * recurrentMasks[0];
                return gates == GateCount ? masked.matmul(kernel) : masked.matmul(kernel.narrow(1, firstGate * Units, gates * Units));
            }
            var parts = Enumerable.Range(firstGate, gates).Select(g => (h * recurrentMasks[g]).matmul(kernel.narrow(1, g * Units, Units))).ToArray();
            return parts.Length == 1 ? parts[0] : cat(parts, 1);
        }

        /// <summary><c>addend + h @ recurrent_kernel</c> over all gates: one fused <c>addmm</c> without recurrent dropout.</summary>
        protected Tensor AddRecurrentProduct(Tensor addend, Tensor h, Tensor[]? recurrentMasks)
            => recurrentMasks is null ? addend.addmm(h, _recurrentKernel!) : addend + RecurrentProduct(h, recurrentMasks, 0, GateCount);

        /// <summary>What the sequence input must be: rank 3, and after build the feature count it was built for.</summary>
        public InputSpec SequenceSpec => _sequenceSpec;

        /// <inheritdoc />
        protected override void Build(Shape inputShape)
        {
            _sequenceSpec.Check(this, inputShape, ComputeDType);
            long features = inputShape[FeatureAxis];
            if (features == Shape.Unknown)
            {
                string which = FeatureAxis == -1 ? "last input dimension" : $"input dimension {FeatureAxis} (the features)";
                throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) needs a known {which} to build. Received: input_shape={inputShape}.");
            }
            StateShape(inputShape); // a sequence too small for the cell fails here, before any weight exists
            _kernel = AddWeight("kernel", KernelShape(features), KernelInitializer, regularizer: KernelRegularizer, constraint: KernelConstraint);
            _recurrentKernel = AddWeight("recurrent_kernel", RecurrentKernelShape, RecurrentInitializer, regularizer: RecurrentRegularizer, constraint: RecurrentConstraint);
            if (UseBias)
                _bias = AddWeight("bias", BiasShape, BuildBiasInitializer, regularizer: BiasRegularizer, constraint: BiasConstraint);
            _sequenceSpec = new InputSpec { NDim = SequenceRank, Axes = new Dictionary<int, long> { [FeatureAxis] = features } };
        }

        /// <summary>Builds from the sequence's shape; the shapes after it are the initial states'.</summary>
        protected override void Build(IReadOnlyList<Shape> inputShapes) => Build(inputShapes[0]);

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null) => CallOutputs(new[] { inputs }, true, training, new[] { mask })[0];

        /// <summary>
        /// Runs the sequence <c>inputs[0]</c>; when called with a list, the tensors after it are the initial states (Keras's
        /// <c>initial_state</c>): <c>[sequence, h0]</c>, or <c>[sequence, h0, c0]</c> for an LSTM, each <c>(batch, units)</c>.
        /// </summary>
        protected override IReadOnlyList<Tensor> CallOutputs(IReadOnlyList<Tensor> inputs, bool singleInput, bool? training, IReadOnlyList<Tensor?> masks)
        {
            var sequence = inputs[0];
            _sequenceSpec.Check(this, Shape.Of(sequence), sequence.dtype);
            Tensor[]? initialState = null;
            if (inputs.Count > 1)
            {
                var stateShape = new[] { sequence.shape[0] }.Concat(StateShape(Shape.Of(sequence))).ToArray();
                if (inputs.Count - 1 != StateCount || inputs.Skip(1).Any(s => !s.shape.SequenceEqual(stateShape)))
                {
                    throw new ArgumentException(
                        $"Layer '{Name}' ({GetType().Name}) takes its initial state as {StateCount} tensor(s) of shape {StateShapeDescription} = {new Shape(stateShape)} " +
                        $"after the sequence. Received: {string.Join(", ", inputs.Skip(1).Select(s => Shape.Of(s).ToString()))}.", nameof(inputs));
                }
                initialState = inputs.Skip(1).Select(s => s.to(ComputeDType)).ToArray();
            }
            return Run(sequence, initialState, training, masks[0]);
        }

        /// <summary>The output mask: the input mask with <see cref="ReturnSequences"/>, else none (states never carry a mask).</summary>
        public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => ReturnSequences ? mask : null;

        /// <summary>The output mask of a call with initial states: the sequence's mask with <see cref="ReturnSequences"/>, else none.</summary>
        public override Tensor? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?>? masks) => ComputeMask(inputs[0], masks?[0]);

        /// <summary>The output's shape: <c>(batch, units)</c>, or <c>(batch, timesteps, units)</c> with <see cref="ReturnSequences"/>.</summary>
        public override Shape ComputeOutputShape(Shape inputShape)
        {
            ArgumentNullException.ThrowIfNull(inputShape);
            if (inputShape.Rank != SequenceRank)
            {
                string layout = SequenceRank == 3 ? " (batch, timesteps, features)" : "";
                throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) expects inputs of rank {SequenceRank}{layout}. Received: input_shape={inputShape}.");
            }
            var leading = ReturnSequences ? new[] { inputShape[0], inputShape[1] } : new[] { inputShape[0] };
            return new Shape(leading.Concat(StateShape(inputShape)));
        }

        /// <summary>The output's shape for a call with initial states: that of the sequence (the first shape).</summary>
        public override Shape ComputeOutputShape(IReadOnlyList<Shape> inputShapes)
        {
            ArgumentNullException.ThrowIfNull(inputShapes);
            return ComputeOutputShape(inputShapes[0]);
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

        /// <inheritdoc />
        public override LayerConfig GetConfig()
        {
            var config = base.GetConfig();
            RecordSequenceBuildShape(config, BuildShapes);
            return config
                .With("return_sequences", ReturnSequences)
                .With("return_state", ReturnState)
                .With("go_backwards", GoBackwards)
                .With("stateful", Stateful)
                .With("unroll", Unroll)
                .With("zero_output_for_mask", ZeroOutputForMask)
                .With("units", Units)
                .With("activation", Activation)
                .With("use_bias", UseBias)
                .With("kernel_initializer", KernelInitializer)
                .With("recurrent_initializer", RecurrentInitializer)
                .With("bias_initializer", BiasInitializer)
                .With("kernel_regularizer", KernelRegularizer)
                .With("recurrent_regularizer", RecurrentRegularizer)
                .With("bias_regularizer", BiasRegularizer)
                .With("activity_regularizer", ActivityRegularizer)
                .With("kernel_constraint", KernelConstraint)
                .With("recurrent_constraint", RecurrentConstraint)
                .With("bias_constraint", BiasConstraint)
                .With("dropout", Dropout)
                .With("recurrent_dropout", RecurrentDropout);
        }

        /// <summary>
        /// Keras builds a recurrent layer (or its wrapper) from the sequence's shape alone: for a layer first called with
        /// initial states, the config records only that shape.
        /// </summary>
        internal static void RecordSequenceBuildShape(LayerConfig config, IReadOnlyList<Shape>? buildShapes)
        {
            if (config.BuildConfig is JsonObject build && buildShapes is { Count: > 1 })
                build["input_shape"] = KerasJson.ToNode(buildShapes[0].With(0, Shape.Unknown), "input_shape");
        }

        // ---------------------------------------------------------------------------------------------------------
        // The time loop.

        private Tensor[] Run(Tensor inputs, Tensor[]? initialState, bool? training, Tensor? mask)
        {
            long batch = inputs.shape[0], steps = inputs.shape[1];
            if (steps == 0)
                throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) needs at least one time step. Received: input shape {Shape.Of(inputs)}.", nameof(inputs));
            // (batch, units), or (batch, rows, cols, filters) for a convolutional cell.
            var stateShape = new[] { batch }.Concat(StateShape(Shape.Of(inputs))).ToArray();
            var stepMask = mask is null ? null : StepMask(mask, batch, steps, stateShape.Length - 1);

            bool train = training == true;
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
                var newStates = Step(projected[t], states, recurrentMasks);
                var output = newStates[0];
                if (stepMask is not null)
                {
                    var keep = stepMask[t];
                    output = where(keep, output, ZeroOutputForMask ? zeros_like(output) : previousOutput!);
                    for (int i = 0; i < newStates.Length; i++)
                        newStates[i] = where(keep, newStates[i], states[i]);
                }
                stepScope.MoveToOuter(newStates);
                if (!ReferenceEquals(output, newStates[0]))
                    stepScope.MoveToOuter(output);
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
                throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) needs a mask of shape (batch, timesteps) = ({batch}, {steps}). " +
                    $"Received: mask.shape={Shape.Of(mask)}.", nameof(mask));
            }
            var keep = mask.dtype == ScalarType.Bool ? mask : mask.to(ScalarType.Bool);
            if (GoBackwards)
                keep = keep.flip(1);
            // (timesteps, batch, 1, ...): broadcast over each sample's state.
            return keep.transpose(0, 1).reshape(new[] { steps, batch }.Concat(Enumerable.Repeat(1L, stateRank)).ToArray());
        }

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
                projected = cat(Enumerable.Range(0, GateCount).Select(g => (sequence * inputMasks[g]).matmul(kernel.narrow(1, g * Units, Units))).ToArray(), -1);
            return bias is null ? projected : projected + bias;
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
                                $"Layer '{Name}' ({GetType().Name}) is stateful and keeps states for batches of {_states[0].shape[0]}; received a batch of {batch}. " +
                                "A stateful recurrent layer needs the same batch size on every call (call ResetStates only zeroes the states).");
                        }
                        return _states.Select(s => s.to(ComputeDType, copy: true)).ToArray();
                    }
                }
            }
            return Enumerable.Range(0, StateCount).Select(_ => zeros(stateShape, dtype: ComputeDType)).ToArray();
        }

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

        /// <summary>Keras's dropout masks of <paramref name="shape"/>: 0 with probability <paramref name="rate"/>, else <c>1 / (1 - rate)</c>; one, or one per gate.</summary>
        private Tensor[] DropoutMasks(long[] shape, double rate)
        {
            int count = DropoutMaskPerGate ? GateCount : 1;
            double keep = 1 - rate;
            var generator = DropoutGenerator();
            return Enumerable.Range(0, count)
                .Select(_ => bernoulli(full(shape, keep, dtype: ScalarType.Float32), generator).div_(keep).to(ComputeDType))
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
