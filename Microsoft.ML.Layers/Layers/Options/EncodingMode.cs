namespace Microsoft.ML.Layers
{
    /// <summary>
    /// What the categorical preprocessing layers (<see cref="IntegerLookup"/>, <see cref="CategoryEncoding"/>,
    /// <see cref="Discretization"/>, <see cref="Hashing"/>) return (Keras's <c>output_mode</c>).
    /// </summary>
    public enum EncodingMode
    {
        /// <summary>The integer index of each element (<c>"int"</c>).</summary>
        Int,

        /// <summary>
        /// One vector of depth values per element, 1 at its index (<c>"one_hot"</c>); a last axis of size 1 is replaced by the
        /// encoding, any other last axis gets a new axis after it.
        /// </summary>
        OneHot,

        /// <summary>One vector per sample (the last axis), 1 at every index present (<c>"multi_hot"</c>; Keras 2's <c>"binary"</c>).
        /// </summary>
        [KerasName("multi_hot", Aliases = new[] { "binary" })]
        MultiHot,

        /// <summary>As <see cref="MultiHot"/>, with how many times each index appears (<c>"count"</c>); inputs of rank 2 at most.
        /// </summary>
        Count,
    }
}
