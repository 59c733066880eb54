using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Onnx;
using Microsoft.ML.Layers.Regularizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// A dense layer of any dimensionality computed with <c>einsum</c> (Keras's <c>EinsumDense</c>):
    /// <c>output = activation(einsum(equation, input, kernel) + bias)</c>.
    /// </summary>
    /// <remarks>
    /// <para>The equation has the form <c>ab,bc-&gt;ac</c>, <c>...ab,bc-&gt;...ac</c> (ellipsis on the left) or
    /// <c>ab...,bc-&gt;ac...</c> (ellipsis on the right); the first term is the input, the second the kernel.</para>
    /// <para>Weights, in Keras's layout: <c>kernel</c> with one dimension per letter of the kernel term, in that order
    /// (each sized from the input or from <c>output_shape</c>), then <c>bias</c> when <c>bias_axes</c> is given: it spans the
    /// output term from the first bias letter to the end, with size 1 on the letters not in <c>bias_axes</c> (and on the
    /// elided axes of a right ellipsis).</para>
    /// <para>Input: the rank the equation (and the build) fixes. Output: the batch dimension followed by
    /// <c>output_shape</c>, with the elided axes where the ellipsis is. Masks are not propagated (as in Keras).</para>
    /// <code>
    /// var layer = new EinsumDense("abc,cd->abd", outputShape: new Shape(Shape.Unknown, 64), biasAxes: "d");
    /// Tensor y = layer.Apply(torch.randn(8, 32, 128));   // (8, 32, 64); kernel (128, 64), bias (64,)
    /// </code>
    /// </remarks>
    [RegisterLayer("EinsumDense")]
    public sealed class EinsumDense : Layer, IOnnxExportable
    {
        private static readonly Regex Plain = new("^([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$", RegexOptions.CultureInvariant);
        private static readonly Regex LeftEllipsis = new("^0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$", RegexOptions.CultureInvariant);
        private static readonly Regex RightEllipsis = new("^([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$", RegexOptions.CultureInvariant);

        private readonly string _inputSpec;
        private readonly string _weightSpec;
        private readonly string _outputSpec;
        private readonly bool _leftElided;
        private Parameter? _kernel;
        private Parameter? _bias;

        /// <summary>Creates an einsum dense layer.</summary>
        /// <param name="equation">The einsum equation, input term first and kernel term second, e.g. <c>"ab,bc-&gt;ac"</c>.</param>
        /// <param name="outputShape">The output shape without the batch dimension and without the elided axes; unknown
        /// (<see cref="Shape.Unknown"/>) where the size comes from the input. An integer is a one-dimensional shape.</param>
        /// <param name="activation">The activation; none (linear) by default.</param>
        /// <param name="biasAxes">The letters of the output term that get a bias, e.g. <c>"d"</c>; none by default (no bias).</param>
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
        /// <exception cref="ArgumentException">The equation is not of a supported form, or a bias letter is not in the output
        /// term.</exception>
        public EinsumDense(string equation, Shape outputShape, Activation? activation = null, string? biasAxes = null,
            Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
            Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
            Constraint? kernelConstraint = null, Constraint? biasConstraint = null,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            ArgumentNullException.ThrowIfNull(equation);
            ArgumentNullException.ThrowIfNull(outputShape);
            (_inputSpec, _weightSpec, _outputSpec, _leftElided) = ParseEquation(equation);
            if (biasAxes is not null && biasAxes.FirstOrDefault(c => !_outputSpec.Contains(c)) is var missing && missing != default)
            {
                throw new ArgumentException(
                    $"Bias dimension '{missing}' was requested, but is not part of the output spec '{_outputSpec}'. Received: " +
                    $"bias_axes='{biasAxes}'.", nameof(biasAxes));
            }
            Equation = equation;
            PartialOutputShape = outputShape;
            Activation = activation ?? Activations.Linear;
            BiasAxes = biasAxes;
            KernelInitializer = kernelInitializer ?? Initializer.GlorotUniform();
            BiasInitializer = biasInitializer ?? Initializer.Zeros();
            KernelRegularizer = kernelRegularizer;
            BiasRegularizer = biasRegularizer;
            ActivityRegularizer = activityRegularizer;
            KernelConstraint = kernelConstraint;
            BiasConstraint = biasConstraint;
        }

        /// <summary>The einsum equation.</summary>
        public string Equation { get; }

        /// <summary>The output shape as given: without the batch dimension and the elided axes.</summary>
        public Shape PartialOutputShape { get; }

        /// <summary>The activation applied to the output.</summary>
        public Activation Activation { get; }

        /// <summary>The output letters with a bias, or <see langword="null"/> for no bias.</summary>
        public string? BiasAxes { get; }

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

        /// <summary>The kernel, one dimension per letter of the kernel term; null before build.</summary>
        public Parameter? Kernel => _kernel;

        /// <summary>The bias; null before build or without <see cref="BiasAxes"/>.</summary>
        public Parameter? Bias => _bias;

        /// <inheritdoc />
        protected override void Build(Shape inputShape)
        {
            var (kernelShape, biasShape, _) = Analyze(inputShape);
            _kernel = AddWeight("kernel", kernelShape, KernelInitializer, regularizer: KernelRegularizer, constraint: KernelConstraint);
            if (biasShape is not null)
                _bias = AddWeight("bias", biasShape, BiasInitializer, regularizer: BiasRegularizer, constraint: BiasConstraint);
            // Keras's spec fixes the rank; the sizes the kernel was built from are fixed too, for a clear error instead of einsum's.
            int elided = inputShape.Rank - _inputSpec.Length;
            var axes = _inputSpec.Select((label, i) => (label, axis: _leftElided ? i + elided - inputShape.Rank : i))
                .Where(p => _weightSpec.Contains(p.label))
                .ToDictionary(p => p.axis, p => inputShape[_leftElided ? p.axis + inputShape.Rank : p.axis]);
            InputSpec = new InputSpec { NDim = inputShape.Rank, Axes = axes };
        }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            var x = einsum(Equation, inputs, _kernel!);
            if (_bias is not null)
                x = x.Plus(_bias);
            return Activation.Apply(x);
        }

        /// <summary>ONNX <c>Einsum</c> (opset 12 and later) of the input and the kernel, plus the bias, then the activation.
        /// </summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
        {
            var x = context.Node("Einsum", new[] { input.Name, context.Weight(_kernel!, "kernel") },
                new OnnxAttributes { { "equation", Equation } });
            if (_bias is not null)
                x = context.Node("Add", x, context.Weight(_bias, "bias"));
            return context.Activation(x, Activation);
        }

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape)
        {
            ArgumentNullException.ThrowIfNull(inputShape);
            return Analyze(inputShape).OutputShape;
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("output_shape", PartialOutputShape)
            .With("equation", Equation)
            .With("activation", Activation)
            .With("bias_axes", BiasAxes)
            .With("kernel_initializer", KernelInitializer)
            .With("bias_initializer", BiasInitializer)
            .With("kernel_regularizer", KernelRegularizer)
            .With("bias_regularizer", BiasRegularizer)
            .With("activity_regularizer", ActivityRegularizer)
            .With("kernel_constraint", KernelConstraint)
            .With("bias_constraint", BiasConstraint);

        private static (string Input, string Weight, string Output, bool LeftElided) ParseEquation(string equation)
        {
            string dotted = equation.Replace("...", "0", StringComparison.Ordinal);
            foreach (var (regex, left) in new[] { (Plain, false), (LeftEllipsis, true), (RightEllipsis, false) })
            {
                var match = regex.Match(dotted);
                if (match.Success)
                    return (match.Groups[1].Value, match.Groups[2].Value, match.Groups[3].Value, left);
            }
            throw new ArgumentException(
                $"Invalid einsum equation '{equation}'. Equations must be in the form [X],[Y]->[Z], ...[X],[Y]->...[Z], or " +
                $"[X]...,[Y]->[Z]....", nameof(equation));
        }

        /// <summary>Keras's analysis of the equation for an input shape: the kernel shape, the bias shape and the full output
        /// shape.</summary>
        private (Shape Kernel, Shape? Bias, Shape OutputShape) Analyze(Shape inputShape)
        {
            int rank = inputShape.Rank;
            int elided = rank - _inputSpec.Length;
            bool hasEllipsis = _leftElided || Equation.Contains("...", StringComparison.Ordinal);
            if (elided < 0 || (!hasEllipsis && elided != 0))
            {
                throw new ArgumentException(
                    $"Layer '{Name}' (EinsumDense): the input term '{_inputSpec}' of the equation '{Equation}' needs an input of rank " +
                    $"{_inputSpec.Length}{(hasEllipsis ? " or more" : "")}. Received: input_shape={inputShape}.");
            }
            int expectedPartial = _leftElided ? _outputSpec.Length : _outputSpec.Length - 1;
            if (PartialOutputShape.Rank != expectedPartial)
            {
                throw new ArgumentException(
                    $"Layer '{Name}' (EinsumDense): `output_shape` must have {expectedPartial} dimension(s) for the output term " +
                    $"'{_outputSpec}' (the batch dimension and elided axes excluded). Received: output_shape={PartialOutputShape}.");
            }

            // The output as Keras lays it out: batch, (left-elided axes), the given output_shape, (right-elided axes).
            var output = _leftElided ? inputShape.Take(elided).ToList() : new List<long> { inputShape[0] };
            output.AddRange(PartialOutputShape);
            if (!_leftElided)
                output.AddRange(Enumerable.Range(rank - elided, elided).Select(i => inputShape[i]));

            int InputAxis(char label) => _leftElided ? _inputSpec.IndexOf(label) + elided : _inputSpec.IndexOf(label);
            int OutputAxis(char label) => _leftElided ? _outputSpec.IndexOf(label) + elided : _outputSpec.IndexOf(label);

            foreach (char label in _inputSpec.Where(c => _outputSpec.Contains(c)))
            {
                long inputDim = inputShape[InputAxis(label)];
                long outputDim = output[OutputAxis(label)];
                if (outputDim != Shape.Unknown && inputDim != Shape.Unknown && outputDim != inputDim)
                {
                    throw new ArgumentException(
                        $"Layer '{Name}' (EinsumDense): input shape and output shape do not match at shared dimension '{label}'. " +
                        $"Input shape is {inputDim}, and output shape is {outputDim}. Received: input_shape={inputShape}.");
                }
                // The output size of a shared letter is the input's (Keras leaves it as given; the einsum gives the input's).
                output[OutputAxis(label)] = inputDim;
            }
            foreach (char label in _outputSpec.Where(c => !_inputSpec.Contains(c) && !_weightSpec.Contains(c)))
            {
                throw new ArgumentException(
                    $"Dimension '{label}' was specified in the output '{_outputSpec}' but has no corresponding dim in the input spec " +
                    $"'{_inputSpec}' or weight spec '{_weightSpec}' (layer '{Name}').");
            }

            var kernel = new List<long>();
            foreach (char label in _weightSpec)
            {
                long size = _inputSpec.Contains(label) ? inputShape[InputAxis(label)]
                    : _outputSpec.Contains(label) ? output[OutputAxis(label)]
                    : throw new ArgumentException(
                        $"Weight dimension '{label}' did not have a match in either the input spec '{_inputSpec}' or the output spec " +
                        $"'{_outputSpec}'. For this layer, the weight must be fully specified (layer '{Name}').");
                kernel.Add(size);
            }

            Shape? bias = null;
            if (BiasAxes is not null)
            {
                int first = BiasAxes.Min(c => _outputSpec.IndexOf(c));
                var dims = _outputSpec.Substring(first).Select(c => BiasAxes.Contains(c) ? output[OutputAxis(c)] : 1L).ToList();
                if (!_leftElided)
                    dims.AddRange(Enumerable.Repeat(1L, elided));
                bias = new Shape(dims);
            }
            return (new Shape(kernel), bias, new Shape(output));
        }
    }
}
