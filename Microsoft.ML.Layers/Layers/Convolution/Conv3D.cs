using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Regularizers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// 3-D convolution (Keras's <c>Conv3D</c>), e.g. over volumes or video: <c>output = activation(conv(input, kernel) + bias)</c>.
    /// </summary>
    /// <remarks>
    /// Weights: <c>kernel</c> <c>(k1, k2, k3, input_channels / groups, filters)</c> (Keras's layout), then <c>bias</c> <c>(filters,)</c>.
    /// Input <c>(batch, d1, d2, d3, channels)</c> (or <c>(batch, channels, d1, d2, d3)</c> with <c>channels_first</c>); output
    /// <c>(batch, new_d1, new_d2, new_d3, filters)</c> in the input's layout, where each new size is
    /// <c>floor((n - (kernel - 1) * dilation - 1) / stride) + 1</c> with <c>valid</c> padding and <c>ceil(n / stride)</c> otherwise.
    /// Masks are dropped, as in Keras.
    /// <code>
    /// var conv = new Conv3D(4, (3, 3, 3));
    /// Tensor y = conv.Apply(torch.randn(2, 8, 8, 8, 1));   // (2, 6, 6, 6, 4)
    /// </code>
    /// </remarks>
    [RegisterLayer("Conv3D", Aliases = new[] { "Convolution3D" })]
    public sealed class Conv3D : BaseConv
    {
        /// <summary>Creates a 3-D convolution.</summary>
        /// <param name="filters">The number of output channels; positive and divisible by <paramref name="groups"/>.</param>
        /// <param name="kernelSize">The window size: one value or 3 values; positive.</param>
        /// <param name="strides">The window's steps: one value or 3 values; default 1. Strides above 1 exclude dilation above 1.</param>
        /// <param name="padding"><see cref="Layers.Padding.Valid"/> or <see cref="Layers.Padding.Same"/> (TensorFlow's split: the odd
        /// padding element at the end).</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="dilationRate">The spacing of the window's taps: one value or 3 values; default 1.</param>
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
        public Conv3D(int filters, IntTuple kernelSize, IntTuple? strides = null, Padding padding = Padding.Valid,
            DataFormat dataFormat = DataFormat.ChannelsLast,
            IntTuple? dilationRate = null, int groups = 1, Activation? activation = null, bool useBias = true,
            Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
            Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
            Constraint? kernelConstraint = null, Constraint? biasConstraint = null,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(3, filters, kernelSize, strides, padding, dataFormat, dilationRate, groups, activation, useBias,
                kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, activityRegularizer,
                kernelConstraint, biasConstraint, name, trainable, dtype)
        {
        }
    }
}
