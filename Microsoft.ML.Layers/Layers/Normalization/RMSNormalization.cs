using System;
using System.Linq;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Root mean square normalization (Keras 3's <c>RMSNormalization</c>, Zhang and Sennrich 2019): divides each sample by
    /// its root mean square over <see cref="Axis"/>, <c>x * rsqrt(mean(square(x)) + epsilon) * scale</c>, without centering.
    /// </summary>
    /// <remarks>
    /// <para>Not <see cref="LayerNormalization"/>'s <c>rms_scaling</c>, which is Keras's deprecated variance scaling.</para>
    /// <para>The layer computes in at least float32 (half-precision inputs are normalized in float32 and cast back), as
    /// Keras's <c>ops.rms_normalization</c> does; under a mixed policy <c>scale</c> is read in the compute dtype first
    /// (Keras's default weight autocasting).</para>
    /// <para>Weight: <c>scale</c> (ones), of the input's sizes on the axes taken in Keras's order (the axis values sorted).
    /// It is broadcast over the normalized axes at their positions in the input. Input: any rank; output: the input's
    /// shape. As in Keras (the layer does not declare mask support), an input mask is not propagated: a warning says so.</para>
    /// <code>
    /// var norm = new RMSNormalization();                         // over the last axis
    /// Tensor y = norm.Apply(torch.randn(8, 5, 16));              // scale is (16,)
    /// var wide = new RMSNormalization(axis: new[] { 1, 2 });     // scale is (5, 16)
    /// </code>
    /// </remarks>
    [RegisterLayer("RMSNormalization")]
    public sealed class RMSNormalization : Layer, IOnnxExportable
    {
        private readonly bool _axisIsList;
        private Parameter? _scale;
        private int _buildRank;
        private long[] _axes = Array.Empty<long>();
        private long[] _broadcastShape = Array.Empty<long>();
        private long[]? _toPositionOrder;

        /// <summary>Creates a root mean square normalization layer.</summary>
        /// <param name="axis">The axis or axes to normalize over; <c>-1</c> (the last) by default.</param>
        /// <param name="epsilon">Added to the mean square to avoid dividing by zero; <c>1e-6</c> by default.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether <c>scale</c> is trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        /// <exception cref="ArgumentException"><paramref name="axis"/> is empty.</exception>
        public RMSNormalization(IntTuple? axis = null, double epsilon = 1e-6, string? name = null, bool trainable = true,
            ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            var axes = (axis ?? new IntTuple(-1)).Values;
            if (axes.Length == 0)
                throw new ArgumentException("RMSNormalization: expected an int or a list/tuple of ints for the argument 'axis'. " +
                    "Received: axis=()", nameof(axis));
            Axis = axes;
            _axisIsList = axes.Length > 1;
            Epsilon = epsilon;
        }

        /// <summary>The axes normalized over, as given.</summary>
        public int[] Axis { get; }

        /// <summary>Added to the mean square to avoid dividing by zero.</summary>
        public double Epsilon { get; }

        /// <summary>The learned scale (Keras's <c>scale</c>); null before build.</summary>
        public Parameter? Scale => _scale;

        /// <summary>The axes in Keras's order after build: the given values sorted (so <c>[-1, 1]</c> stays in that order).</summary>
        private int[] SortedAxis => Axis.OrderBy(a => a).ToArray();

        /// <inheritdoc />
        protected override void Build(Shape inputShape)
        {
            int rank = inputShape.Rank;
            NormalizationMath.ResolveAxes(this, Axis, rank, inputShape);
            var weightPositions = NormalizationMath.ResolveAxes(this, SortedAxis, rank, inputShape);
            var weightShape = weightPositions.Select(p => inputShape[p]).ToArray();
            if (weightShape.Any(d => d == Shape.Unknown))
                throw new ArgumentException($"Layer '{Name}' (RMSNormalization) needs known sizes on the normalized axes " +
                    $"{NormalizationMath.Describe(Axis)}. Received: input_shape={inputShape}.");
            _scale = AddWeight("scale", new Shape(weightShape), Initializer.Ones());

            var positions = weightPositions.OrderBy(p => p).ToArray();
            _buildRank = rank;
            _axes = positions.Select(p => (long)p).ToArray();
            _broadcastShape = NormalizationMath.BroadcastShape(rank, positions, positions.Select(p => inputShape[p]).ToArray());
            // Keras sorts the axis values, not their positions: with mixed signs the weight's axes are not in input order.
            var order = positions.Select(p => (long)Array.IndexOf(weightPositions, p)).ToArray();
            _toPositionOrder = order.Select((o, i) => o == i).All(b => b) ? null : order;
        }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            var inputDType = inputs.dtype;
            // Keras computes in at least float32 (result_type(x, float32)) and casts the result back.
            var x = inputDType == ScalarType.Float64 ? inputs : inputs.to(ScalarType.Float32);
            var (axes, broadcastShape) = AxesFor(x, inputs);
            var scale = ScaleInPositionOrder(_scale!).to(x.dtype).reshape(broadcastShape);
            var inverseRms = x.Squared().mean(axes, keepdim: true).AddScalar(Epsilon).rsqrt();
            var outputs = x * inverseRms * scale;
            return outputs.dtype == inputDType ? outputs : outputs.to(inputDType);
        }

        /// <summary><c>x * (1 / sqrt(mean(x * x) + epsilon)) * scale</c> over the axes, <c>scale</c> reshaped to broadcast.</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
        {
            var x = input.Name;
            var meanSquare = context.Reduce("ReduceMean", context.Node("Mul", x, x), _axes, keepDims: true);
            var inverseRms = NormalizationMath.OnnxInverseStd(context, meanSquare, Epsilon);
            var scale = context.Weight(ScaleInPositionOrder(_scale!).reshape(_broadcastShape), "scale");
            return context.Node("Mul", context.Node("Mul", x, inverseRms), scale);
        }

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape)
        {
            NormalizationMath.ResolveAxes(this, Axis, inputShape.Rank, inputShape);
            return inputShape;
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig()
        {
            // Keras keeps the axis as given until it builds, then writes the sorted list.
            object axis = Built ? SortedAxis : _axisIsList ? Axis : Axis[0];
            return base.GetConfig().With("axis", axis).With("epsilon", Epsilon);
        }

        private Tensor ScaleInPositionOrder(Tensor scale) => _toPositionOrder is null ? scale : scale.permute(_toPositionOrder);

        // The build rank's axes, or (Keras broadcasts a trailing scale against any rank) the call rank's.
        private (long[] Axes, long[] BroadcastShape) AxesFor(Tensor x, Tensor inputs)
        {
            int rank = (int)x.dim();
            if (rank == _buildRank)
                return (_axes, _broadcastShape);
            var shape = Shape.Of(inputs);
            var positions = NormalizationMath.ResolveAxes(this, SortedAxis, rank, shape).OrderBy(p => p).ToArray();
            return (positions.Select(p => (long)p).ToArray(),
                NormalizationMath.BroadcastShape(rank, positions, positions.Select(p => x.shape[p]).ToArray()));
        }
    }
}
