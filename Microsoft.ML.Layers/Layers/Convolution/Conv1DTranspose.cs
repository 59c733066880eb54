using System;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Regularizers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// 1-D transposed convolution (Keras's <c>Conv1DTranspose</c>), e.g. to upsample a sequence:
    /// <c>output = activation(conv_transpose(input, kernel) + bias)</c>.
    /// </summary>
    /// <remarks>
    /// <para>Weights: <c>kernel</c> of shape <c>(kernel_size, filters, input_channels)</c> (Keras's
    /// transposed layout, see <see cref="BaseConvTranspose"/>), then <c>bias</c> <c>(filters,)</c>. Output sizes and values
    /// are Keras's (TensorFlow's); see <see cref="BaseConvTranspose"/>.</para>
    /// <para>Input <c>(batch, steps, channels)</c> (or channels first);
    /// output <c>(batch, new_steps, filters)</c>. Masks are dropped, as in Keras.</para>
    /// <code>
    /// var up = new Conv1DTranspose(16, 3, strides: 2, padding: Padding.Same);
    /// Tensor y = up.Apply(torch.randn(4, 10, 8));   // (4, 20, 16)
    /// </code>
    /// </remarks>
    [RegisterLayer("Conv1DTranspose", Aliases = new[] { "Convolution1DTranspose" })]
    public sealed class Conv1DTranspose : BaseConvTranspose
    {
        /// <summary>Creates a 1-D transposed convolution.</summary>
        /// <param name="filters">The number of output channels; positive.</param>
        /// <param name="kernelSize">The window size: one value or one; positive.</param>
        /// <param name="strides">The upsampling steps: one value or one; default 1. Strides above 1 exclude dilation above
        /// 1.</param>
        /// <param name="padding"><see cref="Layers.Padding.Valid"/> or <see cref="Layers.Padding.Same"/>; see
        /// <see cref="BaseConvTranspose"/> for the output sizes.</param>
        /// <param name="outputPadding">Extra cells at the end of the output, one value or one, each below the stride; null for
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
        public Conv1DTranspose(int filters, IntTuple kernelSize, IntTuple? strides = null, Padding padding = Padding.Valid,
            IntTuple? outputPadding = null, DataFormat dataFormat = DataFormat.ChannelsLast, IntTuple? dilationRate = null,
            Activation? activation = null, bool useBias = true,
            Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
            Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
            Constraint? kernelConstraint = null, Constraint? biasConstraint = null,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(1, filters, kernelSize, strides, padding, outputPadding, dataFormat, dilationRate, activation, useBias,
                kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, activityRegularizer,
                kernelConstraint, biasConstraint, name, trainable, dtype)
        {
        }
    }
}
