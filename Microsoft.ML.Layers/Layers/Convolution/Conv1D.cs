using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Regularizers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// 1-D convolution (Keras's <c>Conv1D</c>), e.g. over time: <c>output = activation(conv(input, kernel) + bias)</c>.
    /// </summary>
    /// <remarks>
    /// Weights: <c>kernel</c> <c>(kernel_size, input_channels / groups, filters)</c> (Keras's layout), then <c>bias</c> <c>(filters,)</c>.
    /// Input <c>(batch, steps, channels)</c> (or <c>(batch, channels, steps)</c> with <c>channels_first</c>); output
    /// <c>(batch, new_steps, filters)</c> in the input's layout, where each new size is
    /// <c>floor((n - (kernel - 1) * dilation - 1) / stride) + 1</c> with <c>valid</c> padding and <c>ceil(n / stride)</c> otherwise.
    /// Masks are dropped, as in Keras.
    /// <code>
    /// var conv = new Conv1D(32, 3, padding: Padding.Causal, dilationRate: 2);
    /// Tensor y = conv.Apply(torch.randn(4, 10, 128));   // (4, 10, 32)
    /// </code>
    /// </remarks>
    [RegisterLayer("Conv1D", Aliases = new[] { "Convolution1D" })]
    public sealed class Conv1D : BaseConv
    {
        /// <summary>Creates a 1-D convolution.</summary>
        /// <param name="filters">The number of output channels; positive and divisible by <paramref name="groups"/>.</param>
        /// <param name="kernelSize">The window size: one value or 1 values; positive.</param>
        /// <param name="strides">The window's steps: one value or 1 values; default 1. Strides above 1 exclude dilation above 1.</param>
        /// <param name="padding"><see cref="Layers.Padding.Valid"/>, <see cref="Layers.Padding.Same"/> or
        /// <see cref="Layers.Padding.Causal"/> (zeros in front only, so step t sees inputs up to t; WaveNet).</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="dilationRate">The spacing of the window's taps: one value or 1 values; default 1.</param>
        /// <param name="groups">Splits the input channels into this many groups, each with <c>filters / groups</c> filters; default
        /// 1.</param>
        /// <param name="activation">The activation (a name such as <c>"relu"</c>); none (linear) by default.</param>
        /// <param name="useBias">Whether to add a bias.</param>
        /// <param name="kernelInitializer">Default <c>glorot_uniform</c>.</param>
        /// <param name="biasInitializer">Default <c>zeros</c>.</param>
        /// <param name="kernelRegularizer">Penalty on the kernel.</param>
        /// <param name="biasRegularizer">Penalty on the bias.</param>
        /// <param name="activityRegularizer">Penalty on the output.</param>
        /// <param name="kernelConstraint">Projection of the kernel after each optimizer step.</param>
        /// <param name="biasConstraint">Projection of the bias after each optimizer step.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        /// <exception cref="System.ArgumentException">An argument is out of range; the message names it and the received value.</exception>
        public Conv1D(int filters, IntTuple kernelSize, IntTuple? strides = null, Padding padding = Padding.Valid,
            DataFormat dataFormat = DataFormat.ChannelsLast,
            IntTuple? dilationRate = null, int groups = 1, Activation? activation = null, bool useBias = true,
            Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
            Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
            Constraint? kernelConstraint = null, Constraint? biasConstraint = null,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(1, filters, kernelSize, strides, padding, dataFormat, dilationRate, groups, activation, useBias,
                kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, activityRegularizer,
                kernelConstraint, biasConstraint, name, trainable, dtype)
        {
        }
    }
}
