namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Attention layers whose Keras call argument <c>use_causal_mask</c> is a property here; a functional config's node
    /// keyword argument sets it.
    /// </summary>
    internal interface ICausalMasking
    {
        /// <summary>Whether query step <c>i</c> attends only to steps <c>j &lt;= i</c>.</summary>
        bool UseCausalMask { get; set; }
    }
}
