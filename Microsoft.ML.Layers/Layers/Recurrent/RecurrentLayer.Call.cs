using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    // Build, Call, and the output shapes and masks of a call (with or without initial states).
    public abstract partial class RecurrentLayer
    {
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
                throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) needs a known {which} to build. Received: " +
                    $"input_shape={inputShape}.");
            }
            StateShape(inputShape); // a sequence too small for the cell fails here, before any weight exists
            BuildWeights(inputShape, features);
            _sequenceSpec = new InputSpec { NDim = SequenceRank, Axes = new Dictionary<int, long> { [FeatureAxis] = features } };
        }

        /// <summary>Creates the weights for a sequence of <paramref name="features"/> features: <c>kernel</c>,
        /// <c>recurrent_kernel</c> and <c>bias</c> by default; <see cref="RNN"/> builds its cell instead.</summary>
        private protected virtual void BuildWeights(Shape inputShape, long features)
        {
            _kernel = AddWeight("kernel", KernelShape(features), KernelInitializer, regularizer: KernelRegularizer,
                constraint: KernelConstraint);
            _recurrentKernel = AddWeight("recurrent_kernel", RecurrentKernelShape, RecurrentInitializer, regularizer: RecurrentRegularizer,
                constraint: RecurrentConstraint);
            if (UseBias)
                _bias = AddWeight("bias", BiasShape, BuildBiasInitializer, regularizer: BiasRegularizer, constraint: BiasConstraint);
        }

        /// <summary>Builds from the sequence's shape; the shapes after it are the initial states'.</summary>
        protected override void Build(IReadOnlyList<Shape> inputShapes) => Build(inputShapes[0]);

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
            => CallOutputs(new[] { inputs }, true, training, new[] { mask })[0];

        /// <summary>
        /// Runs the sequence <c>inputs[0]</c>; when called with a list, the tensors after it are the initial states (Keras's
        /// <c>initial_state</c>): <c>[sequence, h0]</c>, or <c>[sequence, h0, c0]</c> for an LSTM, each <c>(batch, units)</c>.
        /// </summary>
        protected override IReadOnlyList<Tensor> CallOutputs(IReadOnlyList<Tensor> inputs, bool singleInput, bool? training,
            IReadOnlyList<Tensor?> masks)
        {
            var sequence = inputs[0];
            _sequenceSpec.Check(this, Shape.Of(sequence), sequence.dtype);
            Tensor[]? initialState = null;
            if (inputs.Count > 1)
            {
                var stateShapes = StateShapes(new[] { sequence.shape[0] }.Concat(StateShape(Shape.Of(sequence))).ToArray());
                if (inputs.Count - 1 != StateCount || inputs.Skip(1).Where((s, i) => !s.shape.SequenceEqual(stateShapes[i])).Any())
                {
                    string expected = string.Join(", ", stateShapes.Select(s => new Shape(s).ToString()).Distinct());
                    throw new ArgumentException(
                        $"Layer '{Name}' ({GetType().Name}) takes its initial state as {StateCount} tensor(s) of shape " +
                        $"{StateShapeDescription} = {expected} after the sequence. Received: " +
                        $"{string.Join(", ", inputs.Skip(1).Select(s => Shape.Of(s).ToString()))}.", nameof(inputs));
                }
                initialState = inputs.Skip(1).Select(s => s.to(ComputeDType)).ToArray();
            }
            return Run(sequence, initialState, training, masks[0]);
        }

        /// <summary>The output mask: the input mask with <see cref="ReturnSequences"/>, else none (states never carry a mask).</summary>
        public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => ReturnSequences ? mask : null;

        /// <summary>The output mask of a call with initial states: the sequence's mask with <see cref="ReturnSequences"/>, else
        /// none.</summary>
        public override Tensor? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?>? masks)
            => ComputeMask(inputs[0], masks?[0]);

        /// <summary>The output's shape: <c>(batch, units)</c>, or <c>(batch, timesteps, units)</c> with
        /// <see cref="ReturnSequences"/>.</summary>
        public override Shape ComputeOutputShape(Shape inputShape)
        {
            ArgumentNullException.ThrowIfNull(inputShape);
            if (inputShape.Rank != SequenceRank)
            {
                string layout = SequenceRank == 3 ? " (batch, timesteps, features)" : "";
                throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) expects inputs of rank {SequenceRank}{layout}. Received: " +
                    $"input_shape={inputShape}.");
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
    }
}
