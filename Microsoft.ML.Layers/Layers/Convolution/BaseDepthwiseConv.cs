using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Onnx;
using Microsoft.ML.Layers.Regularizers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The N-d depthwise convolution (Keras's <c>BaseDepthwiseConv</c>), base of <see cref="DepthwiseConv1D"/> and
    /// <see cref="DepthwiseConv2D"/>: each input channel is convolved with its own <c>depth_multiplier</c> filters and channels
    /// are never mixed; <c>output = activation(depthwise_conv(input, kernel) + bias)</c>.
    /// </summary>
    /// <remarks>
    /// Weights (Keras 3's names): <c>kernel</c> of shape <c>(kernel_size..., input_channels, depth_multiplier)</c>, then
    /// <c>bias</c> of shape <c>(input_channels * depth_multiplier,)</c>. Output channel <c>c * depth_multiplier + m</c> is input
    /// channel c convolved with <c>kernel[..., c, m]</c>.
    /// </remarks>
    public abstract class BaseDepthwiseConv : BaseConvolution
    {
        private Parameter? _kernel;

        /// <summary>Checks and stores the arguments; see <see cref="BaseConvolution"/> for the shared ones.</summary>
        /// <param name="rank">The number of spatial axes.</param>
        /// <param name="kernelSize">The window size: one value or one per spatial axis; positive.</param>
        /// <param name="strides">The window's steps: one value or one per spatial axis; default 1. Strides above 1
        /// exclude dilation above 1.</param>
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
        /// <param name="name">The layer name.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        protected BaseDepthwiseConv(int rank, IntTuple kernelSize, IntTuple? strides, Padding padding, int depthMultiplier,
            DataFormat dataFormat, IntTuple? dilationRate, Activation? activation,
            bool useBias,
            Initializer? depthwiseInitializer, Initializer? biasInitializer,
            Regularizer? depthwiseRegularizer, Regularizer? biasRegularizer, Regularizer? activityRegularizer,
            Constraint? depthwiseConstraint, Constraint? biasConstraint,
            string? name, bool trainable, ScalarType? dtype)
            : base(rank, kernelSize, strides, padding, allowCausal: false, dataFormat, dilationRate, activation, useBias,
                biasInitializer, biasRegularizer, activityRegularizer, biasConstraint, name, trainable, dtype)
        {
            DepthMultiplier = Arguments.Positive(depthMultiplier, "depth_multiplier");
            DepthwiseInitializer = depthwiseInitializer ?? Initializer.GlorotUniform();
            DepthwiseRegularizer = depthwiseRegularizer;
            DepthwiseConstraint = depthwiseConstraint;
        }

        /// <summary>The number of filters per input channel.</summary>
        public int DepthMultiplier { get; }

        /// <summary>The kernel's initializer.</summary>
        public Initializer DepthwiseInitializer { get; }

        /// <summary>The kernel's regularizer, if any.</summary>
        public Regularizer? DepthwiseRegularizer { get; }

        /// <summary>The kernel's constraint, if any.</summary>
        public Constraint? DepthwiseConstraint { get; }

        /// <summary>The depthwise kernel (Keras names it <c>kernel</c>), <c>(kernel_size..., input_channels, depth_multiplier)</c>;
        /// null before build.</summary>
        public Parameter? Kernel => _kernel;

        private protected override IReadOnlyList<KernelArguments> KernelArgumentList
            => new[] { new KernelArguments("depthwise", DepthwiseInitializer, DepthwiseRegularizer, DepthwiseConstraint) };

        private protected override void BuildKernels(long inputChannels, Shape inputShape)
        {
            var shape = new Shape(KernelSizeValues.Concat(new[] { inputChannels, DepthMultiplier }));
            _kernel = AddWeight("kernel", shape, DepthwiseInitializer, regularizer: DepthwiseRegularizer, constraint: DepthwiseConstraint);
        }

        private protected override long OutputChannels(long inputChannels)
            => inputChannels == Shape.Unknown ? Shape.Unknown : inputChannels * DepthMultiplier;

        private protected override Tensor Convolve(Tensor channelsFirstInputs)
            => Convolution(PadInput(channelsFirstInputs), DepthwiseToTorchKernel(_kernel!), StrideValues, DilationValues,
                groups: channelsFirstInputs.shape[1]);

        private protected override string ExportConvolution(OnnxExportContext context, string channelsFirstInput, long[] spatialSizes)
        {
            // One group per input channel, weight (in * depth_multiplier, 1, kernel...).
            using var scope = NewDisposeScope();
            return OnnxConvolution(context, channelsFirstInput, spatialSizes, DepthwiseToTorchKernel(_kernel!), _kernel!.shape[Rank]);
        }

        private protected override void WriteLeadingConfig(LayerConfig config) => config.With("depth_multiplier", DepthMultiplier);
    }
}
