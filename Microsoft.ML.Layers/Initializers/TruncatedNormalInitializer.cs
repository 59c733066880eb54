using System;
using TorchSharp;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Samples a normal distribution truncated to two standard deviations around the mean (Keras's
    /// <c>TruncatedNormal</c>, <c>"truncated_normal"</c>): values farther than <c>2 * stddev</c> from the mean are drawn
    /// again, so none is ever returned.
    /// </summary>
    /// <remarks>
    /// The standard deviation of the result is about <c>0.88 * stddev</c> (the truncation removes the tails). Seeds
    /// behave as described on <see cref="RandomNormalInitializer"/>.
    /// </remarks>
    [RegisterComponent("TruncatedNormal", Aliases = new[] { "truncated_normal" })]
    public sealed class TruncatedNormalInitializer : Initializer
    {
        /// <summary>Creates the initializer (Keras's defaults: mean 0.0, stddev 0.05, no seed).</summary>
        /// <param name="mean">The mean of the distribution.</param>
        /// <param name="stddev">The standard deviation of the normal distribution before truncation; not negative.</param>
        /// <param name="seed">The seed; every call returns the same values. <see langword="null"/> draws from the global generator.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="stddev"/> is negative or not finite, or <paramref name="mean"/> is not finite.</exception>
        public TruncatedNormalInitializer(double mean = 0.0, double stddev = 0.05, long? seed = null)
        {
            Arguments.Finite(mean, nameof(mean));
            Arguments.NonNegative(stddev, nameof(stddev));
            Mean = mean;
            Stddev = stddev;
            Seed = seed;
        }

        /// <summary>The mean.</summary>
        public double Mean { get; }

        /// <summary>The standard deviation before truncation.</summary>
        public double Stddev { get; }

        /// <summary>The seed, or <see langword="null"/> to draw from TorchSharp's global generator.</summary>
        public long? Seed { get; }

        /// <inheritdoc />
        public override torch.Tensor Create(Shape shape, torch.ScalarType dtype)
        {
            var dimensions = Sampling.Dimensions(shape, "TruncatedNormal");
            Sampling.RequireFloating(dtype, "TruncatedNormal");
            using var generator = Sampling.GeneratorFor(Seed);
            return Sampling.TruncatedNormal(dimensions, Mean, Stddev, dtype, generator);
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => base.GetConfig().With("seed", Seed).With("mean", Mean).With("stddev", Stddev);
    }
}
