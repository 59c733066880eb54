using System;
using System.Linq;
using TorchSharp;

namespace Microsoft.ML.Layers.Initializers
{
    /// <summary>
    /// Scales its distribution to the shape of the weight (Keras's <c>VarianceScaling</c>, <c>"variance_scaling"</c>).
    /// With <c>n</c> the fan-in, the fan-out or their average (<see cref="Mode"/>), and <c>s = scale / max(1, n)</c>:
    /// <c>TruncatedNormal</c> draws a normal distribution truncated at two standard deviations whose standard deviation
    /// after truncation is <c>sqrt(s)</c>; <c>UntruncatedNormal</c> a normal distribution with standard deviation
    /// <c>sqrt(s)</c>; <c>Uniform</c> a uniform distribution on <c>[-sqrt(3s), sqrt(3s))</c>.
    /// </summary>
    /// <remarks>
    /// The fans are Keras's: a 2-D shape <c>(fan_in, fan_out)</c>; for a convolution kernel
    /// <c>(..., input_depth, depth)</c> the depths times the product of the spatial dimensions; a 1-D shape its length for
    /// both; a scalar 1. Seeds behave as described on <see cref="RandomNormalInitializer"/>.
    /// </remarks>
    [RegisterComponent("VarianceScaling", Aliases = new[] { "variance_scaling" })]
    public class VarianceScalingInitializer : Initializer
    {
        /// <summary>
        /// The standard deviation of a standard normal distribution truncated to (-2, 2): the truncated-normal
        /// distribution's standard deviation is divided by it so that the result has the intended variance.
        /// </summary>
        public const double TruncatedNormalStddevCorrection = 0.87962566103423978;

        /// <summary>Creates the initializer (Keras's defaults: scale 1.0, mode fan-in, distribution truncated normal, no seed).</summary>
        /// <param name="scale">The scaling factor; positive.</param>
        /// <param name="mode">Which fan divides the scale.</param>
        /// <param name="distribution">What is sampled.</param>
        /// <param name="seed">The seed; every call returns the same values. <see langword="null"/> draws from the global generator.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="scale"/> is not a positive finite number.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> or <paramref name="distribution"/> is not a defined
        /// value.</exception>
        public VarianceScalingInitializer(double scale = 1.0, VarianceScalingMode mode = VarianceScalingMode.FanIn,
            VarianceScalingDistribution distribution = VarianceScalingDistribution.TruncatedNormal, long? seed = null)
        {
            Arguments.Positive(scale, nameof(scale));
            Scale = scale;
            Mode = Arguments.Choice(mode, nameof(mode));
            Distribution = Arguments.Choice(distribution, nameof(distribution));
            Seed = seed;
        }

        /// <summary>The scaling factor.</summary>
        public double Scale { get; }

        /// <summary>Which fan divides the scale.</summary>
        public VarianceScalingMode Mode { get; }

        /// <summary>What is sampled.</summary>
        public VarianceScalingDistribution Distribution { get; }

        /// <summary>The seed, or <see langword="null"/> to draw from TorchSharp's global generator.</summary>
        public long? Seed { get; }

        /// <inheritdoc />
        public override torch.Tensor Create(Shape shape, torch.ScalarType dtype)
        {
            string className = ComponentRegistry.IsRegistered(GetType()) ? ComponentRegistry.NameOf(GetType()) : GetType().Name;
            var dimensions = Sampling.Dimensions(shape, dtype, className);
            Sampling.RequireFloating(dtype, className);

            var (fanIn, fanOut) = Sampling.Fans(shape);
            double scale = Scale;
            scale /= Mode switch
            {
                VarianceScalingMode.FanIn => Math.Max(1.0, fanIn),
                VarianceScalingMode.FanOut => Math.Max(1.0, fanOut),
                _ => Math.Max(1.0, (fanIn + fanOut) / 2.0),
            };

            using var generator = Sampling.GeneratorFor(Seed);
            switch (Distribution)
            {
                case VarianceScalingDistribution.TruncatedNormal:
                    return Sampling.TruncatedNormal(dimensions, 0.0, Math.Sqrt(scale) / TruncatedNormalStddevCorrection, dtype, generator);
                case VarianceScalingDistribution.UntruncatedNormal:
                    return Sampling.Normal(dimensions, 0.0, Math.Sqrt(scale), dtype, generator);
                default:
                    double limit = Math.Sqrt(3.0 * scale);
                    return Sampling.Uniform(dimensions, -limit, limit, dtype, generator);
            }
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig()
            => base.GetConfig().With("seed", Seed).With("scale", Scale).With("mode", Mode).With("distribution", Distribution);

        /// <summary>
        /// The config of a fixed configuration such as <see cref="GlorotUniformInitializer"/>: its class name and
        /// <c>seed</c> only, as Keras writes it.
        /// </summary>
        protected ComponentConfig SeedOnlyConfig() => ComponentRegistry.EmptyConfigFor(this).With("seed", Seed);
    }
}
