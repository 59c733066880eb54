using System;
using TorchSharp;

namespace Microsoft.ML.Layers.Initializers
{
    /// <summary>
    /// Samples a uniform distribution on <c>[minval, maxval)</c> (Keras's <c>RandomUniform</c>, <c>"random_uniform"</c>,
    /// <c>"uniform"</c>).
    /// </summary>
    /// <remarks>Seeds behave as described on <see cref="RandomNormalInitializer"/>.</remarks>
    [RegisterComponent("RandomUniform", Aliases = new[] { "random_uniform", "uniform" })]
    public sealed class RandomUniformInitializer : Initializer
    {
        /// <summary>Creates the initializer (Keras's defaults: minval -0.05, maxval 0.05, no seed).</summary>
        /// <param name="minVal">The lower bound (inclusive).</param>
        /// <param name="maxVal">The upper bound (exclusive); not below <paramref name="minVal"/>.</param>
        /// <param name="seed">The seed; every call returns the same values. <see langword="null"/> draws from the global generator.</param>
        /// <exception cref="ArgumentOutOfRangeException">A bound is not finite, or <paramref name="maxVal"/> is below
        /// <paramref name="minVal"/>.</exception>
        public RandomUniformInitializer(double minVal = -0.05, double maxVal = 0.05, long? seed = null)
        {
            Arguments.Finite(minVal, "minval");
            Arguments.Finite(maxVal, "maxval");
            if (maxVal < minVal)
            {
                throw new ArgumentOutOfRangeException(nameof(maxVal),
                    $"Invalid value for argument `maxval`: expected a number not below minval={Sampling.Format(minVal)}. Received: " +
                    $"maxval={Sampling.Format(maxVal)}.");
            }
            MinVal = minVal;
            MaxVal = maxVal;
            Seed = seed;
        }

        /// <summary>The lower bound (inclusive).</summary>
        public double MinVal { get; }

        /// <summary>The upper bound (exclusive).</summary>
        public double MaxVal { get; }

        /// <summary>The seed, or <see langword="null"/> to draw from TorchSharp's global generator.</summary>
        public long? Seed { get; }

        /// <inheritdoc />
        public override torch.Tensor Create(Shape shape, torch.ScalarType dtype)
        {
            var dimensions = Sampling.Dimensions(shape, dtype, "RandomUniform");
            Sampling.RequireFloating(dtype, "RandomUniform");
            using var generator = Sampling.GeneratorFor(Seed);
            return Sampling.Uniform(dimensions, MinVal, MaxVal, dtype, generator);
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => base.GetConfig().With("seed", Seed).With("minval", MinVal).With("maxval", MaxVal);
    }
}
