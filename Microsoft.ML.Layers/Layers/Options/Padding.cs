namespace Microsoft.ML.Layers
{
    /// <summary>
    /// How a convolution or pooling window treats the input's edges (Keras's <c>padding</c>: <c>"valid"</c>, <c>"same"</c>,
    /// <c>"causal"</c>).
    /// </summary>
    public enum Padding
    {
        /// <summary>No padding: the window stays inside the input, so each axis shrinks (<c>"valid"</c>).</summary>
        Valid,

        /// <summary>
        /// TensorFlow's padding: zeros make the output <c>ceil(input / stride)</c> long, the odd one at the end (<c>"same"</c>).
        /// </summary>
        Same,

        /// <summary>
        /// Zeros in front only, so output step t sees inputs up to t (<c>"causal"</c>, WaveNet); for <see cref="Conv1D"/>.
        /// </summary>
        Causal,
    }
}
