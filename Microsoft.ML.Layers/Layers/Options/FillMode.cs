namespace Microsoft.ML.Layers
{
    /// <summary>
    /// How the geometric augmentation layers (<see cref="RandomRotation"/>, <see cref="RandomZoom"/>,
    /// <see cref="RandomTranslation"/>) fill the points that fall outside the input (Keras's <c>fill_mode</c>).
    /// </summary>
    public enum FillMode
    {
        /// <summary>Reflects about the edge of the last pixel: <c>(d c b a | a b c d | d c b a)</c> (<c>"reflect"</c>).</summary>
        Reflect,

        /// <summary>Wraps around to the opposite edge: <c>(a b c d | a b c d | a b c d)</c> (<c>"wrap"</c>).</summary>
        Wrap,

        /// <summary>Fills with the constant <c>fill_value</c>: <c>(k k k k | a b c d | k k k k)</c> (<c>"constant"</c>).</summary>
        Constant,

        /// <summary>Repeats the nearest edge pixel: <c>(a a a a | a b c d | d d d d)</c> (<c>"nearest"</c>).</summary>
        Nearest,
    }
}
