using Microsoft.ML.Layers.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Spatial 1D dropout (Keras's <c>SpatialDropout1D</c>): in training, drops entire channels of a sequence (the same
    /// channels at every timestep, per sample) and scales the others by <c>1 / (1 - rate)</c>; the identity in inference.
    /// </summary>
    /// <remarks>
    /// No weights. Input <c>(batch, timesteps, channels)</c>; output the same. Keep mask <c>(batch, 1, channels)</c>.
    /// <code>
    /// var layer = new SpatialDropout1D(0.3, seed: 7);
    /// Tensor y = layer.Apply(torch.randn(4, 10, 16), training: true);   // whole channels zeroed
    /// </code>
    /// </remarks>
    [RegisterLayer("SpatialDropout1D")]
    public sealed class SpatialDropout1D : BaseSpatialDropout
    {
        /// <summary>Creates the layer.</summary>
        /// <param name="rate">The fraction of channels to drop, in [0, 1].</param>
        /// <param name="seed">The seed; <see langword="null"/> draws from the global generator.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for the constructor convention; not serialized, as in Keras.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="rate"/> is outside [0, 1].</exception>
        public SpatialDropout1D(double rate, long? seed = null, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(rate, 3, DataFormat.ChannelsLast, writesDataFormat: false, seed, name, trainable, dtype)
        {
        }
    }
}
