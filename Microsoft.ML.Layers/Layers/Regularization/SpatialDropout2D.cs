using Microsoft.ML.Layers.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Spatial 2D dropout (Keras's <c>SpatialDropout2D</c>): in training, drops entire 2D feature maps (channels) per sample
    /// and scales the others by <c>1 / (1 - rate)</c>; the identity in inference.
    /// </summary>
    /// <remarks>
    /// No weights. Input <c>(batch, rows, cols, channels)</c> (<c>channels_last</c>) or <c>(batch, channels, rows, cols)</c>
    /// (<c>channels_first</c>); output the same. Keep mask <c>(batch, 1, 1, channels)</c> or <c>(batch, channels, 1, 1)</c>.
    /// <code>
    /// var layer = new SpatialDropout2D(0.2, dataFormat: DataFormat.ChannelsFirst);
    /// Tensor y = layer.Apply(torch.randn(2, 8, 5, 5), training: true);
    /// </code>
    /// </remarks>
    [RegisterLayer("SpatialDropout2D")]
    public sealed class SpatialDropout2D : BaseSpatialDropout
    {
        /// <summary>Creates the layer.</summary>
        /// <param name="rate">The fraction of feature maps to drop, in [0, 1].</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="seed">The seed; <see langword="null"/> draws from the global generator.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for the constructor convention; not serialized, as in Keras.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="rate"/> is outside [0, 1].</exception>
        /// <exception cref="System.ArgumentException"><paramref name="dataFormat"/> is not a data format.</exception>
        public SpatialDropout2D(double rate, DataFormat dataFormat = DataFormat.ChannelsLast, long? seed = null, string? name = null,
            bool trainable = true, ScalarType? dtype = null)
            : base(rate, 4, dataFormat, writesDataFormat: true, seed, name, trainable, dtype)
        {
        }
    }
}
