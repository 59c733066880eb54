using System;
using System.Globalization;
using System.Linq;
using TorchSharp;

namespace Microsoft.ML.Layers.Initializers
{
    /// <summary>
    /// The random sampling of Keras 3's torch backend (<c>keras.src.backend.torch.random</c>), shared by the random
    /// initializers: a fresh <see cref="torch.Generator"/> seeded with the seed's low 32 bits, and the same libtorch calls
    /// in the same order, so that on the CPU an integer seed and dtype give the values Keras 3 on the torch backend gives.
    /// (Keras's TensorFlow and JAX backends draw other values for the same seed.)
    /// </summary>
    internal static class Sampling
    {
        /// <summary>
        /// A generator for one call: seeded with the low 32 bits of <paramref name="seed"/> (as Keras's torch backend
        /// does), or <see langword="null"/> to draw from TorchSharp's global generator (<c>torch.manual_seed</c>).
        /// </summary>
        public static torch.Generator? GeneratorFor(long? seed)
            => seed is long s ? new torch.Generator(unchecked((ulong)(s & 0xFFFFFFFFL))) : null;

        /// <summary>The dimensions of a shape that must be fully known, and whose tensor of <paramref name="dtype"/> can be
        /// allocated (see <see cref="Layer.MaxAllocationBytes"/>).</summary>
        /// <exception cref="ArgumentException">A dimension is unknown, or the tensor would be too large.</exception>
        public static long[] Dimensions(Shape shape, torch.ScalarType dtype, string className)
        {
            ArgumentNullException.ThrowIfNull(shape);
            if (!shape.IsFullyDefined)
                throw new ArgumentException($"{className} needs a fully known shape. Received: shape={shape}.", nameof(shape));
            var dimensions = shape.ToArray();
            NativeGuards.CheckAllocation(dimensions, dtype, $"value the {className} initializer was asked for");
            return dimensions;
        }

        /// <summary>Checks that random values can be drawn in <paramref name="dtype"/>.</summary>
        /// <exception cref="ArgumentException">The dtype is not a floating-point type.</exception>
        public static void RequireFloating(torch.ScalarType dtype, string className)
        {
            if (!DTypes.IsFloating(dtype))
            {
                throw new ArgumentException(
                    $"{className} draws random values and needs a floating dtype (float16, bfloat16, float32 or float64). Received: " +
                    $"dtype={Describe(dtype)}.",
                    nameof(dtype));
            }
        }

        /// <summary>Keras's <c>random.normal</c>: <c>torch.normal(mean, stddev, size, generator, dtype)</c>.</summary>
        public static torch.Tensor Normal(long[] shape, double mean, double stddev, torch.ScalarType dtype, torch.Generator? generator)
            => torch.empty(shape, dtype).normal_(mean, stddev, generator);

        /// <summary>
        /// Keras's <c>random.uniform</c>: <c>(maxval - minval) * torch.rand(size, generator, dtype) + minval</c>; a scalar
        /// is drawn as shape <c>(1,)</c> and unwrapped, as Keras does.
        /// </summary>
        public static torch.Tensor Uniform(long[] shape, double minVal, double maxVal, torch.ScalarType dtype, torch.Generator? generator)
        {
            using var scope = torch.NewDisposeScope();
            var drawShape = shape.Length == 0 ? new long[] { 1 } : shape;
            // Scaled and shifted in place: the weight is the only tensor of its size (the same values as out of place).
            var output = torch.rand(drawShape, dtype, generator: generator).MulScalar_(maxVal - minVal).AddScalar_(minVal);
            if (shape.Length == 0)
                output = output[0];
            return output.MoveToOuterDisposeScope();
        }

        /// <summary>
        /// Keras's <c>random.truncated_normal</c>: four standard normal draws per element, keeping the first strictly
        /// inside (-2, 2), then <c>* stddev + mean</c>. Keras keeps an out-of-range draw when all four are outside (a
        /// probability of about 4.3e-6 per element); those elements are drawn again here from the same generator until
        /// they fall inside, so no value is ever beyond two standard deviations. Every other element equals Keras's.
        /// </summary>
        public static torch.Tensor TruncatedNormal(long[] shape, double mean, double stddev, torch.ScalarType dtype,
            torch.Generator? generator)
        {
            using var scope = torch.NewDisposeScope();
            using var low = (-2.0).ToScalar();
            using var high = 2.0.ToScalar();
            var candidates = Normal(shape.Append(4L).ToArray(), 0.0, 1.0, dtype, generator);
            // The first candidate inside (-2, 2): taken from the last to the first, so that the first inside wins. Where none
            // is, the value is outside and drawn again below (Keras's argmax would keep candidate 0, outside too). One
            // candidate-sized temporary at a time, rather than Keras's boolean and index tensors of all four.
            torch.Tensor result;
            using (var last = candidates.select(-1, 3))
                result = last.contiguous();
            for (int k = 2; k >= 0; k--)
            {
                // Views are disposed at once, so that disposing the candidates below frees their memory.
                using var candidate = candidates.select(-1, k);
                using var lower = candidate.gt(low);
                using var upper = candidate.lt(high);
                using var inside = lower.logical_and_(upper);
                var next = torch.where(inside, candidate, result);
                result.Dispose();
                result = next;
            }
            candidates.Dispose();
            while (true)
            {
                var outside = result.le(low).logical_or(result.ge(high));
                long count = outside.sum().item<long>();
                if (count == 0)
                    break;
                var redraw = Normal(new[] { count }, 0.0, 1.0, dtype, generator);
                result = result.masked_scatter(outside, redraw);
            }
            result = result.MulScalar_(stddev).AddScalar_(mean);
            return result.MoveToOuterDisposeScope();
        }

        /// <summary>Keras's <c>compute_fans</c>: the (fan_in, fan_out) of a weight shape.</summary>
        public static (long FanIn, long FanOut) Fans(Shape shape)
        {
            switch (shape.Rank)
            {
                case 0:
                    return (1, 1);
                case 1:
                    return (shape[0], shape[0]);
                case 2:
                    return (shape[0], shape[1]);
                default:
                    // Convolution kernels: (..., input_depth, depth); the spatial dimensions form the receptive field.
                    long receptiveField = 1;
                    for (int i = 0; i < shape.Rank - 2; i++)
                        receptiveField *= shape[i];
                    return (shape[^2] * receptiveField, shape[^1] * receptiveField);
            }
        }

        /// <summary>Formats a number as Python prints it in Keras's messages: shortest round-trip form, <c>nan</c>, <c>inf</c>.</summary>
        public static string Format(double value)
            => double.IsNaN(value) ? "nan"
               : double.IsPositiveInfinity(value) ? "inf"
               : double.IsNegativeInfinity(value) ? "-inf"
               : value.ToString("R", CultureInfo.InvariantCulture);

        private static string Describe(torch.ScalarType dtype)
        {
            try
            {
                return DTypes.ToKerasName(dtype);
            }
            catch (ArgumentOutOfRangeException)
            {
                return dtype.ToString();
            }
        }
    }
}
