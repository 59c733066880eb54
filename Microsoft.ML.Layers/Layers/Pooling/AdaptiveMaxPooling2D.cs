using Microsoft.ML.Layers.Infrastructure;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// 2-D adaptive max pooling (Keras's <c>AdaptiveMaxPooling2D</c>): pools any input to the output sizes <c>output_size</c>,
    /// each output cell the maximum of its bin, per channel.
    /// </summary>
    /// <remarks>
    /// Bins as Keras's and PyTorch's: on an axis of length <c>n</c> pooled to <c>m</c>, cell <c>i</c> covers
    /// <c>[floor(i * n / m), ceil((i + 1) * n / m))</c> (see <see cref="BaseAdaptivePooling"/>).
    /// Input <c>(batch, height, width, channels)</c> (or channels first); output <c>(batch, output_h, output_w, channels)</c>.
    /// No weights. Masks are dropped, as in Keras. ONNX export only when every spatial size is a multiple of its output size.
    /// <code>
    /// var pool = new AdaptiveMaxPooling2D((4, 3));
    /// Tensor y = pool.Apply(torch.randn(2, 10, 7, 3));   // (2, 4, 3, 3)
    /// </code>
    /// </remarks>
    [RegisterLayer("AdaptiveMaxPooling2D")]
    public sealed class AdaptiveMaxPooling2D : BaseAdaptivePooling
    {
        /// <summary>Creates a 2-D adaptive max pooling layer.</summary>
        /// <param name="outputSize">The output's spatial sizes: one value or two; positive.</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility (there are no weights).</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        /// <exception cref="System.ArgumentException">An argument is out of range; the message names it and the received
        /// value.</exception>
        public AdaptiveMaxPooling2D(IntTuple outputSize, DataFormat dataFormat = DataFormat.ChannelsLast, string? name = null,
            bool trainable = true, ScalarType? dtype = null)
            : base(2, max: true, outputSize, dataFormat, name, trainable, dtype)
        {
        }
    }
}
