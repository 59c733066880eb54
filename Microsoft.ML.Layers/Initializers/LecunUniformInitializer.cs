namespace Microsoft.ML.Layers.Initializers
{
    /// <summary>
    /// LeCun uniform (Keras's <c>LecunUniform</c>, <c>"lecun_uniform"</c>): U(-limit, limit) with limit = sqrt(3 / fan_in). It is
    /// <see cref="VarianceScalingInitializer"/> with scale 1.0, mode "fan_in" and distribution "uniform"; its config holds only the seed.
    /// </summary>
    /// <remarks>Reference: Klambauer et al., 2017. Seeds behave as described on <see cref="RandomNormalInitializer"/>.</remarks>
    [RegisterComponent("LecunUniform", Aliases = new[] { "lecun_uniform" })]
    public sealed class LecunUniformInitializer : VarianceScalingInitializer
    {
        /// <summary>Creates the initializer.</summary>
        /// <param name="seed">The seed; every call returns the same values. <see langword="null"/> draws from the global generator.</param>
        public LecunUniformInitializer(long? seed = null)
            : base(scale: 1.0, mode: VarianceScalingMode.FanIn, distribution: VarianceScalingDistribution.Uniform, seed: seed)
        {
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => SeedOnlyConfig();
    }
}
