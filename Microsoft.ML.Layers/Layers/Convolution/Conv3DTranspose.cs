using System;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Regularizers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// 3-D transposed convolution (Keras's <c>Conv3DTranspose</c>), e.g. to upsample volumes or clips:
    /// <c>output = activation(conv_transpose(input, kernel) + bias)</c>.
    /// </summary>
    /// <remarks>
    /// <para>Weights: <c>kernel</c> of shape <c>(kernel_d, kernel_h, kernel_w, filters, input_channels)</c> (Keras's
    /// transposed layout, see <see cref="BaseConvTranspose"/>), then <c>bias</c> <c>(filters,)</c>. Output sizes and values
    /// are Keras's (TensorFlow's); see <see cref="BaseConvTranspose"/>.</para>
    /// <para>Input <c>(batch, depth, height, width, channels)</c> (or channels first);
    /// output <c>(batch, new_depth, new_height, new_width, filters)</c>. Masks are dropped, as in Keras.</para>
    /// <code>
    /// var up = new Conv3DTranspose(8, 2, strides: 2);
    /// Tensor y = up.Apply(torch.randn(2, 4, 5, 6, 3));   // (2, 8, 10, 12, 8)
    /// </code>
    /// </remarks>
    [RegisterLayer("Conv3DTranspose", Aliases = new[] { "Convolution3DTranspose" })]
    public sealed class Conv3DTranspose : BaseConvTranspose
    {
        /// <summary>Creates a 3-D transposed convolution.</summary>
        /// <param name="filters">The number of output channels; positive.</param>
        /// <param name="kernelSize">The window size: one value or three; positive.</param>
        /// <param name="strides">The upsampling steps: one value or three; default 1. Strides above 1 exclude dilation above
        /// 1.</param>
        /// <param name="padding"><see cref="Layers.Padding.Valid"/> or <see cref="Layers.Padding.Same"/>; see
        /// <see cref="BaseConvTranspose"/> for the output sizes.</param>
        /// <param name="outputPadding">Extra cells at the end of the output, one value or three, each below the stride; null for
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
        public Conv3DTranspose(int filters, IntTuple kernelSize, IntTuple? strides = null, Padding padding = Padding.Valid,
            DataFormat dataFormat = DataFormat.ChannelsLast, IntTuple? outputPadding = null, IntTuple? dilationRate = null,
            Activation? activation = null, bool useBias = true,
            Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
            Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
            Constraint? kernelConstraint = null, Constraint? biasConstraint = null,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(3, filters, kernelSize, strides, padding, outputPadding, dataFormat, dilationRate, activation, useBias,
                kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, activityRegularizer,
                kernelConstraint, biasConstraint, name, trainable, dtype)
        {
        }
    }
}
