using TorchSharp;

namespace Microsoft.ML.Layers
{
    /// <summary>Samples a normal distribution (Keras's <c>RandomNormal</c>, <c>"random_normal"</c>).</summary>
    [RegisterComponent("RandomNormal", Aliases = new[] { "random_normal", "normal" })]
    public sealed class RandomNormalInitializer : Initializer
    {
        /// <summary>Creates the initializer; with a seed, every call returns the same values.</summary>
        public RandomNormalInitializer(double mean = 0.0, double stddev = 0.05, long? seed = null)
        {
            Mean = mean;
            Stddev = stddev;
            Seed = seed;
        }

        /// <summary>The mean.</summary>
        public double Mean { get; }

        /// <summary>The standard deviation.</summary>
        public double Stddev { get; }

        /// <summary>The seed, or <see langword="null"/> to draw from TorchSharp's global generator.</summary>
        public long? Seed { get; }

        /// <inheritdoc />
        public override torch.Tensor Create(Shape shape, torch.ScalarType dtype)
        {
            using var generator = Seed is long seed ? new torch.Generator((ulong)seed) : null;
            using var sample = torch.randn(shape.ToArray(), dtype: torch.ScalarType.Float32, generator: generator);
            return (sample * Stddev + Mean).to(dtype);
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => base.GetConfig().With("mean", Mean).With("stddev", Stddev).With("seed", Seed);
    }
}
