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
        /// <param name="minval">The lower bound (inclusive).</param>
        /// <param name="maxval">The upper bound (exclusive); not below <paramref name="minval"/>.</param>
        /// <param name="seed">The seed; every call returns the same values. <see langword="null"/> draws from the global generator.</param>
        /// <exception cref="ArgumentOutOfRangeException">A bound is not finite, or <paramref name="maxval"/> is below
        /// <paramref name="minval"/>.</exception>
        public RandomUniformInitializer(double minval = -0.05, double maxval = 0.05, long? seed = null)
        {
            Arguments.Finite(minval, nameof(minval));
            Arguments.Finite(maxval, nameof(maxval));
            if (maxval < minval)
            {
                throw new ArgumentOutOfRangeException(nameof(maxval),
                    $"Invalid value for argument `maxval`: expected a number not below minval={Sampling.Format(minval)}. Received: " +
                    $"maxval={Sampling.Format(maxval)}.");
            }
            Minval = minval;
            Maxval = maxval;
            Seed = seed;
        }

        /// <summary>The lower bound (inclusive).</summary>
        public double Minval { get; }

        /// <summary>The upper bound (exclusive).</summary>
        public double Maxval { get; }

        /// <summary>The seed, or <see langword="null"/> to draw from TorchSharp's global generator.</summary>
        public long? Seed { get; }

        /// <inheritdoc />
        public override torch.Tensor Create(Shape shape, torch.ScalarType dtype)
        {
            var dimensions = Sampling.Dimensions(shape, "RandomUniform");
            Sampling.RequireFloating(dtype, "RandomUniform");
            using var generator = Sampling.GeneratorFor(Seed);
            return Sampling.Uniform(dimensions, Minval, Maxval, dtype, generator);
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => base.GetConfig().With("seed", Seed).With("minval", Minval).With("maxval", Maxval);
    }
}
