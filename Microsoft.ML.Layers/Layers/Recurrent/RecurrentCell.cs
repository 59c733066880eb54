using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// One time step of a recurrence (Keras's RNN cell protocol): a layer that owns its weights and maps a step's input and the
    /// previous states to the step's output and the new states. <see cref="RNN"/> runs a cell over a sequence (time loop, masks,
    /// <c>return_sequences</c>, <c>return_state</c>, <c>go_backwards</c>, <c>stateful</c>, initial states, <see cref="Bidirectional"/>).
    /// </summary>
    /// <remarks>
    /// <para>What a cell writes: <see cref="StateSize"/> (one size per state, each state <c>(batch, size)</c>),
    /// <see cref="OutputSize"/> when the output is not the size of the first state,
    /// <see cref="Call(Tensor, IReadOnlyList{Tensor}, bool?)"/> (the step), <see cref="Layer.Build(Shape)"/> to create its weights
    /// from the step's input shape <c>(batch, features)</c> with <c>AddWeight</c>, and <see cref="Layer.GetConfig"/> with its
    /// arguments; mark it <see cref="RegisterLayerAttribute"/> so configs and model files find it.
    /// <see cref="GetInitialState"/> gives zeros unless overridden.</para>
    /// <para>Applied as a layer, a cell runs one step: <c>ApplyAll([x, state...])</c> returns <c>[output, new state...]</c>, and
    /// <c>Apply(x)</c> the output of a step from <see cref="GetInitialState"/>.</para>
    /// <para>The built-in cells (<see cref="SimpleRNNCell"/>, <see cref="LSTMCell"/>, <see cref="GRUCell"/>) compute the same maths
    /// as <see cref="SimpleRNN"/>, <see cref="LSTM"/> and <see cref="GRU"/> with the same weights; <see cref="StackedRNNCells"/>
    /// stacks cells into one.</para>
    /// <para>Dropout (Keras's <c>DropoutRNNCell</c>): in a training step, <see cref="GetDropoutMasks"/> and
    /// <see cref="GetRecurrentDropoutMasks"/> give the masks to multiply the step's input and previous state by. They are drawn
    /// at the first step of a call (from <see cref="DropoutSeed"/>'s generator, or the global one) and the same masks serve
    /// every step of that sequence; <see cref="RNN"/> resets them (<see cref="ResetDropoutMasks"/>) at each call, and a cell
    /// applied on its own draws new ones at each call.</para>
    /// <code>
    /// var rnn = new RNN(new LSTMCell(32), returnSequences: true);
    /// Tensor y = rnn.Apply(torch.randn(8, 10, 16));   // (8, 10, 32), as LSTM(32, returnSequences: true) with the same weights
    /// </code>
    /// </remarks>
    public abstract class RecurrentCell : Layer
    {
        private readonly object _dropoutGate = new();
        private Generator? _dropoutGenerator;
        private Tensor[]? _dropoutMasks;
        private Tensor[]? _recurrentDropoutMasks;

        /// <summary>Creates a cell.</summary>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        protected RecurrentCell(string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
        }

        /// <summary>The size of each state (Keras's <c>state_size</c>): the cell's states are <c>(batch, size)</c> tensors, in this
        /// order. At least one.</summary>
        public abstract IReadOnlyList<int> StateSize { get; }

        /// <summary>The size of the step's output (Keras's <c>output_size</c>): the first state's size by default.</summary>
        public virtual int OutputSize => StateSize[0];

        /// <summary>The step's input is checked by the cell's maths; the states must not be checked against a spec derived from
        /// the input's shape.</summary>
        protected override bool DerivesInputSpecFromBuildShape => false;

        /// <summary>
        /// One time step on the whole batch (Keras's <c>call(inputs, states, training)</c>): the step's output and the new states,
        /// as many as <see cref="StateSize"/> and of the same sizes. The cell is built (its weights exist) before
        /// <see cref="RNN"/> calls it.
        /// </summary>
        /// <param name="input">The step's input, <c>(batch, features)</c>.</param>
        /// <param name="states">The previous states, one per <see cref="StateSize"/> entry, each <c>(batch, size)</c>.</param>
        /// <param name="training">Whether the call is training (dropout); <see langword="null"/> is inference.</param>
        public abstract (Tensor Output, IReadOnlyList<Tensor> States) Call(Tensor input, IReadOnlyList<Tensor> states,
            bool? training = null);

        /// <summary>The states a sequence starts from when none are given (Keras's <c>get_initial_state</c>): zeros
        /// <c>(batchSize, size)</c> for each <see cref="StateSize"/> entry, in the compute dtype.</summary>
        /// <param name="batchSize">The batch size.</param>
        public virtual IReadOnlyList<Tensor> GetInitialState(long batchSize)
            => StateSize.Select(size => zeros(new[] { batchSize, (long)size }, dtype: ComputeDType)).ToArray();

        /// <summary>The seed of the dropout masks' generator (created once, so each call draws new masks); <see langword="null"/>
        /// (the default) draws from TorchSharp's global generator.</summary>
        protected virtual long? DropoutSeed => null;

        /// <summary>
        /// This call's input dropout masks (Keras's <c>get_dropout_mask</c>): <paramref name="count"/> tensors shaped like
        /// <paramref name="stepInput"/>, each element 0 with probability <paramref name="rate"/>, else <c>1 / (1 - rate)</c>.
        /// Drawn at the first request after <see cref="ResetDropoutMasks"/> and returned unchanged until the next reset, so
        /// every step of a sequence multiplies its input by the same masks. Ask only in a training step with a rate above 0.
        /// </summary>
        /// <param name="stepInput">The step's input, <c>(batch, features)</c>: the masks' shape and dtype.</param>
        /// <param name="rate">The dropout rate, in (0, 1).</param>
        /// <param name="count">How many masks (one per gate, as Keras's <c>implementation=1</c>); 1 by default.</param>
        /// <exception cref="ArgumentException">The rate is not in (0, 1), the count is not positive, or the masks of this
        /// call were drawn for another shape or count.</exception>
        protected Tensor[] GetDropoutMasks(Tensor stepInput, double rate, int count = 1)
            => CachedMasks(ref _dropoutMasks, stepInput, rate, count, "GetDropoutMasks");

        /// <summary>
        /// This call's recurrent dropout masks (Keras's <c>get_recurrent_dropout_mask</c>), shaped like
        /// <paramref name="state"/>; as <see cref="GetDropoutMasks"/>, drawn once per call (after the input masks when both
        /// are asked in that order, as Keras's cells do) and reused at every step.
        /// </summary>
        /// <param name="state">The previous state the masks multiply, <c>(batch, size)</c>.</param>
        /// <param name="rate">The recurrent dropout rate, in (0, 1).</param>
        /// <param name="count">How many masks (one per gate); 1 by default.</param>
        /// <exception cref="ArgumentException">As <see cref="GetDropoutMasks"/>.</exception>
        protected Tensor[] GetRecurrentDropoutMasks(Tensor state, double rate, int count = 1)
            => CachedMasks(ref _recurrentDropoutMasks, state, rate, count, "GetRecurrentDropoutMasks");

        /// <summary>Forgets this call's dropout masks (Keras's <c>reset_dropout_mask</c> and
        /// <c>reset_recurrent_dropout_mask</c>): the next request draws new ones. <see cref="RNN"/> calls it before and after
        /// each call; a cell holding other cells resets them too.</summary>
        public virtual void ResetDropoutMasks()
        {
            lock (_dropoutGate)
            {
                foreach (var mask in (_dropoutMasks ?? Array.Empty<Tensor>()).Concat(_recurrentDropoutMasks ?? Array.Empty<Tensor>()))
                    mask.Dispose();
                _dropoutMasks = null;
                _recurrentDropoutMasks = null;
            }
        }

        private Tensor[] CachedMasks(ref Tensor[]? cache, Tensor like, double rate, int count, string entry)
        {
            ArgumentNullException.ThrowIfNull(like);
            if (!(rate > 0 && rate < 1) || count < 1)
            {
                throw new ArgumentException($"Cell '{Name}' ({GetType().Name}).{entry} needs a rate in (0, 1) and a positive count. " +
                    $"Received: rate={rate}, count={count}.");
            }
            lock (_dropoutGate)
            {
                if (cache is null)
                {
                    _dropoutGenerator ??= DropoutSeed is long seed ? Initializers.Sampling.GeneratorFor(seed) : null;
                    // Detached from the step's dispose scope: the masks serve every step of the call, until the reset.
                    cache = RecurrentLayer.DrawDropoutMasks(like.shape, rate, count, _dropoutGenerator, like.dtype)
                        .Select(m => m.DetachFromDisposeScope()).ToArray();
                }
                else if (cache.Length != count || !cache[0].shape.SequenceEqual(like.shape))
                {
                    throw new ArgumentException($"Cell '{Name}' ({GetType().Name}).{entry}: the masks of this call are " +
                        $"{cache.Length} of shape {Shape.Of(cache[0])}. Received: count={count}, shape {Shape.Of(like)}; call " +
                        "ResetDropoutMasks between sequences.");
                }
                return cache;
            }
        }

        /// <summary>One step from <see cref="GetInitialState"/>: the step's output.</summary>
        protected sealed override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            ArgumentNullException.ThrowIfNull(inputs);
            return Call(inputs, GetInitialState(inputs.shape[0]), training).Output;
        }

        /// <summary>Builds from the step input's shape; the shapes after it are the states'.</summary>
        protected override void Build(IReadOnlyList<Shape> inputShapes)
        {
            ArgumentNullException.ThrowIfNull(inputShapes);
            Build(inputShapes[0]);
        }

        /// <summary>
        /// <c>[x]</c>: the output of one step from the initial states. <c>[x, state...]</c>: <c>[output, new state...]</c>.
        /// </summary>
        protected sealed override IReadOnlyList<Tensor> CallOutputs(IReadOnlyList<Tensor> inputs, bool singleInput, bool? training,
            IReadOnlyList<Tensor?> masks)
        {
            ArgumentNullException.ThrowIfNull(inputs);
            // Applied on its own, a cell runs one step: a call of its own, with dropout masks of its own.
            ResetDropoutMasks();
            try
            {
                return CallOneStep(inputs, singleInput, training);
            }
            finally
            {
                ResetDropoutMasks();
            }
        }

        private List<Tensor> CallOneStep(IReadOnlyList<Tensor> inputs, bool singleInput, bool? training)
        {
            if (singleInput || inputs.Count == 1)
                return new List<Tensor> { Call(inputs[0], training) };
            var (output, states) = Call(inputs[0], CheckStates(inputs.Skip(1).ToList(), inputs[0].shape[0]), training);
            // Each output is a distinct tensor: a state that is also the output (or another state) is returned as an alias.
            var outputs = new List<Tensor> { output };
            foreach (var state in states)
                outputs.Add(outputs.Any(o => ReferenceEquals(o, state)) ? state.alias() : state);
            return outputs;
        }

        /// <summary>Checks that <paramref name="states"/> match <see cref="StateSize"/> for a batch of <paramref name="batch"/>,
        /// naming the cell, the expected and the received shapes.</summary>
        internal IReadOnlyList<Tensor> CheckStates(IReadOnlyList<Tensor> states, long batch)
        {
            var sizes = StateSize;
            if (states.Count != sizes.Count
                || states.Where((s, i) => s.ndim != 2 || s.shape[0] != batch || s.shape[1] != sizes[i]).Any())
            {
                throw new ArgumentException($"Cell '{Name}' ({GetType().Name}) takes {sizes.Count} state(s) of shape " +
                    $"{string.Join(", ", sizes.Select(n => $"({batch}, {n})"))}. Received: " +
                    $"{string.Join(", ", states.Select(s => Shape.Of(s).ToString()))}.", nameof(states));
            }
            return states;
        }
    }
}
