using Microsoft.ML.Layers.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Spatial 3D dropout (Keras's <c>SpatialDropout3D</c>): in training, drops entire 3D feature maps (channels) per sample
    /// and scales the others by <c>1 / (1 - rate)</c>; the identity in inference.
    /// </summary>
    /// <remarks>
    /// No weights. Input <c>(batch, dim1, dim2, dim3, channels)</c> (<c>channels_last</c>) or
    /// <c>(batch, channels, dim1, dim2, dim3)</c> (<c>channels_first</c>); output the same. Keep mask
    /// <c>(batch, 1, 1, 1, channels)</c> or <c>(batch, channels, 1, 1, 1)</c>.
    /// <code>
    /// var layer = new SpatialDropout3D(0.2, seed: 4);
    /// Tensor y = layer.Apply(torch.randn(2, 4, 4, 4, 8), training: true);   // whole channels zeroed
    /// </code>
    /// </remarks>
    [RegisterLayer("SpatialDropout3D")]
    public sealed class SpatialDropout3D : BaseSpatialDropout
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
        public SpatialDropout3D(double rate, DataFormat dataFormat = DataFormat.ChannelsLast, long? seed = null, string? name = null,
            bool trainable = true, ScalarType? dtype = null)
            : base(rate, 5, dataFormat, writesDataFormat: true, seed, name, trainable, dtype)
        {
        }
    }
}
