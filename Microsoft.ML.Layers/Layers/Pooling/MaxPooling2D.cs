using Microsoft.ML.Layers.Infrastructure;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// 2-D max pooling (Keras's <c>MaxPooling2D</c>): the maximum of each <c>pool_size</c> window, moved by <c>strides</c>, per channel.
    /// </summary>
    /// <remarks>
    /// Input <c>(batch, height, width, channels)</c> (or channels first); output <c>(batch, pooled_height, pooled_width, channels)</c>,
    /// each pooled size
    /// <c>floor((n - pool) / stride) + 1</c> with <c>valid</c>, <c>ceil(n / stride)</c> with <c>same</c> (padded cells never win).
    /// No weights; masks are dropped, as in Keras.
    /// <code>
    /// var pool = new MaxPooling2D((2, 2), strides: 2, padding: Padding.Same);
    /// Tensor y = pool.Apply(torch.randn(4, 7, 7, 3));   // (4, 4, 4, 3)
    /// </code>
    /// </remarks>
    [RegisterLayer("MaxPooling2D", Aliases = new[] { "MaxPool2D" })]
    public sealed class MaxPooling2D : BasePooling
    {
        /// <summary>Creates a 2-D max pooling layer.</summary>
        /// <param name="poolSize">The window size: one value or 2; positive; default (2, 2).</param>
        /// <param name="strides">The window's steps: one value or 2; null (the default) for <paramref name="poolSize"/>.</param>
        /// <param name="padding"><see cref="Layers.Padding.Valid"/> (windows inside the input) or <see cref="Layers.Padding.Same"/>
        /// (TensorFlow's padding, the odd element at the end).</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility (there are no weights).</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        /// <exception cref="System.ArgumentException">An argument is out of range; the message names it and the received value.</exception>
        public MaxPooling2D(IntTuple? poolSize = null, IntTuple? strides = null, Padding padding = Padding.Valid,
            DataFormat dataFormat = DataFormat.ChannelsLast,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(2, max: true, poolSize ?? 2, strides, padding, dataFormat, name, trainable, dtype)
        {
        }
    }
}
