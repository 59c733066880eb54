namespace Microsoft.ML.Layers
{
    /// <summary>Which flips <see cref="RandomFlip"/> makes (Keras's <c>mode</c>).</summary>
    public enum FlipMode
    {
        /// <summary>Left-right flips (<c>"horizontal"</c>).</summary>
        Horizontal,

        /// <summary>Top-bottom flips (<c>"vertical"</c>).</summary>
        Vertical,

        /// <summary>Both flips together, drawn once per image (<c>"horizontal_and_vertical"</c>, Keras's default).</summary>
        HorizontalAndVertical,
    }
}
