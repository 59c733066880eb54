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
    /// The N-d depthwise separable convolution (Keras's <c>BaseSeparableConv</c>), base of <see cref="SeparableConv1D"/> and
    /// <see cref="SeparableConv2D"/>: a depthwise convolution (each input channel with its own <c>depth_multiplier</c> filters)
    /// followed by a pointwise (size 1) convolution that mixes the channels;
    /// <c>output = activation(pointwise(depthwise(input)) + bias)</c>.
    /// </summary>
    /// <remarks>
    /// Weights: <c>depthwise_kernel</c> <c>(kernel_size..., input_channels, depth_multiplier)</c>, <c>pointwise_kernel</c>
    /// <c>(1..., input_channels * depth_multiplier, filters)</c>, then <c>bias</c> <c>(filters,)</c>. Strides, padding and
    /// dilation apply to the depthwise step.
    /// </remarks>
    public abstract class BaseSeparableConv : BaseConvolution
    {
        private Parameter? _depthwiseKernel;
        private Parameter? _pointwiseKernel;

        /// <summary>Checks and stores the arguments; see <see cref="BaseConvolution"/> for the shared ones.</summary>
        /// <param name="rank">The number of spatial axes.</param>
        /// <param name="filters">The number of output channels; positive.</param>
        /// <param name="kernelSize">The depthwise window size: one value or one per spatial axis; positive.</param>
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
        /// <param name="name">The layer name.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        protected BaseSeparableConv(int rank, int filters, IntTuple kernelSize, IntTuple? strides, Padding padding,
            DataFormat dataFormat,
            IntTuple? dilationRate, int depthMultiplier, Activation? activation, bool useBias,
            Initializer? depthwiseInitializer, Initializer? pointwiseInitializer, Initializer? biasInitializer,
            Regularizer? depthwiseRegularizer, Regularizer? pointwiseRegularizer, Regularizer? biasRegularizer,
            Regularizer? activityRegularizer,
            Constraint? depthwiseConstraint, Constraint? pointwiseConstraint, Constraint? biasConstraint,
            string? name, bool trainable, ScalarType? dtype)
            : base(rank, kernelSize, strides, padding, allowCausal: false, dataFormat, dilationRate, activation, useBias,
                biasInitializer, biasRegularizer, activityRegularizer, biasConstraint, name, trainable, dtype)
        {
            DepthMultiplier = Arguments.Positive(depthMultiplier, "depth_multiplier");
            Filters = Arguments.Positive(filters, "filters");
            DepthwiseInitializer = depthwiseInitializer ?? Initializer.GlorotUniform();
            PointwiseInitializer = pointwiseInitializer ?? Initializer.GlorotUniform();
            DepthwiseRegularizer = depthwiseRegularizer;
            PointwiseRegularizer = pointwiseRegularizer;
            DepthwiseConstraint = depthwiseConstraint;
            PointwiseConstraint = pointwiseConstraint;
        }

        /// <summary>The number of output channels.</summary>
        public int Filters { get; }

        /// <summary>The number of depthwise filters per input channel.</summary>
        public int DepthMultiplier { get; }

        /// <summary>The depthwise kernel's initializer.</summary>
        public Initializer DepthwiseInitializer { get; }

        /// <summary>The pointwise kernel's initializer.</summary>
        public Initializer PointwiseInitializer { get; }

        /// <summary>The depthwise kernel's regularizer, if any.</summary>
        public Regularizer? DepthwiseRegularizer { get; }

        /// <summary>The pointwise kernel's regularizer, if any.</summary>
        public Regularizer? PointwiseRegularizer { get; }

        /// <summary>The depthwise kernel's constraint, if any.</summary>
        public Constraint? DepthwiseConstraint { get; }

        /// <summary>The pointwise kernel's constraint, if any.</summary>
        public Constraint? PointwiseConstraint { get; }

        /// <summary>The depthwise kernel, <c>(kernel_size..., input_channels, depth_multiplier)</c>; null before build.</summary>
        public Parameter? DepthwiseKernel => _depthwiseKernel;

        /// <summary>The pointwise kernel, <c>(1..., input_channels * depth_multiplier, filters)</c>; null before build.</summary>
        public Parameter? PointwiseKernel => _pointwiseKernel;

        private protected override IReadOnlyList<KernelArguments> KernelArgumentList => new[]
        {
            new KernelArguments("depthwise", DepthwiseInitializer, DepthwiseRegularizer, DepthwiseConstraint),
            new KernelArguments("pointwise", PointwiseInitializer, PointwiseRegularizer, PointwiseConstraint),
        };

        private protected override void BuildKernels(long inputChannels, Shape inputShape)
        {
            var depthwiseShape = new Shape(KernelSizeValues.Concat(new[] { inputChannels, DepthMultiplier }));
            var pointwiseShape = new Shape(Enumerable.Repeat(1L, Rank).Concat(new[] { inputChannels * DepthMultiplier, Filters }));
            _depthwiseKernel = AddWeight("depthwise_kernel", depthwiseShape, DepthwiseInitializer, regularizer: DepthwiseRegularizer,
                constraint: DepthwiseConstraint);
            _pointwiseKernel = AddWeight("pointwise_kernel", pointwiseShape, PointwiseInitializer, regularizer: PointwiseRegularizer,
                constraint: PointwiseConstraint);
        }

        private protected override long OutputChannels(long inputChannels) => Filters;

        private protected override Tensor Convolve(Tensor channelsFirstInputs)
        {
            var ones = Enumerable.Repeat(1L, Rank).ToArray();
            var depthwise = Convolution(PadInput(channelsFirstInputs), DepthwiseToTorchKernel(_depthwiseKernel!), StrideValues,
                DilationValues, groups: channelsFirstInputs.shape[1]);
            return Convolution(depthwise, ToTorchKernel(_pointwiseKernel!), ones, ones, groups: 1);
        }

        private protected override string ExportConvolution(OnnxExportContext context, string channelsFirstInput, long[] spatialSizes)
        {
            using var scope = NewDisposeScope();
            var depthwise = OnnxConvolution(context, channelsFirstInput, spatialSizes, DepthwiseToTorchKernel(_depthwiseKernel!),
                _depthwiseKernel!.shape[Rank], "depthwise_kernel");
            // The pointwise step is a 1x1 convolution without padding.
            return context.Node("Conv", depthwise, context.Weight(ToTorchKernel(_pointwiseKernel!), "pointwise_kernel"));
        }

        private protected override void WriteLeadingConfig(LayerConfig config)
            => config.With("depth_multiplier", DepthMultiplier).With("filters", Filters);
    }
}
