using System;
using System.Linq;
using System.Threading;
using Microsoft.ML.Layers.Initializers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The random draws of the regularization layers, as Keras 3's torch backend makes them. A layer with a seed draws its
    /// k-th noise (k = 0, 1, ...) from a fresh generator seeded with <c>(seed + k) mod 2^32</c>, as Keras's
    /// <c>SeedGenerator</c> and <c>torch_seed_generator</c> do, so a seeded layer is reproducible on its own; an unseeded
    /// layer draws from TorchSharp's global generator, so <c>torch.manual_seed</c> makes it reproducible.
    /// </summary>
    internal sealed class SeedStream
    {
        private readonly long? _seed;
        private long _draws = -1;

        public SeedStream(long? seed) => _seed = seed;

        /// <summary>The generator for the next draw (dispose it after use), or <see langword="null"/> for the global generator.</summary>
        public Generator? Next() => _seed is long seed ? Sampling.GeneratorFor(unchecked(seed + Interlocked.Increment(ref _draws))) : null;
    }

    /// <summary>Argument checks and tensor maths shared by the dropout layers.</summary>
    internal static class RandomNoise
    {
        /// <summary>Keras's check of a rate (or stddev) in [0, 1], with its wording.</summary>
        public static double UnitInterval(double value, string argument)
            => value >= 0 && value <= 1 ? value
               : throw new ArgumentOutOfRangeException(argument,
                   $"Invalid value received for argument `{argument}`. Expected a float value between 0 and 1. Received: " +
                   $"{argument}={Sampling.Format(value)}");

        /// <summary>Keras's check of a <c>noise_shape</c>: no zero dimension (unknown ones take the input's size).</summary>
        public static Shape? CheckNoiseShape(Shape? noiseShape)
        {
            int zeroAt = noiseShape is null ? -1 : Array.IndexOf(noiseShape.ToArray(), 0L);
            if (zeroAt >= 0)
            {
                throw new ArgumentOutOfRangeException("noise_shape",
                    "Invalid value received for argument `noise_shape`. Expected all dimensions to be positive integers or None. " +
                    $"Received negative or zero value at index {zeroAt}: 0. Received: noise_shape={noiseShape}");
            }
            return noiseShape;
        }

        /// <summary>
        /// Keras's <c>backend.random.dropout</c> on torch: zeros for rate 1; a <c>bernoulli(1 - rate)</c> keep mask of
        /// <paramref name="noiseShape"/> (unknown entries take the input's size), broadcast over the input, with the kept
        /// values divided by <c>1 - rate</c>; and libtorch's own dropout when neither a seed nor a noise shape is given.
        /// </summary>
        public static Tensor Dropout(Layer layer, Tensor inputs, double rate, Shape? noiseShape, SeedStream seeds, bool seeded)
        {
            if (rate == 1.0)
                return zeros_like(inputs);
            if (rate == 0.0)
                return inputs.alias();
            if (!seeded && noiseShape is null)
                return nn.functional.dropout(inputs, rate, training: true);

            double keep = 1.0 - rate;
            var concrete = noiseShape is null ? inputs.shape : ConcreteNoiseShape(layer, inputs, noiseShape);
            using var generator = seeds.Next();
            var mask = bernoulli(ScalarMath.Full(concrete, keep, ScalarType.Float32), generator).to(ScalarType.Bool);
            return where(mask.broadcast_to(inputs.shape), inputs.DivScalar(keep), zeros_like(inputs));
        }

        /// <summary>
        /// The noise shape for an input: unknown entries take the input's size; each axis must broadcast to the input's.
        /// </summary>
        public static long[] ConcreteNoiseShape(Layer layer, Tensor inputs, Shape noiseShape)
        {
            var concrete = noiseShape.Select((d, i) => d != Shape.Unknown ? d
                : i < inputs.ndim ? inputs.shape[i]
                : throw new ArgumentException($"Layer '{layer.Name}': noise_shape={noiseShape} has more axes than the input of shape " +
                    $"{Shape.Of(inputs)}.")).ToArray();
            // Broadcasting aligns trailing axes: each noise axis must be 1 or the input's size there.
            int offset = (int)inputs.ndim - concrete.Length;
            if (offset < 0 || concrete.Where((d, i) => d != 1 && d != inputs.shape[offset + i]).Any())
            {
                throw new ArgumentException(
                    $"Layer '{layer.Name}' ({layer.GetType().Name}): noise_shape={noiseShape} does not broadcast to the input shape " +
                    $"{Shape.Of(inputs)}: each noise axis must be 1, None, or the input's size.");
            }
            return concrete;
        }

        /// <summary>Keras's <c>random.uniform(shape)</c> on torch (float32 on [0, 1)), from the stream's next generator.</summary>
        public static Tensor Uniform(long[] shape, SeedStream seeds)
        {
            using var generator = seeds.Next();
            return Sampling.Uniform(shape, 0.0, 1.0, ScalarType.Float32, generator);
        }

        /// <summary>Keras's <c>random.normal(shape, mean, stddev, dtype)</c> on torch, from the stream's next generator.</summary>
        public static Tensor Normal(long[] shape, double mean, double stddev, ScalarType dtype, SeedStream seeds)
        {
            using var generator = seeds.Next();
            return Sampling.Normal(shape, mean, stddev, dtype, generator);
        }
    }
}
