using System;
using TorchSharp;

namespace Microsoft.ML.Layers.Initializers
{
    /// <summary>
    /// The common part of the initializers that sample a normal distribution with a given mean and standard deviation
    /// (<see cref="RandomNormalInitializer"/> and <see cref="TruncatedNormalInitializer"/>): the arguments, their checks,
    /// the seed handling and the config. A subclass only says how it samples.
    /// </summary>
    public abstract class NormalDistributionInitializer : Initializer
    {
        private readonly string _kerasName;

        private protected NormalDistributionInitializer(string kerasName, double mean, double stddev, long? seed)
        {
            Arguments.Finite(mean, nameof(mean));
            Arguments.NonNegative(stddev, nameof(stddev));
            _kerasName = kerasName;
            Mean = mean;
            Stddev = stddev;
            Seed = seed;
        }

        /// <summary>The mean.</summary>
        public double Mean { get; }

        /// <summary>The standard deviation (of the distribution before any truncation).</summary>
        public double Stddev { get; }

        /// <summary>The seed, or <see langword="null"/> to draw from TorchSharp's global generator.</summary>
        public long? Seed { get; }

        /// <inheritdoc />
        public sealed override torch.Tensor Create(Shape shape, torch.ScalarType dtype)
        {
            var dimensions = Sampling.Dimensions(shape, dtype, _kerasName);
            Sampling.RequireFloating(dtype, _kerasName);
            using var generator = Sampling.GeneratorFor(Seed);
            return Sample(dimensions, dtype, generator);
        }

        /// <summary>Draws a tensor of the given dimensions and type from this distribution.</summary>
        private protected abstract torch.Tensor Sample(long[] dimensions, torch.ScalarType dtype, torch.Generator? generator);

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => base.GetConfig().With("seed", Seed).With("mean", Mean).With("stddev", Stddev);
    }
}
