using System;
using TorchSharp;

namespace Microsoft.ML.Layers.Initializers
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
    public sealed class TruncatedNormalInitializer : NormalDistributionInitializer
    {
        /// <summary>Creates the initializer (Keras's defaults: mean 0.0, stddev 0.05, no seed).</summary>
        /// <param name="mean">The mean of the distribution.</param>
        /// <param name="stddev">The standard deviation of the normal distribution before truncation; not negative.</param>
        /// <param name="seed">The seed; every call returns the same values. <see langword="null"/> draws from the global generator.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="stddev"/> is negative or not finite, or <paramref name="mean"/> is
        /// not finite.</exception>
        public TruncatedNormalInitializer(double mean = 0.0, double stddev = 0.05, long? seed = null)
            : base("TruncatedNormal", mean, stddev, seed)
        {
        }

        /// <inheritdoc />
        private protected override torch.Tensor Sample(long[] dimensions, torch.ScalarType dtype, torch.Generator? generator) =>
            Sampling.TruncatedNormal(dimensions, Mean, Stddev, dtype, generator);
    }
}
