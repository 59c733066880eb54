using System;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Initializers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// What the image augmentation layers share, as Keras 3's torch backend does it: the factor arguments and their checks,
    /// rank-3 (one image) or rank-4 (a batch) inputs, the seeded uniform draws, and <c>affine_transform</c> (Keras's
    /// <c>map_coordinates</c> of order 0 or 1, with its per-tap fill modes).
    /// </summary>
    internal static class ImageAugmentation
    {
        /// <summary>
        /// Keras's <c>_set_factor</c> of <c>BaseImagePreprocessingLayer</c> for a number: <c>(max(-|f|, min), |f|)</c>, after
        /// checking <c>f</c> is in <c>[min, max]</c>.
        /// </summary>
        public static (double Lower, double Upper) Symmetric(Layer layer, double factor, double min, double max, string argument)
        {
            CheckFactor(layer, factor >= min && factor <= max, min, max, argument, Sampling.Format(factor));
            double magnitude = Math.Abs(factor);
            return (Math.Max(-magnitude, min), magnitude);
        }

        /// <summary>Keras's <c>_set_factor</c> for a pair: sorted, after checking it overlaps <c>[min, max]</c>.</summary>
        public static (double Lower, double Upper) Pair(Layer layer, (double Lower, double Upper) factor, double min, double max,
            string argument)
        {
            string shown = $"({Sampling.Format(factor.Lower)}, {Sampling.Format(factor.Upper)})";
            bool inRange = !double.IsNaN(factor.Lower) && !double.IsNaN(factor.Upper) && factor.Lower <= max && factor.Upper >= min;
            CheckFactor(layer, inRange, min, max, argument, shown);
            return factor.Lower <= factor.Upper ? factor : (factor.Upper, factor.Lower);
        }

        /// <summary>
        /// Keras's check of the zoom and translation factors (every given number in [-1, 1]): a number <c>f</c> gives
        /// <c>(-|f|, |f|)</c>, a pair is sorted.
        /// </summary>
        public static (double Lower, double Upper) SpatialFactor(Layer layer, double[] factor, string argument)
        {
            if (factor is null || factor.Length is < 1 or > 2 || factor.Any(f => !(f >= -1.0 && f <= 1.0)))
            {
                throw new ArgumentOutOfRangeException(argument,
                    $"Layer '{layer.Name}' ({layer.GetType().Name}): the `{argument}` argument should be a number (or a list of two " +
                    $"numbers) in the range [-1.0, 1.0]. Received: {argument}={Show(factor)}");
            }
            return factor.Length == 1 ? (-Math.Abs(factor[0]), Math.Abs(factor[0]))
                : factor[0] <= factor[1] ? (factor[0], factor[1]) : (factor[1], factor[0]);
        }

        /// <summary>A factor key of a config: a number (one value) or a list of two, as Keras writes either.</summary>
        public static double[] ReadFactor(LayerConfig config, string key)
        {
            var node = config.Values[key];
            return node is JsonArray ? config.Get<double[]>(key) : new[] { config.Get<double>(key) };
        }

        /// <summary>The value of a factor written back as it was given: a number, or a list of two.</summary>
        public static object ConfigValue(double[] factor) => factor.Length == 1 ? factor[0] : factor;

        /// <summary>Keras's <c>value_range</c> check: two numbers.</summary>
        public static double[] ValueRange(Layer layer, double[]? valueRange)
        {
            if (valueRange is not { Length: 2 } || valueRange.Any(double.IsNaN))
            {
                throw new ArgumentException(
                    $"Layer '{layer.Name}' ({layer.GetType().Name}): the `value_range` argument should be a list of two numbers. " +
                    $"Received: value_range={Show(valueRange)}", "valueRange");
            }
            return (double[])valueRange.Clone();
        }

        /// <summary>Keras's check of <c>interpolation</c> for an affine transform: nearest or bilinear.</summary>
        public static Interpolation AffineInterpolation(Layer layer, Interpolation interpolation)
            => interpolation is Interpolation.Nearest or Interpolation.Bilinear ? interpolation
               : throw new ArgumentOutOfRangeException(nameof(interpolation),
                   $"Layer '{layer.Name}' ({layer.GetType().Name}): unknown `interpolation` " +
                   $"{KerasEnum.Describe(interpolation)}. Expected one of ('nearest', 'bilinear').");

        /// <summary>
        /// The inference output: the input itself for a floating input (already in the compute dtype), else the input cast
        /// to the compute dtype, as Keras's image layers output floats.
        /// </summary>
        public static Tensor Unchanged(Layer layer, Tensor inputs)
            => DTypes.IsFloating(inputs.dtype) ? inputs.alias() : inputs.to(layer.ComputeDType);

        /// <summary>
        /// The input as a floating batch of images: a rank-3 image gains a batch axis of 1 (<paramref name="unbatched"/>);
        /// any rank but 3 or 4 fails naming the layer.
        /// </summary>
        public static Tensor Batched(Layer layer, Tensor inputs, out bool unbatched)
        {
            if (inputs.ndim is not (3 or 4))
            {
                throw new ArgumentException(
                    $"Layer '{layer.Name}' ({layer.GetType().Name}) expects a rank 3 (single image) or rank 4 (batch of images) " +
                    $"input. Received: inputs.shape={Shape.Of(inputs)}", nameof(inputs));
            }
            unbatched = inputs.ndim == 3;
            var images = DTypes.IsFloating(inputs.dtype) ? inputs : inputs.to(layer.ComputeDType);
            return unbatched ? images.unsqueeze(0) : images;
        }

        /// <summary>Keras's <c>random.uniform(shape, minval, maxval)</c> (float32) from the stream's next generator.</summary>
        public static Tensor Uniform(long[] shape, double minVal, double maxVal, SeedStream seeds)
        {
            using var generator = seeds.Next();
            return Sampling.Uniform(shape, minVal, maxVal, ScalarType.Float32, generator);
        }

        /// <summary>
        /// Keras's <c>affine_transform</c> on channels-last images <c>(N, H, W, C)</c>: the output pixel at column
        /// <c>x</c>, row <c>y</c> of image <c>n</c> reads the input at <c>(a0 x + a1 y + a2, b0 x + b1 y + b2)</c>, each
        /// coefficient an <c>(N)</c> float32 tensor, interpolated (nearest: the coordinate rounded half to even; bilinear:
        /// the four neighbours) with each out-of-range neighbour's index fixed by <paramref name="fillMode"/> (constant mode:
        /// the neighbour reads <paramref name="fillValue"/>).
        /// </summary>
        public static Tensor AffineTransform(Tensor images, Tensor[] transform, Interpolation interpolation, FillMode fillMode,
            double fillValue)
        {
            using var scope = NewDisposeScope();
            long n = images.shape[0], height = images.shape[1], width = images.shape[2], channels = images.shape[3];
            using var widthEnd = width.ToScalar();
            using var heightEnd = height.ToScalar();
            var xs = arange(Scalars.IntZero, widthEnd, Scalars.IntOne, ScalarType.Float32).view(1, 1, width);
            var ys = arange(Scalars.IntZero, heightEnd, Scalars.IntOne, ScalarType.Float32).view(1, height, 1);
            Tensor Coefficient(int i) => transform[i].to(ScalarType.Float32).view(n, 1, 1);
            var xIn = Coefficient(0).mul(xs).Plus(Coefficient(1).mul(ys)).Plus(Coefficient(2));
            var yIn = Coefficient(3).mul(xs).Plus(Coefficient(4).mul(ys)).Plus(Coefficient(5));

            var yTaps = Taps(yIn, interpolation);
            var xTaps = Taps(xIn, interpolation);
            var flat = images.reshape(n, height * width, channels);
            Tensor? result = null;
            foreach (var (yIndex, yWeight) in yTaps)
            {
                foreach (var (xIndex, xWeight) in xTaps)
                {
                    var index = Fix(yIndex, height, fillMode).mul(widthEnd).Plus(Fix(xIndex, width, fillMode));
                    var values = flat.gather(1, index.reshape(n, height * width, 1).expand(n, height * width, channels))
                        .reshape(n, height, width, channels);
                    if (fillMode == FillMode.Constant)
                    {
                        var valid = Valid(yIndex, height).logical_and(Valid(xIndex, width)).unsqueeze(-1);
                        values = values.MaskedFillScalar(valid.logical_not(), fillValue);
                    }
                    var weight = yWeight is null ? xWeight : xWeight is null ? yWeight : yWeight.mul(xWeight);
                    var contribution = weight is null ? values : values.mul(weight.unsqueeze(-1).to(values.dtype));
                    result = result is null ? contribution : result.Plus(contribution);
                }
            }
            return result!.MoveToOuterDisposeScope();
        }

        /// <summary>The neighbours of each coordinate and their weights (null for a weight of 1).</summary>
        private static (Tensor Index, Tensor? Weight)[] Taps(Tensor coordinate, Interpolation interpolation)
        {
            if (interpolation == Interpolation.Nearest)
                return new (Tensor, Tensor?)[] { (coordinate.round().to(ScalarType.Int64), null) };
            var lower = coordinate.floor();
            var upperWeight = coordinate.sub(lower);
            var lowerWeight = 1.0.SubFrom(upperWeight);
            var index = lower.to(ScalarType.Int64);
            return new (Tensor, Tensor?)[] { (index, lowerWeight), (index.AddScalar(1), upperWeight) };
        }

        private static Tensor Valid(Tensor index, long size)
        {
            using var zero = 0L.ToScalar();
            using var end = size.ToScalar();
            return index.ge(zero).logical_and(index.lt(end));
        }

        /// <summary>Keras's index fixers of <c>map_coordinates</c> for the four fill modes.</summary>
        private static Tensor Fix(Tensor index, long size, FillMode fillMode)
        {
            switch (fillMode)
            {
                case FillMode.Wrap:
                {
                    using var s = size.ToScalar();
                    return index.remainder(s);
                }
                case FillMode.Reflect:
                    // floor((mirror(2 i + 1, 2 size + 1) - 1) / 2), mirror(j, m) = |((j + m - 1) mod 2(m - 1)) - (m - 1)|.
                {
                    using var two = 2L.ToScalar();
                    var mirrored = Mirror(index.mul(two).AddScalar(1), 2 * size + 1);
                    return mirrored.AddScalar(-1).div(two, rounding_mode: RoundingMode.floor);
                }
                default:
                {
                    using var low = 0L.ToScalar();
                    using var high = (size - 1).ToScalar();
                    return index.clamp(low, high);
                }
            }
        }

        private static Tensor Mirror(Tensor index, long size)
        {
            long s = size - 1;
            using var period = (2 * s).ToScalar();
            using var half = s.ToScalar();
            return index.add(half, Scalars.IntOne).remainder(period).sub(half).abs();
        }

        private static void CheckFactor(Layer layer, bool ok, double min, double max, string argument, string shown)
        {
            if (!ok)
            {
                throw new ArgumentOutOfRangeException(argument,
                    $"Layer '{layer.Name}' ({layer.GetType().Name}): the `{argument}` argument should be a number (or a list of two " +
                    $"numbers) in the range [{Sampling.Format(min)}, {Sampling.Format(max)}]. Received: {argument}={shown}");
            }
        }

        private static string Show(double[]? values) => values is null ? "None"
            : "[" + string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";
    }
}
