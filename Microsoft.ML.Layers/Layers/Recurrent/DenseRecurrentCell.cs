using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Regularizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The base of the built-in cells (<see cref="SimpleRNNCell"/>, <see cref="LSTMCell"/>, <see cref="GRUCell"/>): Keras's
    /// weights <c>kernel</c> <c>(features, gates * units)</c>, <c>recurrent_kernel</c> <c>(units, gates * units)</c> and
    /// <c>bias</c>, their initializers, regularizers and constraints, and the arguments every Keras cell shares. The step maths
    /// is the one the matching layer (<see cref="SimpleRNN"/>, <see cref="LSTM"/>, <see cref="GRU"/>) runs.
    /// </summary>
    /// <remarks>
    /// <c>dropout</c> and <c>recurrent_dropout</c> apply in training as in Keras's cells and the matching layers: the masks are
    /// drawn once per <see cref="RNN"/> call (the input masks, then the recurrent ones, from the <c>seed</c>'s generator) and
    /// reused at every step; one mask each, or one per gate when <c>recurrent_dropout</c> is above 0 (Keras forces
    /// <c>implementation=1</c> then). The input mask multiplies the step's input, the recurrent mask the previous <c>h</c> in
    /// <c>h @ recurrent_kernel</c>, exactly where <see cref="SimpleRNN"/>, <see cref="LSTM"/> and <see cref="GRU"/> apply theirs,
    /// so a cell and its layer with the same weights and seed give the same training outputs. Inference ignores both rates.
    /// </remarks>
    public abstract class DenseRecurrentCell : RecurrentCell
    {
        private Parameter? _kernel;
        private Parameter? _recurrentKernel;
        private Parameter? _bias;

        /// <summary>Creates a cell with the arguments every Keras cell shares.</summary>
        /// <param name="units">The size of the output and of each state; positive.</param>
        /// <param name="activation">The output activation; <see langword="null"/> is linear.</param>
        /// <param name="useBias">Whether the cell has a bias.</param>
        /// <param name="kernelInitializer">Default <c>glorot_uniform</c>.</param>
        /// <param name="recurrentInitializer">Default <c>orthogonal</c>.</param>
        /// <param name="biasInitializer">Default <c>zeros</c>.</param>
        /// <param name="kernelRegularizer">Penalty on the kernel.</param>
        /// <param name="recurrentRegularizer">Penalty on the recurrent kernel.</param>
        /// <param name="biasRegularizer">Penalty on the bias.</param>
        /// <param name="kernelConstraint">Projection of the kernel after each optimizer step.</param>
        /// <param name="recurrentConstraint">Projection of the recurrent kernel after each optimizer step.</param>
        /// <param name="biasConstraint">Projection of the bias after each optimizer step.</param>
        /// <param name="dropout">Keras's input dropout rate, in [0, 1) (see remarks).</param>
        /// <param name="recurrentDropout">Keras's recurrent dropout rate, in [0, 1) (see remarks).</param>
        /// <param name="seed">Seed of the dropout masks; <see langword="null"/> draws from TorchSharp's global generator.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        protected DenseRecurrentCell(int units, Activation? activation, bool useBias,
            Initializer? kernelInitializer, Initializer? recurrentInitializer, Initializer? biasInitializer,
            Regularizer? kernelRegularizer, Regularizer? recurrentRegularizer, Regularizer? biasRegularizer,
            Constraint? kernelConstraint, Constraint? recurrentConstraint, Constraint? biasConstraint,
            double dropout, double recurrentDropout, long? seed, string? name, bool trainable, ScalarType? dtype)
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
            KernelConstraint = kernelConstraint;
            RecurrentConstraint = recurrentConstraint;
            BiasConstraint = biasConstraint;
            Dropout = Arguments.Rate(dropout, "dropout");
            RecurrentDropout = Arguments.Rate(recurrentDropout, "recurrent_dropout");
            Seed = seed;
        }

        /// <summary>The size of the output and of each state.</summary>
        public int Units { get; }

        /// <summary>The activation of the output (and of the LSTM's candidate and carry, the GRU's candidate).</summary>
        public Activation Activation { get; }

        /// <summary>Whether the cell has a bias.</summary>
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

        /// <summary>Keras's input dropout rate, applied in training (see remarks).</summary>
        public double Dropout { get; }

        /// <summary>Keras's recurrent dropout rate, applied in training (see remarks).</summary>
        public double RecurrentDropout { get; }

        /// <summary>The seed of the dropout masks, if any.</summary>
        public long? Seed { get; }

        /// <summary>The kernel, <c>(features, gates * units)</c>; null before build.</summary>
        public Parameter? Kernel => _kernel;

        /// <summary>The recurrent kernel, <c>(units, gates * units)</c>; null before build.</summary>
        public Parameter? RecurrentKernel => _recurrentKernel;

        /// <summary>The bias; null before build or without bias.</summary>
        public Parameter? Bias => _bias;

        /// <summary>The number of gate blocks in the kernels' columns (1, 4 for <c>i, f, c, o</c>, 3 for <c>z, r, h</c>).</summary>
        protected abstract int GateCount { get; }

        /// <summary>The bias's shape; <c>(gates * units,)</c> by default.</summary>
        protected virtual Shape BiasShape => new(GateCount * Units);

        /// <summary>The initializer the bias is created with; <see cref="BiasInitializer"/> by default.</summary>
        protected virtual Initializer BuildBiasInitializer => BiasInitializer;

        /// <inheritdoc />
        public override IReadOnlyList<int> StateSize => new[] { Units };

        /// <inheritdoc />
        protected override void Build(Shape inputShape)
        {
            ArgumentNullException.ThrowIfNull(inputShape);
            long features = inputShape.Rank == 2 ? inputShape[-1] : Shape.Unknown;
            if (features == Shape.Unknown)
            {
                throw new ArgumentException($"Cell '{Name}' ({GetType().Name}) needs a step input (batch, features) with known " +
                    $"features to build. Received: input_shape={inputShape}.");
            }
            _kernel = AddWeight("kernel", new Shape(features, GateCount * Units), KernelInitializer, regularizer: KernelRegularizer,
                constraint: KernelConstraint);
            _recurrentKernel = AddWeight("recurrent_kernel", new Shape(Units, GateCount * Units), RecurrentInitializer,
                regularizer: RecurrentRegularizer, constraint: RecurrentConstraint);
            if (UseBias)
                _bias = AddWeight("bias", BiasShape, BuildBiasInitializer, regularizer: BiasRegularizer, constraint: BiasConstraint);
        }

        /// <summary>
        /// The step's input projection <c>x @ kernel + inputBias</c> (what the matching layer computes for every step before its
        /// loop), after checking that the cell is built and that the states match; in training, the input dropout masks apply
        /// first and <paramref name="recurrentMasks"/> receives the recurrent ones (null without recurrent dropout).
        /// </summary>
        private protected Tensor ProjectInput(Tensor input, IReadOnlyList<Tensor> states, bool? training, Tensor? inputBias,
            out Tensor[]? recurrentMasks)
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(states);
            var kernel = _kernel ?? throw new InvalidOperationException($"Cell '{Name}' ({GetType().Name}) is not built: run it " +
                "inside RNN, or call EnsureBuilt with the step's input shape (batch, features) first.");
            CheckStates(states, input.shape[0]);
            bool train = training == true;
            // Keras forces implementation=1 (one mask per gate) with a recurrent dropout, as the layers do.
            int count = RecurrentDropout > 0 ? GateCount : 1;
            var inputMasks = train && Dropout > 0 ? GetDropoutMasks(input, Dropout, count) : null;
            recurrentMasks = train && RecurrentDropout > 0 ? GetRecurrentDropoutMasks(states[0], RecurrentDropout, count) : null;
            Tensor projected;
            if (inputMasks is null)
                projected = input.matmul(kernel);
            else if (inputMasks.Length == 1)
                projected = (input * inputMasks[0]).matmul(kernel);
            else
                projected = cat(Enumerable.Range(0, GateCount)
                    .Select(g => (input * inputMasks[g]).matmul(kernel.narrow(1, g * Units, Units))).ToArray(), -1);
            return inputBias is null ? projected : projected.Plus(inputBias);
        }

        /// <inheritdoc />
        protected override long? DropoutSeed => Seed;

        /// <summary>Keras's cell config: <c>units</c>, <c>activation</c>, then the optional keys of the cell in Keras's order.
        /// </summary>
        private protected LayerConfig CellConfig(Activation? recurrentActivation, bool? unitForgetBias, bool? resetAfter)
        {
            var config = base.GetConfig()
                .With("units", Units)
                .With("activation", Activation);
            if (recurrentActivation is not null)
                config.With("recurrent_activation", recurrentActivation);
            config.With("use_bias", UseBias);
            if (unitForgetBias is bool forgetBias)
                config.With("unit_forget_bias", forgetBias);
            config
                .With("kernel_initializer", KernelInitializer)
                .With("recurrent_initializer", RecurrentInitializer)
                .With("bias_initializer", BiasInitializer)
                .With("kernel_regularizer", KernelRegularizer)
                .With("recurrent_regularizer", RecurrentRegularizer)
                .With("bias_regularizer", BiasRegularizer)
                .With("kernel_constraint", KernelConstraint)
                .With("recurrent_constraint", RecurrentConstraint)
                .With("bias_constraint", BiasConstraint)
                .With("dropout", Dropout)
                .With("recurrent_dropout", RecurrentDropout);
            if (resetAfter is bool after)
                config.With("reset_after", after);
            return config.With("seed", Seed);
        }
    }
}
