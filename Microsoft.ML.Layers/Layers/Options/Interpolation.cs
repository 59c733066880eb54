namespace Microsoft.ML.Layers
{
    /// <summary>How <see cref="UpSampling2D"/> and <see cref="Resizing"/> compute new pixels (Keras's <c>interpolation</c>).</summary>
    public enum Interpolation
    {
        /// <summary>Repeats each row and column (<c>"nearest"</c>, Keras's <c>ops.repeat</c>).</summary>
        Nearest,

        /// <summary>Linear interpolation between neighbours, half-pixel centres (<c>"bilinear"</c>).</summary>
        Bilinear,

        /// <summary>Cubic interpolation, half-pixel centres (<c>"bicubic"</c>).</summary>
        Bicubic,
    }
}
