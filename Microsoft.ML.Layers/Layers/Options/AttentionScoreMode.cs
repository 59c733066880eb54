namespace Microsoft.ML.Layers
{
    /// <summary>How <see cref="Attention"/> scores a query against a key (Keras's <c>score_mode</c>).</summary>
    public enum AttentionScoreMode
    {
        /// <summary>The dot product <c>query · keyᵀ</c> (<c>"dot"</c>, the default).</summary>
        Dot,

        /// <summary>The sum of <c>tanh(query + key)</c> over the features (<c>"concat"</c>).</summary>
        Concat,
    }
}
