using System;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Unit normalization (Keras's <c>UnitNormalization</c>): scales each sample to an L2 norm of 1 over
    /// <see cref="Axis"/>, <c>x / sqrt(max(sum(x²), 1e-12))</c>.
    /// </summary>
    /// <remarks>
    /// No weights. Input: any rank; output: the input's shape; masks pass through.
    /// <code>
    /// var unit = new UnitNormalization();
    /// Tensor y = unit.Apply(torch.tensor(new float[,] { { 3, 4 } }));   // [[0.6, 0.8]]
    /// </code>
    /// </remarks>
    [RegisterLayer("UnitNormalization")]
    public sealed class UnitNormalization : Layer, IOnnxExportable
    {
        private long[] _axes = Array.Empty<long>();

        /// <summary>Creates a unit normalization layer.</summary>
        /// <param name="axis">The axis or axes to normalize over; <c>-1</c> (the last) by default.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility (there are no weights).</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        /// <exception cref="ArgumentException"><paramref name="axis"/> is empty.</exception>
        public UnitNormalization(IntTuple? axis = null, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            var axes = (axis ?? new IntTuple(-1)).Values;
            if (axes.Length == 0)
                throw new ArgumentException("Invalid value for `axis` argument: expected an int or a list/tuple of ints. Received: axis=()",
                    nameof(axis));
            Axis = axes;
            SupportsMasking = true;
        }

        /// <summary>The axes normalized over, as given.</summary>
        public int[] Axis { get; }

        /// <inheritdoc />
        protected override void Build(Shape inputShape)
        {
            NormalizationMath.ResolveAxes(this, Axis, inputShape.Rank, inputShape);
            _axes = Axis.Select(a => (long)a).ToArray();
        }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            var squareSum = inputs.Squared().sum(_axes, keepdim: true);
            return inputs * squareSum.ClampMinScalar(1e-12).rsqrt();
        }

        /// <summary><c>x / sqrt(max(sum(x²), 1e-12))</c> over the axes.</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
        {
            var squareSum = context.Reduce("ReduceSum", context.Node("Mul", input.Name, input.Name), _axes, keepDims: true);
            var clamped = context.Node("Max", squareSum, context.Constant(1e-12f));
            return context.Node("Mul", input.Name, context.Node("Reciprocal", context.Node("Sqrt", clamped)));
        }

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig().With("axis", Axis.Length == 1 ? Axis[0] : Axis);
    }
}
