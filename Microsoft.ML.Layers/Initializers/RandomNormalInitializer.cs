using System;
using TorchSharp;

namespace Microsoft.ML.Layers.Initializers
{
    /// <summary>
    /// Samples a normal distribution (Keras's <c>RandomNormal</c>, <c>"random_normal"</c>, <c>"normal"</c>).
    /// </summary>
    /// <remarks>
    /// With a seed, every call returns the same values, which are those of Keras 3's torch backend with that seed. Without
    /// a seed, each call draws new values from TorchSharp's global generator, so <c>torch.manual_seed</c> makes a run
    /// reproducible. (Keras 3 instead gives an unseeded initializer a random seed when it is constructed, so one unseeded
    /// instance repeats its values; here an unseeded instance can be shared between weights without making them equal.)
    /// </remarks>
    [RegisterComponent("RandomNormal", Aliases = new[] { "random_normal", "normal" })]
    public sealed class RandomNormalInitializer : NormalDistributionInitializer
    {
        /// <summary>Creates the initializer (Keras's defaults: mean 0.0, stddev 0.05, no seed).</summary>
        /// <param name="mean">The mean of the distribution.</param>
        /// <param name="stddev">The standard deviation; not negative.</param>
        /// <param name="seed">The seed; every call returns the same values. <see langword="null"/> draws from the global generator.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="stddev"/> is negative or not finite, or <paramref name="mean"/> is
        /// not finite.</exception>
        public RandomNormalInitializer(double mean = 0.0, double stddev = 0.05, long? seed = null)
            : base("RandomNormal", mean, stddev, seed)
        {
        }

        /// <inheritdoc />
        private protected override torch.Tensor Sample(long[] dimensions, torch.ScalarType dtype, torch.Generator? generator) =>
            Sampling.Normal(dimensions, Mean, Stddev, dtype, generator);
    }
}
