namespace Microsoft.ML.Layers.Initializers
{
    /// <summary>
    /// He normal (Keras's <c>HeNormal</c>, <c>"he_normal"</c>): a normal distribution truncated at two standard deviations, with standard
    /// deviation sqrt(2 / fan_in) after truncation. It is
    /// <see cref="VarianceScalingInitializer"/> with scale 2.0, mode "fan_in" and distribution "truncated_normal"; its config holds only
    /// the seed.
    /// </summary>
    /// <remarks>Reference: He et al., 2015. Seeds behave as described on <see cref="RandomNormalInitializer"/>.</remarks>
    [RegisterComponent("HeNormal", Aliases = new[] { "he_normal" })]
    public sealed class HeNormalInitializer : VarianceScalingInitializer
    {
        /// <summary>Creates the initializer.</summary>
        /// <param name="seed">The seed; every call returns the same values. <see langword="null"/> draws from the global generator.</param>
        public HeNormalInitializer(long? seed = null)
            : base(scale: 2.0, mode: VarianceScalingMode.FanIn, distribution: VarianceScalingDistribution.TruncatedNormal, seed: seed)
        {
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => SeedOnlyConfig();
    }
}
