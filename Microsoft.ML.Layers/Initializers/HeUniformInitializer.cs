namespace Microsoft.ML.Layers.Initializers
{
    /// <summary>
    /// He uniform (Keras's <c>HeUniform</c>, <c>"he_uniform"</c>): U(-limit, limit) with limit = sqrt(6 / fan_in). It is
    /// <see cref="VarianceScalingInitializer"/> with scale 2.0, mode "fan_in" and distribution "uniform"; its config holds only the seed.
    /// </summary>
    /// <remarks>Reference: He et al., 2015. Seeds behave as described on <see cref="RandomNormalInitializer"/>.</remarks>
    [RegisterComponent("HeUniform", Aliases = new[] { "he_uniform" })]
    public sealed class HeUniformInitializer : VarianceScalingInitializer
    {
        /// <summary>Creates the initializer.</summary>
        /// <param name="seed">The seed; every call returns the same values. <see langword="null"/> draws from the global generator.</param>
        public HeUniformInitializer(long? seed = null)
            : base(scale: 2.0, mode: VarianceScalingMode.FanIn, distribution: VarianceScalingDistribution.Uniform, seed: seed)
        {
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => SeedOnlyConfig();
    }
}
