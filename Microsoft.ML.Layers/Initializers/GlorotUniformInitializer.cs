namespace Microsoft.ML.Layers.Initializers
{
    /// <summary>
    /// Glorot (Xavier) uniform (Keras's <c>GlorotUniform</c>, <c>"glorot_uniform"</c>): U(-limit, limit) with limit = sqrt(6 / (fan_in +
    /// fan_out)). It is
    /// <see cref="VarianceScalingInitializer"/> with scale 1.0, mode "fan_avg" and distribution "uniform"; its config holds only the seed.
    /// </summary>
    /// <remarks>Reference: Glorot and Bengio, 2010. Seeds behave as described on <see cref="RandomNormalInitializer"/>.</remarks>
    [RegisterComponent("GlorotUniform", Aliases = new[] { "glorot_uniform" })]
    public sealed class GlorotUniformInitializer : VarianceScalingInitializer
    {
        /// <summary>Creates the initializer.</summary>
        /// <param name="seed">The seed; every call returns the same values. <see langword="null"/> draws from the global generator.</param>
        public GlorotUniformInitializer(long? seed = null)
            : base(scale: 1.0, mode: VarianceScalingMode.FanAverage, distribution: VarianceScalingDistribution.Uniform, seed: seed)
        {
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => SeedOnlyConfig();
    }
}
