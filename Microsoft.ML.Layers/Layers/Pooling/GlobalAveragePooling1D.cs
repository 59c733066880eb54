using Microsoft.ML.Layers.Infrastructure;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Global 1-D average pooling (Keras's <c>GlobalAveragePooling1D</c>): the mean over all steps, per channel; steps a mask
    /// marks as padding are left out of the mean.
    /// </summary>
    /// <remarks>
    /// Input <c>(batch, steps, channels)</c> (or <c>(batch, channels, steps)</c> with <c>channels_first</c>) and an optional mask
    /// <c>(batch, steps)</c>; output <c>(batch, channels)</c>, or <c>(batch, 1, channels)</c> / <c>(batch, channels, 1)</c> with
    /// <c>keepdims</c>. With a mask each row is <c>sum(x where mask) / count(mask)</c> (a row with every step masked gives NaN,
    /// as in Keras); the output carries no mask. No weights.
    /// <code>
    /// var pool = new GlobalAveragePooling1D();
    /// Tensor y = pool.Apply(torch.randn(2, 3, 4), mask: torch.tensor(new[,] { { true, true, false }, { true, true, true } }));   // (2, 4)
    /// </code>
    /// </remarks>
    [RegisterLayer("GlobalAveragePooling1D", Aliases = new[] { "GlobalAvgPool1D" })]
    public sealed class GlobalAveragePooling1D : BaseGlobalPooling
    {
        /// <summary>Creates a global average pooling layer over steps.</summary>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="keepDims">Whether to keep the steps axis with size 1 (default false: it is dropped).</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility (there are no weights).</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        /// <exception cref="System.ArgumentException"><paramref name="dataFormat"/> is not a data format; the message has the received
        /// value.</exception>
        public GlobalAveragePooling1D(DataFormat dataFormat = DataFormat.ChannelsLast, bool keepDims = false, string? name = null,
            bool trainable = true, ScalarType? dtype = null)
            : base(1, dataFormat, keepDims, name, trainable, dtype)
            => SupportsMasking = true;

        private protected override string OnnxReduction => "ReduceMean";

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            var axes = SpatialAxes;
            if (mask is null)
                return inputs.mean(axes, keepdim: KeepDims);
            // The mask (batch, steps) gets a channel axis: (batch, steps, 1) or (batch, 1, steps).
            var kept = mask.to(ScalarType.Bool).unsqueeze(DataFormat == DataFormat.ChannelsLast ? 2 : 1);
            var sums = inputs.masked_fill(kept.logical_not(), Scalars.IntZero).sum(axes, keepdim: KeepDims);
            return sums / kept.to(inputs.dtype).sum(axes, keepdim: KeepDims);
        }

        /// <summary>The output carries no mask (Keras's <c>compute_mask</c> returns None).</summary>
        public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => null;
    }
}
