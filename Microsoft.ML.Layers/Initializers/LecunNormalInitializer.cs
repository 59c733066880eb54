namespace Microsoft.ML.Layers.Initializers
{
    /// <summary>
    /// LeCun normal (Keras's <c>LecunNormal</c>, <c>"lecun_normal"</c>): a normal distribution truncated at two standard deviations, with
    /// standard deviation sqrt(1 / fan_in) after truncation. It is
    /// <see cref="VarianceScalingInitializer"/> with scale 1.0, mode "fan_in" and distribution "truncated_normal"; its config holds only
    /// the seed.
    /// </summary>
    /// <remarks>Reference: Klambauer et al., 2017. Seeds behave as described on <see cref="RandomNormalInitializer"/>.</remarks>
    [RegisterComponent("LecunNormal", Aliases = new[] { "lecun_normal" })]
    public sealed class LecunNormalInitializer : VarianceScalingInitializer
    {
        /// <summary>Creates the initializer.</summary>
        /// <param name="seed">The seed; every call returns the same values. <see langword="null"/> draws from the global generator.</param>
        public LecunNormalInitializer(long? seed = null)
            : base(scale: 1.0, mode: VarianceScalingMode.FanIn, distribution: VarianceScalingDistribution.TruncatedNormal, seed: seed)
        {
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => SeedOnlyConfig();
    }
}
