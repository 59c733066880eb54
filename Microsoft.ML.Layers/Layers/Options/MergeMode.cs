namespace Microsoft.ML.Layers
{
    /// <summary>How <see cref="Bidirectional"/> combines the forward and backward outputs (Keras's <c>merge_mode</c>).</summary>
    public enum MergeMode
    {
        /// <summary>Concatenated on the last axis, which doubles it (<c>"concat"</c>, the default).</summary>
        Concat,

        /// <summary>Summed element-wise (<c>"sum"</c>).</summary>
        Sum,

        /// <summary>Multiplied element-wise (<c>"mul"</c>).</summary>
        [KerasName("mul")]
        Multiply,

        /// <summary>Averaged element-wise (<c>"ave"</c>).</summary>
        [KerasName("ave")]
        Average,

        /// <summary>Not combined: both outputs are returned, forward first (Keras's <c>merge_mode=None</c>).</summary>
        [KerasName(null)]
        None,
    }
}
