using Microsoft.ML.Layers.Infrastructure;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// 1-D average pooling (Keras's <c>AveragePooling1D</c>): the mean of each <c>pool_size</c> window, moved by <c>strides</c>, per
    /// channel.
    /// </summary>
    /// <remarks>
    /// Input <c>(batch, steps, channels)</c> (or channels first); output <c>(batch, pooled_steps, channels)</c>, each pooled size
    /// <c>floor((n - pool) / stride) + 1</c> with <c>valid</c>, <c>ceil(n / stride)</c> with <c>same</c> (padded cells are not counted in
    /// the mean, as in TensorFlow).
    /// No weights; masks are dropped, as in Keras.
    /// <code>
    /// var pool = new AveragePooling1D(2);
    /// Tensor y = pool.Apply(torch.randn(4, 10, 8));   // (4, 5, 8)
    /// </code>
    /// </remarks>
    [RegisterLayer("AveragePooling1D", Aliases = new[] { "AvgPool1D" })]
    public sealed class AveragePooling1D : BasePooling
    {
        /// <summary>Creates a 1-D average pooling layer.</summary>
        /// <param name="poolSize">The window size: one value or 1; positive; default 2.</param>
        /// <param name="strides">The window's steps: one value or 1; null (the default) for <paramref name="poolSize"/>.</param>
        /// <param name="padding"><see cref="Layers.Padding.Valid"/> (windows inside the input) or <see cref="Layers.Padding.Same"/>
        /// (TensorFlow's padding, the odd element at the end).</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility (there are no weights).</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        /// <exception cref="System.ArgumentException">An argument is out of range; the message names it and the received value.</exception>
        public AveragePooling1D(IntTuple? poolSize = null, IntTuple? strides = null, Padding padding = Padding.Valid,
            DataFormat dataFormat = DataFormat.ChannelsLast,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(1, max: false, poolSize ?? 2, strides, padding, dataFormat, name, trainable, dtype)
        {
        }
    }
}
