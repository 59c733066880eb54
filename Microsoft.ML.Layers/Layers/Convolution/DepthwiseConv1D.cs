using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Regularizers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// 1-D depthwise convolution (Keras 3's <c>DepthwiseConv1D</c>): each input channel is convolved with its own
    /// <c>depth_multiplier</c> filters along the steps and channels are never mixed;
    /// <c>output = activation(depthwise_conv(input, kernel) + bias)</c>.
    /// </summary>
    /// <remarks>
    /// Weights (Keras 3's names): <c>kernel</c> of shape <c>(kernel_size, input_channels, depth_multiplier)</c>, then
    /// <c>bias</c> of shape <c>(input_channels * depth_multiplier,)</c>. Output channel <c>c * depth_multiplier + m</c> is input
    /// channel c convolved with <c>kernel[:, c, m]</c>.
    /// Input <c>(batch, steps, channels)</c> (or channels first); output <c>(batch, new_steps, channels * depth_multiplier)</c>.
    /// Masks are dropped, as in Keras.
    /// <code>
    /// var depthwise = new DepthwiseConv1D(3, depthMultiplier: 2);
    /// Tensor y = depthwise.Apply(torch.randn(4, 10, 12));   // (4, 8, 24)
    /// </code>
    /// </remarks>
    [RegisterLayer("DepthwiseConv1D")]
    public sealed class DepthwiseConv1D : BaseDepthwiseConv
    {
        /// <summary>Creates a 1-D depthwise convolution.</summary>
        /// <param name="kernelSize">The window size: one value or a tuple of one; positive.</param>
        /// <param name="strides">The window's steps: one value or a tuple of one; default 1. Strides above 1 exclude
        /// dilation above 1.</param>
        /// <param name="padding"><see cref="Layers.Padding.Valid"/> or <see cref="Layers.Padding.Same"/> (TensorFlow's split).</param>
        /// <param name="depthMultiplier">The number of filters per input channel; positive.</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="dilationRate">The spacing of the window's taps; default 1.</param>
        /// <param name="activation">The activation; none (linear) by default.</param>
        /// <param name="useBias">Whether to add a bias.</param>
        /// <param name="depthwiseInitializer">Default <c>glorot_uniform</c>.</param>
        /// <param name="biasInitializer">Default <c>zeros</c>.</param>
        /// <param name="depthwiseRegularizer">Penalty on the kernel.</param>
        /// <param name="biasRegularizer">Penalty on the bias.</param>
        /// <param name="activityRegularizer">Penalty on the output.</param>
        /// <param name="depthwiseConstraint">Projection of the kernel after each optimizer step.</param>
        /// <param name="biasConstraint">Projection of the bias after each optimizer step.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        /// <exception cref="System.ArgumentException">An argument is out of range; the message names it and the received value.</exception>
        public DepthwiseConv1D(IntTuple kernelSize, IntTuple? strides = null, Padding padding = Padding.Valid, int depthMultiplier = 1,
            DataFormat dataFormat = DataFormat.ChannelsLast, IntTuple? dilationRate = null, Activation? activation = null,
            bool useBias = true,
            Initializer? depthwiseInitializer = null, Initializer? biasInitializer = null,
            Regularizer? depthwiseRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
            Constraint? depthwiseConstraint = null, Constraint? biasConstraint = null,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(1, kernelSize, strides, padding, depthMultiplier, dataFormat, dilationRate, activation, useBias,
                depthwiseInitializer, biasInitializer, depthwiseRegularizer, biasRegularizer, activityRegularizer,
                depthwiseConstraint, biasConstraint, name, trainable, dtype)
        {
        }
    }
}
