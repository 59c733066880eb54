using System;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The statistics and axis handling shared by the normalization layers, written as Keras 3's torch backend computes them.
    /// </summary>
    internal static class NormalizationMath
    {
        /// <summary>
        /// Keras's <c>ops.moments</c> on the torch backend: the mean and the biased variance over <paramref name="axes"/>,
        /// the variance computed as <c>mean(x²) - mean(x)²</c>. Float16 inputs are computed in float32, clipped to the
        /// float16 range and cast back, as Keras does. The results keep the reduced axes (size 1).
        /// </summary>
        public static (Tensor Mean, Tensor Variance) Moments(Tensor x, long[] axes)
        {
            bool half = x.dtype == ScalarType.Float16;
            var input = half ? x.to(ScalarType.Float32) : x;
            var mean = input.mean(axes, keepdim: true);
            var variance = input.Squared().mean(axes, keepdim: true) - mean.Squared();
            if (half)
            {
                const double Float16Max = 65504.0;
                mean = mean.ClampScalar(-Float16Max, Float16Max).to(ScalarType.Float16);
                variance = variance.ClampScalar(-Float16Max, Float16Max).to(ScalarType.Float16);
            }
            return (mean, variance);
        }

        /// <summary>Converts possibly negative axes to positions for a rank, failing with the layer's name when one is out of
        /// range.</summary>
        public static int[] ResolveAxes(Layer layer, int[] axes, int rank, Shape inputShape)
        {
            var resolved = new int[axes.Length];
            for (int i = 0; i < axes.Length; i++)
            {
                int position = axes[i] < 0 ? axes[i] + rank : axes[i];
                if (position < 0 || position >= rank)
                {
                    throw new ArgumentException(
                        $"Layer '{layer.Name}' ({layer.GetType().Name}): axis {axes[i]} is out of bounds for input shape {inputShape}. " +
                        $"Received: axis={Describe(axes)}.");
                }
                resolved[i] = position;
            }
            if (resolved.Distinct().Count() != resolved.Length)
                throw new ArgumentException($"Layer '{layer.Name}' ({layer.GetType().Name}): duplicate axes {Describe(axes)} for input " +
                    $"shape {inputShape}.");
            return resolved;
        }

        /// <summary>A shape of ones of rank <paramref name="rank"/>, except <paramref name="sizes"/> at
        /// <paramref name="positions"/>.</summary>
        public static long[] BroadcastShape(int rank, int[] positions, long[] sizes)
        {
            var shape = Enumerable.Repeat(1L, rank).ToArray();
            for (int i = 0; i < positions.Length; i++)
                shape[positions[i]] = sizes[i];
            return shape;
        }

        /// <summary>ONNX: <c>1 / sqrt(x + epsilon)</c>.</summary>
        public static string OnnxInverseStd(OnnxExportContext context, string variance, double epsilon)
            => context.Node("Reciprocal", context.Node("Sqrt", context.Node("Add", variance, context.Constant((float)epsilon))));

        /// <summary>ONNX: the mean and biased variance over <paramref name="axes"/>, kept; the variance as <see cref="Moments"/>
        /// computes it (<c>mean(x²) - mean(x)²</c>) or, with <paramref name="twoPass"/>, as libtorch's <c>var</c> and
        /// <c>layer_norm</c> do (<c>mean((x - mean)²)</c>).</summary>
        public static (string Mean, string Variance) OnnxMoments(OnnxExportContext context, string x, long[] axes, bool twoPass)
        {
            var mean = context.Reduce("ReduceMean", x, axes, keepDims: true);
            if (twoPass)
            {
                var centered = context.Node("Sub", x, mean);
                return (mean, context.Reduce("ReduceMean", context.Node("Mul", centered, centered), axes, keepDims: true));
            }
            var meanOfSquares = context.Reduce("ReduceMean", context.Node("Mul", x, x), axes, keepDims: true);
            return (mean, context.Node("Sub", meanOfSquares, context.Node("Mul", mean, mean)));
        }

        /// <summary>Python's notation for an axis list: <c>-1</c> or <c>[1, 2]</c>.</summary>
        public static string Describe(int[] axes)
            => axes.Length == 1 ? axes[0].ToString(System.Globalization.CultureInfo.InvariantCulture) : "[" + string.Join(", ", axes) + "]";
    }
}
