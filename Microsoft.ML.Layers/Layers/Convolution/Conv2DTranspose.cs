using System;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Regularizers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// 2-D transposed convolution (Keras's <c>Conv2DTranspose</c>, sometimes called deconvolution): the gradient of a
    /// convolution with respect to its input, used to upsample; <c>output = activation(conv_transpose(input, kernel) + bias)</c>.
    /// </summary>
    /// <remarks>
    /// <para>Weights: <c>kernel</c> of shape <c>(kernel_h, kernel_w, filters, input_channels)</c> — Keras's transposed layout,
    /// the kernel of the convolution this layer inverts (from <c>filters</c> to <c>input_channels</c>) — then <c>bias</c>
    /// <c>(filters,)</c>.</para>
    /// <para>Output sizes are Keras's (TensorFlow's), per spatial axis with <c>k = (kernel - 1) * dilation + 1</c>: with
    /// <c>valid</c>, <c>(n - 1) * stride + k + output_padding</c>, where <c>output_padding</c> defaults to
    /// <c>max(k, stride) - k</c>; with <c>same</c>, <c>n * stride</c> without <c>output_padding</c>, else
    /// <c>(n - 1) * stride + k % 2 + output_padding</c>. The values are TensorFlow's too: the full transposed convolution
    /// is cropped (or zero-extended) on each side as TensorFlow pads, which libtorch's symmetric <c>padding</c> cannot express.</para>
    /// <para>Input <c>(batch, height, width, channels)</c> (or channels first); output <c>(batch, new_height, new_width, filters)</c>.
    /// Masks are dropped, as in Keras.</para>
    /// <code>
    /// var up = new Conv2DTranspose(32, 2, strides: 2, activation: "relu");
    /// Tensor y = up.Apply(torch.randn(4, 10, 8, 128));   // (4, 20, 16, 32)
    /// </code>
    /// </remarks>
    [RegisterLayer("Conv2DTranspose", Aliases = new[] { "Convolution2DTranspose" })]
    public sealed class Conv2DTranspose : BaseConvTranspose
    {
        /// <summary>Creates a transposed convolution.</summary>
        /// <param name="filters">The number of output channels; positive.</param>
        /// <param name="kernelSize">The window size: one value or two; positive.</param>
        /// <param name="strides">The upsampling steps: one value or two; default 1. Strides above 1 exclude dilation above 1.</param>
        /// <param name="padding"><see cref="Layers.Padding.Valid"/> or <see cref="Layers.Padding.Same"/>; see the remarks for the output
        /// sizes.</param>
        /// <param name="outputPadding">Extra rows/columns at the end of the output, one value or two, each below the stride; null for
        /// Keras's default.</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="dilationRate">The spacing of the window's taps; default 1.</param>
        /// <param name="activation">The activation; none (linear) by default.</param>
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
        /// <exception cref="ArgumentException">An argument is out of range; the message names it and the received value.</exception>
        public Conv2DTranspose(int filters, IntTuple kernelSize, IntTuple? strides = null, Padding padding = Padding.Valid,
            IntTuple? outputPadding = null, DataFormat dataFormat = DataFormat.ChannelsLast, IntTuple? dilationRate = null,
            Activation? activation = null, bool useBias = true,
            Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
            Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
            Constraint? kernelConstraint = null, Constraint? biasConstraint = null,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(2, filters, kernelSize, strides, padding, outputPadding, dataFormat, dilationRate, activation, useBias,
                kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, activityRegularizer,
                kernelConstraint, biasConstraint, name, trainable, dtype)
        {
        }
    }
}
