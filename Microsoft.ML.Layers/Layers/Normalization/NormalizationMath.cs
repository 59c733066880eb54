using System;
using System.Linq;
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

        /// <summary>Python's notation for an axis list: <c>-1</c> or <c>[1, 2]</c>.</summary>
        public static string Describe(int[] axes)
            => axes.Length == 1 ? axes[0].ToString(System.Globalization.CultureInfo.InvariantCulture) : "[" + string.Join(", ", axes) + "]";
    }
}
