using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Regularizers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// 2-D depthwise separable convolution (Keras's <c>SeparableConv2D</c>): a depthwise convolution (each input channel with
    /// its own <c>depth_multiplier</c> filters) followed by a 1x1 pointwise convolution that mixes the channels;
    /// <c>output = activation(pointwise(depthwise(input)) + bias)</c>.
    /// </summary>
    /// <remarks>
    /// Weights: <c>depthwise_kernel</c> <c>(kernel_h, kernel_w, input_channels, depth_multiplier)</c>, <c>pointwise_kernel</c>
    /// <c>(1, 1, input_channels * depth_multiplier, filters)</c>, then <c>bias</c> <c>(filters,)</c>. Strides, padding and
    /// dilation apply to the depthwise step. Input <c>(batch, height, width, channels)</c> (or channels first); output
    /// <c>(batch, new_height, new_width, filters)</c>. Masks are dropped, as in Keras.
    /// <code>
    /// var separable = new SeparableConv2D(32, 3, padding: Padding.Same);
    /// Tensor y = separable.Apply(torch.randn(4, 10, 10, 12));   // (4, 10, 10, 32)
    /// </code>
    /// </remarks>
    [RegisterLayer("SeparableConv2D", Aliases = new[] { "SeparableConvolution2D" })]
    public sealed class SeparableConv2D : BaseSeparableConv
    {
        /// <summary>Creates a separable convolution.</summary>
        /// <param name="filters">The number of output channels; positive.</param>
        /// <param name="kernelSize">The depthwise window size: one value or two; positive.</param>
        /// <param name="strides">The depthwise window's steps; default 1. Strides above 1 exclude dilation above 1.</param>
        /// <param name="padding"><see cref="Layers.Padding.Valid"/> or <see cref="Layers.Padding.Same"/> (TensorFlow's split).</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="dilationRate">The spacing of the depthwise window's taps; default 1.</param>
        /// <param name="depthMultiplier">The number of depthwise filters per input channel; positive.</param>
        /// <param name="activation">The activation; none (linear) by default.</param>
        /// <param name="useBias">Whether to add a bias.</param>
        /// <param name="depthwiseInitializer">Default <c>glorot_uniform</c>.</param>
        /// <param name="pointwiseInitializer">Default <c>glorot_uniform</c>.</param>
        /// <param name="biasInitializer">Default <c>zeros</c>.</param>
        /// <param name="depthwiseRegularizer">Penalty on the depthwise kernel.</param>
        /// <param name="pointwiseRegularizer">Penalty on the pointwise kernel.</param>
        /// <param name="biasRegularizer">Penalty on the bias.</param>
        /// <param name="activityRegularizer">Penalty on the output.</param>
        /// <param name="depthwiseConstraint">Projection of the depthwise kernel after each optimizer step.</param>
        /// <param name="pointwiseConstraint">Projection of the pointwise kernel after each optimizer step.</param>
        /// <param name="biasConstraint">Projection of the bias after each optimizer step.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        /// <exception cref="System.ArgumentException">An argument is out of range; the message names it and the received value.</exception>
        public SeparableConv2D(int filters, IntTuple kernelSize, IntTuple? strides = null, Padding padding = Padding.Valid,
            DataFormat dataFormat = DataFormat.ChannelsLast,
            IntTuple? dilationRate = null, int depthMultiplier = 1, Activation? activation = null, bool useBias = true,
            Initializer? depthwiseInitializer = null, Initializer? pointwiseInitializer = null, Initializer? biasInitializer = null,
            Regularizer? depthwiseRegularizer = null, Regularizer? pointwiseRegularizer = null, Regularizer? biasRegularizer = null,
            Regularizer? activityRegularizer = null,
            Constraint? depthwiseConstraint = null, Constraint? pointwiseConstraint = null, Constraint? biasConstraint = null,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(2, filters, kernelSize, strides, padding, dataFormat, dilationRate, depthMultiplier, activation, useBias,
                depthwiseInitializer, pointwiseInitializer, biasInitializer, depthwiseRegularizer, pointwiseRegularizer,
                biasRegularizer, activityRegularizer, depthwiseConstraint, pointwiseConstraint, biasConstraint, name, trainable,
                dtype)
        {
        }
    }
}
