using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Infrastructure;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The dot product of two inputs along one axis of each, sample by sample (Keras's <c>Dot</c>, Keras's
    /// <c>batch_dot</c>).
    /// </summary>
    /// <remarks>
    /// <para>For inputs <c>(batch, 3, 5)</c> and <c>(batch, 10, 3)</c> with <c>axes: (1, 2)</c>, the output is
    /// <c>(batch, 5, 10)</c>: the first input's remaining axes, then the second's. A rank-1 result gets a trailing axis
    /// of 1, so two <c>(batch, n)</c> inputs give <c>(batch, 1)</c>. With <c>normalize: true</c> both inputs are
    /// L2-normalized along the dot axes first, so the output is the cosine similarity.</para>
    /// <para>Exactly two inputs; no weights; the output has no mask.</para>
    /// <code>
    /// Tensor cosine = new Dot(axes: 1, normalize: true).Apply(new[] { a, b });   // (batch, 1)
    /// </code>
    /// </remarks>
    [RegisterLayer("Dot")]
    public sealed class Dot : Merge
    {
        /// <summary>Creates a dot-product layer.</summary>
        /// <param name="axes">One axis for both inputs, or one axis per input (<c>(1, 2)</c>); negative axes count from the end.</param>
        /// <param name="normalize">Whether to L2-normalize both inputs along the dot axes first (cosine similarity).</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility (there are no weights).</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        /// <exception cref="ArgumentException"><paramref name="axes"/> has neither one nor two values.</exception>
        public Dot(IntTuple axes, bool normalize = false, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            if (axes.Count is not (1 or 2))
                throw new ArgumentException($"Invalid format for argument `axes`: it should contain two elements. Received: axes={axes}",
                    nameof(axes));
            Axes = axes;
            Normalize = normalize;
        }

        /// <summary>The dot axes: one for both inputs, or one per input.</summary>
        public IntTuple Axes { get; }

        /// <summary>Whether the inputs are L2-normalized along the dot axes first.</summary>
        public bool Normalize { get; }

        private protected override bool ExpandsRanks => false;

        private (int First, int Second) ResolveAxes(int firstRank, int secondRank)
        {
            var values = Axes.Values;
            int first = values[0], second = values.Length == 2 ? values[1] : values[0];
            return (first < 0 ? first + firstRank : first, second < 0 ? second + secondRank : second);
        }

        private protected override void ValidateShapes(IReadOnlyList<Shape> shapes)
        {
            if (shapes.Count != 2)
                throw Error($"A `Dot` layer should be called on a list of 2 inputs. Received: input_shape={Describe(shapes)}");
            var (a, b) = (shapes[0], shapes[1]);
            if (a.Rank < 2 || b.Rank < 2)
                throw Error($"Cannot do batch_dot on inputs with rank < 2. Received inputs with shapes {a} and {b}.");
            var (first, second) = ResolveAxes(a.Rank, b.Rank);
            if (first <= 0 || first >= a.Rank || second <= 0 || second >= b.Rank)
                throw Error($"Invalid dot axes {Axes} for inputs with shapes {a} and {b}: the axes must exist and must not be the batch " +
                    $"axis 0.");
            if (a[0] != Shape.Unknown && b[0] != Shape.Unknown && a[0] != b[0])
                throw Error($"Cannot do batch_dot on inputs with different batch sizes. Received inputs with shapes {a} and {b}.");
            if (a[first] != Shape.Unknown && b[second] != Shape.Unknown && a[first] != b[second])
                throw Error($"Incompatible input shapes: axis values {a[first]} (at axis {first}) != {b[second]} (at axis {second}). " +
                    $"Full input shapes: {a}, {b}");
        }

        private protected override Tensor MergeFunction(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks)
        {
            var (x, y) = (inputs[0], inputs[1]);
            var (first, second) = ResolveAxes((int)x.ndim, (int)y.ndim);
            if (Normalize)
            {
                x = L2Normalize(x, first);
                y = L2Normalize(y, second);
            }
            return BatchDot(x, y, first, second);
        }

        // Keras's ops.normalize (order 2): x * min(rsqrt(sum(x²)), 1 / epsilon), epsilon = 1e-7.
        private static Tensor L2Normalize(Tensor x, int axis)
            => x * x.Squared().sum(new long[] { axis }, keepdim: true).rsqrt().ClampMaxScalar(1e7);

        // Keras's batch_dot: move x's dot axis last and y's to axis 1, flatten both to rank 3, matmul, restore the shape.
        private static Tensor BatchDot(Tensor x, Tensor y, int xAxis, int yAxis)
        {
            int xRank = (int)x.ndim, yRank = (int)y.ndim;
            bool xWasMatrix = xRank == 2, yWasMatrix = yRank == 2;
            if (xWasMatrix)
            {
                x = x.unsqueeze(1);
                xAxis++;
                xRank++;
            }
            if (yWasMatrix)
            {
                y = y.unsqueeze(2);
                yRank++;
            }
            if (xAxis != xRank - 1)
                x = x.permute(Enumerable.Range(0, xRank).Where(i => i != xAxis).Append(xAxis).Select(i => (long)i).ToArray());
            if (yAxis != 1)
                y = y.permute(new[] { 0, yAxis }.Concat(Enumerable.Range(1, yRank - 1).Where(i => i != yAxis)).Select(i => (long)i)
                    .ToArray());

            var xMiddle = x.shape[1..^1];
            var yTrailing = y.shape[2..];
            if (xRank > 3)
                x = x.reshape(x.shape[0], -1, x.shape[^1]);
            if (yRank > 3)
                y = y.reshape(y.shape[0], y.shape[1], -1);
            // Both are rank 3 here: bmm is matmul for them (and reports a shape error as an exception, where TorchSharp 0.107's matmul
            // aborts).
            var result = x.bmm(y);
            if (xRank > 3 || yRank > 3)
            {
                var shape = new List<long> { result.shape[0] };
                shape.AddRange(xRank > 3 ? xMiddle : new[] { result.shape[1] });
                shape.AddRange(yRank > 3 ? yTrailing : new[] { result.shape[^1] });
                result = result.reshape(shape.ToArray());
            }
            if (xWasMatrix)
                result = result.squeeze(1);
            else if (yWasMatrix)
                result = result.squeeze(-1);
            return result;
        }

        /// <summary>
        /// The batch dot product as one <c>Einsum</c> (the batch axis shared, the dot axes contracted, the remaining axes of the
        /// first input then of the second), with the trailing axis of 1 of a rank-1 result; the L2 normalization as
        /// <c>x * min(1 / sqrt(sum(x²)), 1e7)</c>.
        /// </summary>
        private protected override string ExportMerge(OnnxExportContext context, IReadOnlyList<OnnxValue> inputs)
        {
            var (x, y) = (inputs[0].Name, inputs[1].Name);
            int xRank = inputs[0].Shape.Rank, yRank = inputs[1].Shape.Rank;
            var (first, second) = ResolveAxes(xRank, yRank);
            if (xRank + yRank > 24)
                throw context.Unsupported($"its inputs have ranks {xRank} and {yRank}; the export writes inputs whose ranks sum to at " +
                    "most 24.");
            if (Normalize)
            {
                x = ExportL2Normalize(context, x, first);
                y = ExportL2Normalize(context, y, second);
            }
            // Letters: a is the batch, z the contracted axis, the others one per remaining axis.
            var xLetters = Enumerable.Range(0, xRank).Select(i => i == 0 ? 'a' : i == first ? 'z' : (char)('a' + i)).ToArray();
            var yLetters = Enumerable.Range(0, yRank).Select(i => i == 0 ? 'a' : i == second ? 'z' : (char)('a' + xRank + i)).ToArray();
            var outputLetters = xLetters.Where((_, i) => i != first).Concat(yLetters.Where((_, i) => i != 0 && i != second)).ToArray();
            string equation = $"{new string(xLetters)},{new string(yLetters)}->{new string(outputLetters)}";
            var result = context.Node("Einsum", new[] { x, y }, new OnnxAttributes { { "equation", equation } });
            return outputLetters.Length == 1 ? context.Unsqueeze(result, 1) : result;
        }

        private static string ExportL2Normalize(OnnxExportContext context, string x, int axis)
        {
            var sum = context.Reduce("ReduceSum", context.Node("Mul", x, x), new long[] { axis }, keepDims: true);
            var inverse = context.Node("Reciprocal", context.Node("Sqrt", sum));
            return context.Node("Mul", x, context.Node("Min", inverse, context.Constant(1e7f)));
        }

        /// <summary>None: a dot product has no mask.</summary>
        public override Tensor? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?>? masks) => null;

        /// <summary>The first shape without its dot axis, then the second without its batch and dot axes; <c>(batch, 1)</c> for a rank-1
        /// result.</summary>
        public override Shape ComputeOutputShape(IReadOnlyList<Shape> inputShapes)
        {
            ArgumentNullException.ThrowIfNull(inputShapes);
            if (inputShapes.Count != 2)
                throw Error($"A `Dot` layer should be called on a list of 2 inputs. Received: input_shape={Describe(inputShapes)}");
            var (a, b) = (inputShapes[0], inputShapes[1]);
            var (first, second) = ResolveAxes(a.Rank, b.Rank);
            var dims = a.Where((_, i) => i != first).Concat(b.Where((_, i) => i != second && i != 0)).ToList();
            if (dims.Count == 1)
                dims.Add(1);
            return new Shape(dims);
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("axes", Axes.Count == 1 ? (object)Axes.Values[0] : Axes)
            .With("normalize", Normalize);
    }
}
