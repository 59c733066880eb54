using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Onnx;
using Microsoft.ML.Layers.Regularizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The parametric rectified linear unit (Keras's <c>PReLU</c> layer): <c>x</c> for <c>x &gt;= 0</c>, <c>alpha * x</c>
    /// otherwise, with <c>alpha</c> learned per element.
    /// </summary>
    /// <remarks>
    /// <para>Weight: <c>alpha</c>, of the input's shape without the batch axis, with size 1 along <c>shared_axes</c> (so a
    /// convolution's feature maps can share one slope per channel with <c>sharedAxes: (1, 2)</c>). Output: the input's
    /// shape. Masks pass through. Computed as Keras does: <c>relu(x) - alpha * relu(-x)</c>.</para>
    /// <para>As in Keras, the built layer requires the input rank, and the sizes of the axes that are not shared when
    /// <c>shared_axes</c> is given.</para>
    /// <code>
    /// var prelu = new PReLU(sharedAxes: new[] { 1, 2 });
    /// Tensor y = prelu.Apply(torch.randn(8, 5, 5, 16));   // alpha: (1, 1, 16)
    /// </code>
    /// </remarks>
    [RegisterLayer("PReLU")]
    public sealed class PReLU : Layer, IOnnxExportable
    {
        private Parameter? _alpha;

        /// <summary>Creates the layer.</summary>
        /// <param name="alphaInitializer">Default <c>zeros</c> (Keras's <c>"Zeros"</c>): the layer starts as a ReLU.</param>
        /// <param name="alphaRegularizer">Penalty on <c>alpha</c>.</param>
        /// <param name="alphaConstraint">Projection of <c>alpha</c> after each optimizer step.</param>
        /// <param name="sharedAxes">The input axes (1 = the first after the batch) along which <c>alpha</c> is shared; none by
        /// default.</param>
        /// <param name="name">The layer name; unique by default (<c>p_re_lu</c>, <c>p_re_lu_1</c>, ...).</param>
        /// <param name="trainable">Whether <c>alpha</c> is trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        public PReLU(Initializer? alphaInitializer = null, Regularizer? alphaRegularizer = null, Constraint? alphaConstraint = null,
            IntTuple? sharedAxes = null, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            AlphaInitializer = alphaInitializer ?? Initializer.Zeros();
            AlphaRegularizer = alphaRegularizer;
            AlphaConstraint = alphaConstraint;
            SharedAxes = sharedAxes?.Values;
            SupportsMasking = true;
        }

        /// <summary>The initializer of <c>alpha</c>.</summary>
        public Initializer AlphaInitializer { get; }

        /// <summary>The regularizer of <c>alpha</c>, if any.</summary>
        public Regularizer? AlphaRegularizer { get; }

        /// <summary>The constraint of <c>alpha</c>, if any.</summary>
        public Constraint? AlphaConstraint { get; }

        /// <summary>The axes along which <c>alpha</c> is shared, or <see langword="null"/>.</summary>
        public IReadOnlyList<int>? SharedAxes { get; }

        /// <summary>The learned slopes; null before build.</summary>
        public Parameter? Alpha => _alpha;

        /// <inheritdoc />
        protected override void Build(Shape inputShape)
        {
            var shared = SharedAxes ?? Array.Empty<int>();
            var outside = shared.Where(a => a < 1 || a >= inputShape.Rank).ToList();
            if (outside.Count > 0)
            {
                throw new ArgumentException(
                    $"Layer '{Name}' (PReLU): `shared_axes` must name input axes from 1 to {inputShape.Rank - 1} (axis 0 is the batch). " +
                    $"Received: shared_axes=[{string.Join(", ", SharedAxes!)}] for input_shape={inputShape}.");
            }
            var alphaShape = new Shape(Enumerable.Range(1, inputShape.Rank - 1)
                .Select(axis => shared.Contains(axis) ? 1 : inputShape[axis]));
            if (!alphaShape.IsFullyDefined)
            {
                throw new ArgumentException(
                    $"Layer '{Name}' (PReLU) needs known sizes on the axes it does not share to build `alpha`. Received: " +
                    $"input_shape={inputShape}, shared_axes={(SharedAxes is null ? "None" : $"[{string.Join(", ", SharedAxes)}]")}.");
            }
            _alpha = AddWeight("alpha", alphaShape, AlphaInitializer, regularizer: AlphaRegularizer, constraint: AlphaConstraint);
            var axes = shared.Count == 0 ? null
                : Enumerable.Range(1, inputShape.Rank - 1).Where(axis => !shared.Contains(axis))
                    .ToDictionary(axis => axis, axis => inputShape[axis]);
            InputSpec = new InputSpec { NDim = inputShape.Rank, Axes = axes };
        }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
            => nn.functional.relu(inputs) - _alpha! * nn.functional.relu(-inputs);

        /// <summary><c>relu(x) - alpha * relu(-x)</c>, <c>alpha</c> broadcast as in <see cref="Call"/>.</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
        {
            var negative = context.Node("Relu", context.Node("Neg", input.Name));
            return context.Node("Sub", context.Node("Relu", input.Name), context.Node("Mul", context.Weight(_alpha!, "alpha"), negative));
        }

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("alpha_initializer", AlphaInitializer)
            .With("alpha_regularizer", AlphaRegularizer)
            .With("alpha_constraint", AlphaConstraint)
            .With("shared_axes", SharedAxes);
    }
}
