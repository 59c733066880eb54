using System;
using System.Collections.Generic;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Onnx;
using Microsoft.ML.Layers.Regularizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// A densely connected layer (Keras's <c>Dense</c>): <c>output = activation(dot(input, kernel) + bias)</c>, applied on
    /// the last axis of inputs of any rank &gt;= 2.
    /// </summary>
    /// <remarks>
    /// Weights: <c>kernel</c> of shape <c>(input_dim, units)</c> (Keras's layout), then <c>bias</c> of shape <c>(units,)</c>.
    /// Input <c>(batch, ..., input_dim)</c>; output <c>(batch, ..., units)</c>. Masks pass through.
    /// <code>
    /// var dense = new Dense(64, activation: "relu");
    /// Tensor y = dense.Apply(torch.randn(32, 16));   // (32, 64)
    /// </code>
    /// </remarks>
    [RegisterLayer("Dense")]
    public sealed class Dense : Layer, IOnnxExportable
    {
        private Parameter? _kernel;
        private Parameter? _bias;

        /// <summary>Creates a dense layer.</summary>
        /// <param name="units">The output size; positive.</param>
        /// <param name="activation">The activation (a name such as <c>"relu"</c>); none (linear) by default.</param>
        /// <param name="useBias">Whether to add a bias.</param>
        /// <param name="kernelInitializer">Default <c>glorot_uniform</c>.</param>
        /// <param name="biasInitializer">Default <c>zeros</c>.</param>
        /// <param name="kernelRegularizer">Penalty on the kernel.</param>
        /// <param name="biasRegularizer">Penalty on the bias.</param>
        /// <param name="activityRegularizer">Penalty on the output.</param>
        /// <param name="kernelConstraint">Projection of the kernel after each optimizer step.</param>
        /// <param name="biasConstraint">Projection of the bias after each optimizer step.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="units"/> is not positive.</exception>
        public Dense(int units, Activation? activation = null, bool useBias = true,
            Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
            Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
            Constraint? kernelConstraint = null, Constraint? biasConstraint = null,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            Units = Arguments.Positive(units, "units");
            Activation = activation ?? Activations.Linear;
            UseBias = useBias;
            KernelInitializer = kernelInitializer ?? Initializer.GlorotUniform();
            BiasInitializer = biasInitializer ?? Initializer.Zeros();
            KernelRegularizer = kernelRegularizer;
            BiasRegularizer = biasRegularizer;
            ActivityRegularizer = activityRegularizer;
            KernelConstraint = kernelConstraint;
            BiasConstraint = biasConstraint;
            InputSpec = new InputSpec { MinNDim = 2 };
            SupportsMasking = true;
        }

        /// <summary>The output size.</summary>
        public int Units { get; }

        /// <summary>The activation applied to the output.</summary>
        public Activation Activation { get; }

        /// <summary>Whether a bias is added.</summary>
        public bool UseBias { get; }

        /// <summary>The kernel's initializer.</summary>
        public Initializer KernelInitializer { get; }

        /// <summary>The bias's initializer.</summary>
        public Initializer BiasInitializer { get; }

        /// <summary>The kernel's regularizer, if any.</summary>
        public Regularizer? KernelRegularizer { get; }

        /// <summary>The bias's regularizer, if any.</summary>
        public Regularizer? BiasRegularizer { get; }

        /// <summary>The kernel's constraint, if any.</summary>
        public Constraint? KernelConstraint { get; }

        /// <summary>The bias's constraint, if any.</summary>
        public Constraint? BiasConstraint { get; }

        /// <summary>The kernel, <c>(input_dim, units)</c>; null before build.</summary>
        public Parameter? Kernel => _kernel;

        /// <summary>The bias, <c>(units,)</c>; null before build or without bias.</summary>
        public Parameter? Bias => _bias;

        /// <inheritdoc />
        protected override void Build(Shape inputShape)
        {
            long inputDim = inputShape[^1];
            if (inputDim == Shape.Unknown)
                throw new ArgumentException($"Layer '{Name}' (Dense) needs a known last input dimension to build. Received: " +
                    $"input_shape={inputShape}.");
            _kernel = AddWeight("kernel", new Shape(inputDim, Units), KernelInitializer, regularizer: KernelRegularizer,
                constraint: KernelConstraint);
            if (UseBias)
                _bias = AddWeight("bias", new Shape(Units), BiasInitializer, regularizer: BiasRegularizer, constraint: BiasConstraint);
            InputSpec = new InputSpec { MinNDim = 2, Axes = new Dictionary<int, long> { [-1] = inputDim } };
        }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            var x = _bias is null ? inputs.matmul(_kernel!) : nn.functional.linear(inputs, _kernel!.t(), _bias);
            return Activation.Apply(x);
        }

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape.With(-1, Units);

        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
        {
            var x = context.Node("MatMul", input.Name, context.Weight(_kernel!, "kernel"));
            if (_bias is not null)
                x = context.Node("Add", x, context.Weight(_bias, "bias"));
            return context.Activation(x, Activation);
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("units", Units)
            .With("activation", Activation)
            .With("use_bias", UseBias)
            .With("kernel_initializer", KernelInitializer)
            .With("bias_initializer", BiasInitializer)
            .With("kernel_regularizer", KernelRegularizer)
            .With("bias_regularizer", BiasRegularizer)
            .With("kernel_constraint", KernelConstraint)
            .With("bias_constraint", BiasConstraint);
    }
}
