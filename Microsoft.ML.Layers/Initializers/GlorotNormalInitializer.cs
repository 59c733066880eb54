namespace Microsoft.ML.Layers.Initializers
{
    /// <summary>
    /// Glorot (Xavier) normal (Keras's <c>GlorotNormal</c>, <c>"glorot_normal"</c>): a normal distribution truncated at two standard
    /// deviations, with standard deviation sqrt(2 / (fan_in + fan_out)) after truncation. It is
    /// <see cref="VarianceScalingInitializer"/> with scale 1.0, mode "fan_avg" and distribution "truncated_normal"; its config holds only
    /// the seed.
    /// </summary>
    /// <remarks>Reference: Glorot and Bengio, 2010. Seeds behave as described on <see cref="RandomNormalInitializer"/>.</remarks>
    [RegisterComponent("GlorotNormal", Aliases = new[] { "glorot_normal" })]
    public sealed class GlorotNormalInitializer : VarianceScalingInitializer
    {
        /// <summary>Creates the initializer.</summary>
        /// <param name="seed">The seed; every call returns the same values. <see langword="null"/> draws from the global generator.</param>
        public GlorotNormalInitializer(long? seed = null)
            : base(scale: 1.0, mode: VarianceScalingMode.FanAverage, distribution: VarianceScalingDistribution.TruncatedNormal, seed: seed)
        {
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => SeedOnlyConfig();
    }
}
