namespace Microsoft.ML.Layers.Initializers
{
    /// <summary>Which fan divides <see cref="VarianceScalingInitializer"/>'s scale (Keras's <c>mode</c>).</summary>
    public enum VarianceScalingMode
    {
        /// <summary>The number of input units (<c>"fan_in"</c>, the default).</summary>
        FanIn,

        /// <summary>The number of output units (<c>"fan_out"</c>).</summary>
        FanOut,

        /// <summary>The mean of the two (<c>"fan_avg"</c>).</summary>
        [KerasName("fan_avg")]
        FanAverage,
    }
}
