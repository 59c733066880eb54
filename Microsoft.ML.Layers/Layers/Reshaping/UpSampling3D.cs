using Microsoft.ML.Layers.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Upsamples a volume by integer factors along its three spatial axes (Keras's <c>UpSampling3D</c>): every element is
    /// repeated <c>size[0]</c>, <c>size[1]</c> and <c>size[2]</c> times.
    /// </summary>
    /// <remarks>
    /// No weights. Input <c>(batch, dim1, dim2, dim3, channels)</c> (<c>channels_last</c>) or
    /// <c>(batch, channels, dim1, dim2, dim3)</c>; output with each spatial size multiplied by its factor. Masks are dropped,
    /// as in Keras.
    /// <code>
    /// Tensor y = new UpSampling3D().Apply(torch.ones(2, 1, 2, 1, 3));   // (2, 2, 4, 2, 3)
    /// </code>
    /// </remarks>
    [RegisterLayer("UpSampling3D")]
    public sealed class UpSampling3D : BaseUpSampling
    {
        /// <summary>Creates the layer.</summary>
        /// <param name="size">One factor for every axis, or <c>(dim1, dim2, dim3)</c>; positive; <c>(2, 2, 2)</c> when null (Keras's
        /// default).</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype floating inputs are cast to; the global policy by default.</param>
        /// <exception cref="System.ArgumentException">A factor is not positive, there are neither 1 nor 3 factors, or the data format is
        /// unknown.</exception>
        public UpSampling3D(IntTuple? size = null, DataFormat dataFormat = DataFormat.ChannelsLast, string? name = null,
            bool trainable = true, ScalarType? dtype = null)
            : base(size ?? 2, 3, dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>The factors for the three spatial axes.</summary>
        public (int Dim1, int Dim2, int Dim3) Size => (Factors[0], Factors[1], Factors[2]);
    }
}
