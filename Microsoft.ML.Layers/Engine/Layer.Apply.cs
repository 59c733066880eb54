using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    // Apply: Keras's __call__, in numbered phases, and the Call hooks it ends in.
    public abstract partial class Layer
    {
        /// <summary>Calls the layer on one input (Keras's <c>__call__</c>); see the class remarks for what it does.</summary>
        /// <param name="inputs">A batch: the first dimension is the batch.</param>
        /// <param name="training">Whether to run in training mode (dropout active, batch statistics, ...); <see langword="null"/> inherits
        /// the enclosing call's value, else means inference.</param>
        /// <param name="mask">A boolean mask of the leading dimensions; <see langword="null"/> takes the mask attached to
        /// <paramref name="inputs"/>, if any.</param>
        /// <returns>The output; for a layer with several outputs (see <see cref="ApplyAll(Tensor, bool?, Tensor?)"/>), the first.</returns>
        public Tensor Apply(Tensor inputs, bool? training = null, Tensor? mask = null) => ApplyAll(inputs, training, mask)[0];

        /// <summary>Calls the layer on several inputs (merge, attention and other multi-input layers).</summary>
        /// <returns>The output; for a layer with several outputs, the first.</returns>
        public Tensor Apply(IReadOnlyList<Tensor> inputs, bool? training = null, IReadOnlyList<Tensor?>? masks = null)
            => ApplyAll(inputs, training, masks)[0];

        /// <summary>
        /// Calls the layer on one input and returns every output: one for most layers, several for layers such as a recurrent
        /// layer with <c>returnState</c> (Keras's <c>output, h, c = lstm(x)</c>).
        /// </summary>
        public IReadOnlyList<Tensor> ApplyAll(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            ArgumentNullException.ThrowIfNull(inputs);
            var list = new[] { inputs };
            var masks = mask is null ? null : new[] { mask };
            return KerasTensor.IsSymbolic(inputs) ? KerasTensor.ApplySymbolic(this, list, singleInput: true, training, masks)
                : ApplyCore(list, singleInput: true, training, masks);
        }

        /// <summary>Calls the layer on several inputs and returns every output.</summary>
        public IReadOnlyList<Tensor> ApplyAll(IReadOnlyList<Tensor> inputs, bool? training = null, IReadOnlyList<Tensor?>? masks = null)
        {
            ArgumentNullException.ThrowIfNull(inputs);
            if (inputs.Count == 0)
                throw new ArgumentException($"Layer '{Name}' was called with an empty list of inputs.", nameof(inputs));
            if (masks is not null && masks.Count != inputs.Count)
                throw new ArgumentException($"Layer '{Name}' received {inputs.Count} inputs but {masks.Count} masks; pass one mask (or " +
                    $"null) per input.", nameof(masks));
            return inputs.Any(KerasTensor.IsSymbolic) ? KerasTensor.ApplySymbolic(this, inputs, singleInput: false, training, masks)
                : ApplyCore(inputs, singleInput: false, training, masks);
        }

        /// <summary>TorchSharp's entry point: applies the layer with <c>training</c> taken from the module's train/eval mode.</summary>
        public override Tensor forward(Tensor input) => Apply(input, training: training);

        /// <summary>The nodes of functional graphs in which this layer was called on symbolic tensors, in call order.</summary>
        internal List<Node> InboundNodes { get; } = new();

        internal IReadOnlyList<Tensor> ApplyCore(IReadOnlyList<Tensor> inputs, bool singleInput, bool? training,
            IReadOnlyList<Tensor?>? explicitMasks)
        {
            // 1. Inputs must fit the layer.
            CheckInputs(inputs);

            // 2. Build on the first call, from the input shapes; then the layer's state is locked.
            if (!Built)
            {
                BuildOnce(inputs.Select(Shape.Of).ToList());
                CheckInputs(inputs);
            }

            var (context, outermost) = CallContext.Enter();
            bool? inheritedTraining = context.Training;
            try
            {
                if (outermost)
                    ClearLosses();

                // 3. Resolve training: explicit, else the enclosing call's, else null (inference); nested layers inherit it.
                bool? resolvedTraining = training ?? inheritedTraining;
                context.Training = resolvedTraining;

                // 4. Masks: explicit, else the ones attached to the inputs by the previous layer.
                var masks = explicitMasks ?? inputs.Select(KerasMask.Get).ToArray();

                using var scope = NewDisposeScope();
                // 5. Floating inputs are computed in the compute dtype.
                var castInputs = Autocast ? inputs.Select(CastInput).ToArray() : inputs.ToArray();

                // 6. Call, with weights read in the compute dtype under a mixed policy.
                var outputs = CallWithAutocast(castInputs, singleInput, resolvedTraining, masks);
                if (outputs is null || outputs.Count == 0 || outputs.Any(o => o is null))
                    throw new InvalidOperationException($"Layer '{Name}' ({GetType().Name}): Call returned no output.");

                // 7. Activity regularization of every output, normalized by the batch size like Keras.
                if (ActivityRegularizer is not null)
                {
                    foreach (var output in outputs)
                    {
                        var penalty = ActivityRegularizer.Compute(output);
                        if (output.ndim > 0 && output.shape[0] > 0)
                            penalty = penalty.DivScalar(output.shape[0]);
                        AddLoss(penalty);
                    }
                }

                // 8. The outputs' masks for the next layer.
                IReadOnlyList<Tensor?> outputMasks = Array.Empty<Tensor?>();
                if (SupportsMasking)
                {
                    outputMasks = ComputeOutputMasks(castInputs, singleInput, masks, outputs);
                }
                else if (masks.Any(m => m is not null) && !_maskWarningShown)
                {
                    _maskWarningShown = true;
                    WarningWriter($"Layer '{Name}' (of type {GetType().Name}) was passed an input with a mask attached to it. However, " +
                        $"this layer does not support masking and will therefore destroy the mask information. Downstream layers will " +
                        $"not see the mask.");
                }

                scope.MoveToOuter(outputs);
                scope.MoveToOuter(outputMasks.Where(m => m is not null)!);
                scope.MoveToOuter(context.Losses);
                for (int i = 0; i < outputs.Count; i++)
                    KerasMask.Set(outputs[i], i < outputMasks.Count ? outputMasks[i] : null);
                return outputs;
            }
            finally
            {
                context.Training = inheritedTraining;
                if (outermost)
                    CallContext.Exit();
            }
        }

        private static readonly Tensor?[] NoMask = new Tensor?[1];

        /// <summary>
        /// Whether <see cref="CallVerified"/> computes what <see cref="ApplyCore"/> computes in inference for an input whose
        /// shape and dtype a full call already checked: a built leaf layer (no nested layers, not a model) without activity
        /// regularization or a mixed dtype policy, so Apply's remaining work is checks, masks and casts the caller verified.
        /// </summary>
        internal bool IsPlainForInference
            => Built && this is not Model && ActivityRegularizer is null && !_dtypePolicy.IsMixed && TrackedLayers().Count == 0;

        /// <summary>Whether a loss was added (<see cref="AddLoss"/>) since the last outermost call cleared them: a layer whose
        /// <c>Call</c> adds losses needs Apply's loss bookkeeping on every call.</summary>
        internal bool HasAddedLosses
        {
            get
            {
                lock (_stateGate)
                    return _losses.Count > 0;
            }
        }

        /// <summary>
        /// The layer's inference computation on one input without Apply's checks, masks, casts and dispose scope; only for
        /// <see cref="IsPlainForInference"/> layers and inputs of a shape and dtype a full <see cref="ApplyCore"/> call verified
        /// (see <c>Sequential.ApplyVerified</c>). The caller owns the dispose scope.
        /// </summary>
        internal Tensor CallVerified(Tensor input) => CallOutputs(new[] { input }, singleInput: true, training: false, NoMask)[0];

        private void CheckInputs(IReadOnlyList<Tensor> inputs)
        {
            if (InputSpec is null)
                return;
            for (int i = 0; i < inputs.Count; i++)
                InputSpec.Check(this, Shape.Of(inputs[i]), inputs[i].dtype, i);
        }

        /// <summary>
        /// Computes every output. Layers with several outputs (a recurrent layer returning its states, attention returning
        /// its scores) override this; the default returns the single output of <see cref="Call(Tensor, bool?, Tensor?)"/>
        /// (or of the list overload when the layer was called with a list).
        /// </summary>
        /// <param name="inputs">The inputs, floating ones already in <see cref="ComputeDType"/>.</param>
        /// <param name="singleInput">Whether the layer was called with one tensor rather than a list.</param>
        /// <param name="training">The resolved training flag.</param>
        /// <param name="masks">One mask (or null) per input.</param>
        protected virtual IReadOnlyList<Tensor> CallOutputs(IReadOnlyList<Tensor> inputs, bool singleInput, bool? training,
            IReadOnlyList<Tensor?> masks)
            => new[] { singleInput ? Call(inputs[0], training, masks[0]) : Call(inputs, training, masks) };

        /// <summary>The layer's computation on one input: a few lines of tensor maths. Every layer writes this.</summary>
        /// <param name="inputs">The input batch, already in <see cref="ComputeDType"/> when floating.</param>
        /// <param name="training">The resolved training flag: <see langword="true"/> in training, else inference.</param>
        /// <param name="mask">The input's mask, if any.</param>
        protected abstract Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null);

        /// <summary>
        /// The computation on several inputs; multi-input layers override it. The default accepts a single-element list
        /// and calls <see cref="Call(Tensor, bool?, Tensor?)"/>.
        /// </summary>
        protected virtual Tensor Call(IReadOnlyList<Tensor> inputs, bool? training = null, IReadOnlyList<Tensor?>? masks = null)
        {
            if (inputs.Count != 1)
                throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) takes one input, but was called with a list of " +
                    $"{inputs.Count} inputs.", nameof(inputs));
            return Call(inputs[0], training, masks?[0]);
        }
    }
}
