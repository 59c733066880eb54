using Microsoft.ML.Layers.Infrastructure;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// 1-D adaptive average pooling (Keras's <c>AdaptiveAveragePooling1D</c>): pools any input to the output length <c>output_size</c>,
    /// each output cell the mean of its bin, per channel.
    /// </summary>
    /// <remarks>
    /// Bins as Keras's and PyTorch's: on an axis of length <c>n</c> pooled to <c>m</c>, cell <c>i</c> covers
    /// <c>[floor(i * n / m), ceil((i + 1) * n / m))</c> (see <see cref="BaseAdaptivePooling"/>).
    /// Input <c>(batch, steps, channels)</c> (or channels first); output <c>(batch, output_size, channels)</c>.
    /// No weights. Masks are dropped, as in Keras. ONNX export only when every spatial size is a multiple of its output size.
    /// <code>
    /// var pool = new AdaptiveAveragePooling1D(4);
    /// Tensor y = pool.Apply(torch.randn(2, 10, 3));   // (2, 4, 3)
    /// </code>
    /// </remarks>
    [RegisterLayer("AdaptiveAveragePooling1D")]
    public sealed class AdaptiveAveragePooling1D : BaseAdaptivePooling
    {
        /// <summary>Creates a 1-D adaptive average pooling layer.</summary>
        /// <param name="outputSize">The output's spatial length: one value or a tuple of one; positive.</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility (there are no weights).</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        /// <exception cref="System.ArgumentException">An argument is out of range; the message names it and the received
        /// value.</exception>
        public AdaptiveAveragePooling1D(IntTuple outputSize, DataFormat dataFormat = DataFormat.ChannelsLast, string? name = null,
            bool trainable = true, ScalarType? dtype = null)
            : base(1, max: false, outputSize, dataFormat, name, trainable, dtype)
        {
        }
    }
}
