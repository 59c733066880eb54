using System;
using TorchSharp;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Glorot (Xavier) uniform (Keras's <c>GlorotUniform</c>, <c>"glorot_uniform"</c>): U(-limit, limit) with
    /// limit = sqrt(6 / (fan_in + fan_out)); for kernels of rank above 2 the fans include the receptive field size.
    /// </summary>
    [RegisterComponent("GlorotUniform", Aliases = new[] { "glorot_uniform" })]
    public sealed class GlorotUniformInitializer : Initializer
    {
        /// <summary>Creates the initializer; with a seed, every call returns the same values.</summary>
        public GlorotUniformInitializer(long? seed = null) => Seed = seed;

        /// <summary>The seed, or <see langword="null"/> to draw from TorchSharp's global generator.</summary>
        public long? Seed { get; }

        /// <inheritdoc />
        public override torch.Tensor Create(Shape shape, torch.ScalarType dtype)
        {
            var (fanIn, fanOut) = Fans(shape);
            double limit = Math.Sqrt(6.0 / Math.Max(1.0, fanIn + fanOut));
            using var generator = Seed is long seed ? new torch.Generator((ulong)seed) : null;
            using var sample = torch.rand(shape.ToArray(), dtype: torch.ScalarType.Float32, generator: generator);
            return (sample * (2 * limit) - limit).to(dtype);
        }

        /// <summary>Keras's fan computation: (fan_in, fan_out) of a weight shape.</summary>
        internal static (double FanIn, double FanOut) Fans(Shape shape)
        {
            if (shape.Rank == 0)
                return (1, 1);
            if (shape.Rank == 1)
                return (shape[0], shape[0]);
            if (shape.Rank == 2)
                return (shape[0], shape[1]);
            double receptiveField = 1;
            for (int i = 0; i < shape.Rank - 2; i++)
                receptiveField *= shape[i];
            return (shape[^2] * receptiveField, shape[^1] * receptiveField);
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => base.GetConfig().With("seed", Seed);
    }
}
