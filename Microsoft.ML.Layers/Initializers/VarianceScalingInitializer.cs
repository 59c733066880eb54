using System;
using System.Linq;
using TorchSharp;

namespace Microsoft.ML.Layers.Initializers
{
    /// <summary>
    /// Scales its distribution to the shape of the weight (Keras's <c>VarianceScaling</c>, <c>"variance_scaling"</c>).
    /// With <c>n</c> the fan-in, the fan-out or their average (<see cref="Mode"/>), and <c>s = scale / max(1, n)</c>:
    /// <c>"truncated_normal"</c> draws a normal distribution truncated at two standard deviations whose standard deviation
    /// after truncation is <c>sqrt(s)</c>; <c>"untruncated_normal"</c> a normal distribution with standard deviation
    /// <c>sqrt(s)</c>; <c>"uniform"</c> a uniform distribution on <c>[-sqrt(3s), sqrt(3s))</c>.
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

        private static readonly string[] Modes = { "fan_in", "fan_out", "fan_avg" };
        private static readonly string[] Distributions = { "uniform", "truncated_normal", "untruncated_normal" };

        /// <summary>Creates the initializer (Keras's defaults: scale 1.0, mode "fan_in", distribution "truncated_normal", no seed).</summary>
        /// <param name="scale">The scaling factor; positive.</param>
        /// <param name="mode">"fan_in", "fan_out" or "fan_avg".</param>
        /// <param name="distribution">
        /// "truncated_normal", "untruncated_normal" or "uniform", in any letter case; "normal" means "truncated_normal", as in Keras.
        /// </param>
        /// <param name="seed">The seed; every call returns the same values. <see langword="null"/> draws from the global generator.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="scale"/> is not a positive finite number.</exception>
        /// <exception cref="ArgumentException"><paramref name="mode"/> or <paramref name="distribution"/> is not one of the allowed values.</exception>
        public VarianceScalingInitializer(double scale = 1.0, string mode = "fan_in", string distribution = "truncated_normal", long? seed = null)
        {
            Arguments.Positive(scale, nameof(scale));
            ArgumentNullException.ThrowIfNull(mode);
            ArgumentNullException.ThrowIfNull(distribution);
            if (!Modes.Contains(mode, StringComparer.Ordinal))
            {
                throw new ArgumentException(
                    $"Invalid value for argument `mode`: expected one of {string.Join(", ", Modes.Select(m => $"'{m}'"))}. Received: mode='{mode}'.", nameof(mode));
            }
            string normalized = distribution.ToLowerInvariant();
            if (normalized == "normal")
                normalized = "truncated_normal";
            if (!Distributions.Contains(normalized, StringComparer.Ordinal))
            {
                throw new ArgumentException(
                    $"Invalid value for argument `distribution`: expected one of {string.Join(", ", Distributions.Select(d => $"'{d}'"))}. " +
                    $"Received: distribution='{distribution}'.", nameof(distribution));
            }
            Scale = scale;
            Mode = mode;
            Distribution = normalized;
            Seed = seed;
        }

        /// <summary>The scaling factor.</summary>
        public double Scale { get; }

        /// <summary>Which fan divides the scale: "fan_in", "fan_out" or "fan_avg".</summary>
        public string Mode { get; }

        /// <summary>The distribution: "truncated_normal", "untruncated_normal" or "uniform".</summary>
        public string Distribution { get; }

        /// <summary>The seed, or <see langword="null"/> to draw from TorchSharp's global generator.</summary>
        public long? Seed { get; }

        /// <inheritdoc />
        public override torch.Tensor Create(Shape shape, torch.ScalarType dtype)
        {
            string className = ComponentRegistry.IsRegistered(GetType()) ? ComponentRegistry.NameOf(GetType()) : GetType().Name;
            var dimensions = Sampling.Dimensions(shape, className);
            Sampling.RequireFloating(dtype, className);

            var (fanIn, fanOut) = Sampling.Fans(shape);
            double scale = Scale;
            scale /= Mode switch
            {
                "fan_in" => Math.Max(1.0, fanIn),
                "fan_out" => Math.Max(1.0, fanOut),
                _ => Math.Max(1.0, (fanIn + fanOut) / 2.0),
            };

            using var generator = Sampling.GeneratorFor(Seed);
            switch (Distribution)
            {
                case "truncated_normal":
                    return Sampling.TruncatedNormal(dimensions, 0.0, Math.Sqrt(scale) / TruncatedNormalStddevCorrection, dtype, generator);
                case "untruncated_normal":
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
