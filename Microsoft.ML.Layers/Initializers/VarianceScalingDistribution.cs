namespace Microsoft.ML.Layers.Initializers
{
    /// <summary>What <see cref="VarianceScalingInitializer"/> samples (Keras's <c>distribution</c>).</summary>
    public enum VarianceScalingDistribution
    {
        /// <summary>
        /// A normal distribution truncated at two standard deviations (<c>"truncated_normal"</c>, the default; Keras 2's
        /// <c>"normal"</c> means it too).
        /// </summary>
        [KerasName("truncated_normal", Aliases = new[] { "normal" })]
        TruncatedNormal,

        /// <summary>A normal distribution (<c>"untruncated_normal"</c>).</summary>
        UntruncatedNormal,

        /// <summary>A uniform distribution (<c>"uniform"</c>).</summary>
        Uniform,
    }
}
