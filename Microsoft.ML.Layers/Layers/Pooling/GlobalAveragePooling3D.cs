using Microsoft.ML.Layers.Infrastructure;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Global 3-D average pooling (Keras's <c>GlobalAveragePooling3D</c>): the mean over all positions, per channel.
    /// </summary>
    /// <remarks>
    /// Input <c>(batch, depth, height, width, channels)</c> (or channels first); output <c>(batch, channels)</c>, or
    /// with <c>keepdims</c> the input's rank with the pooled axes of size 1. No weights. Masks are dropped, as in Keras.
    /// <code>
    /// var pool = new GlobalAveragePooling3D();
    /// Tensor y = pool.Apply(torch.randn(2, 3, 5, 5, 4));   // (2, 4)
    /// </code>
    /// </remarks>
    [RegisterLayer("GlobalAveragePooling3D", Aliases = new[] { "GlobalAvgPool3D" })]
    public sealed class GlobalAveragePooling3D : BaseGlobalPooling
    {
        /// <summary>Creates a global average pooling layer.</summary>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="keepDims">Whether to keep the pooled axes with size 1 (default false: they are dropped).</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility (there are no weights).</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        /// <exception cref="System.ArgumentException"><paramref name="dataFormat"/> is not a data format; the message has the received
        /// value.</exception>
        public GlobalAveragePooling3D(DataFormat dataFormat = DataFormat.ChannelsLast, bool keepDims = false, string? name = null,
            bool trainable = true, ScalarType? dtype = null)
            : base(3, dataFormat, keepDims, name, trainable, dtype)
        {
        }

        private protected override string OnnxReduction => "ReduceMean";

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
            => inputs.mean(SpatialAxes, keepdim: KeepDims);
    }
}
