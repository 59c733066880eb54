using System;
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
    /// The N-d convolution (Keras's <c>BaseConv</c>), base of <see cref="Conv1D"/>, <see cref="Conv2D"/> and <see cref="Conv3D"/>:
    /// <c>output = activation(conv(input, kernel) + bias)</c>, a cross-correlation like every deep-learning framework's.
    /// </summary>
    /// <remarks>
    /// Weights: <c>kernel</c> of shape <c>(kernel_size..., input_channels / groups, filters)</c> (Keras's layout), then
    /// <c>bias</c> of shape <c>(filters,)</c>. With <c>groups &gt; 1</c> the input channels are split into <c>groups</c> slices,
    /// each convolved with its own <c>filters / groups</c> filters, and the results are concatenated.
    /// </remarks>
    public abstract class BaseConv : BaseConvolution
    {
        private Parameter? _kernel;

        /// <summary>Checks and stores a convolution's arguments; see <see cref="BaseConvolution"/> for the shared ones.</summary>
        /// <param name="rank">The number of spatial axes.</param>
        /// <param name="filters">The number of output channels; positive and divisible by <paramref name="groups"/>.</param>
        /// <param name="kernelSize">The window size.</param>
        /// <param name="strides">The window's steps; default 1.</param>
        /// <param name="padding"><see cref="Layers.Padding.Valid"/> or <see cref="Layers.Padding.Same"/> (and
        /// <see cref="Layers.Padding.Causal"/> for rank 1).</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="dilationRate">The spacing of the window's taps; default 1.</param>
        /// <param name="groups">The number of channel groups; positive.</param>
        /// <param name="activation">Applied to the output; linear by default.</param>
        /// <param name="useBias">Whether a bias is added.</param>
        /// <param name="kernelInitializer">Default <c>glorot_uniform</c>.</param>
        /// <param name="biasInitializer">Default <c>zeros</c>.</param>
        /// <param name="kernelRegularizer">Penalty on the kernel.</param>
        /// <param name="biasRegularizer">Penalty on the bias.</param>
        /// <param name="activityRegularizer">Penalty on the output.</param>
        /// <param name="kernelConstraint">Projection of the kernel after each optimizer step.</param>
        /// <param name="biasConstraint">Projection of the bias after each optimizer step.</param>
        /// <param name="name">The layer name.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        protected BaseConv(int rank, int filters, IntTuple kernelSize, IntTuple? strides, Padding padding, DataFormat dataFormat,
            IntTuple? dilationRate,
            int groups, Activation? activation, bool useBias, Initializer? kernelInitializer, Initializer? biasInitializer,
            Regularizer? kernelRegularizer, Regularizer? biasRegularizer, Regularizer? activityRegularizer,
            Constraint? kernelConstraint, Constraint? biasConstraint, string? name, bool trainable, ScalarType? dtype)
            : base(rank, kernelSize, strides, padding, allowCausal: rank == 1, dataFormat, dilationRate, activation, useBias,
                biasInitializer, biasRegularizer, activityRegularizer, biasConstraint, name, trainable, dtype)
        {
            Filters = Arguments.Positive(filters, "filters");
            if (groups <= 0)
                throw new ArgumentOutOfRangeException(nameof(groups),
                    $"The number of groups must be a positive integer. Received: groups={groups}.");
            if (filters % groups != 0)
                throw new ArgumentException($"The number of filters must be evenly divisible by the number of groups. Received: " +
                    $"groups={groups}, filters={filters}.", nameof(groups));
            Groups = groups;
            KernelInitializer = kernelInitializer ?? Initializer.GlorotUniform();
            KernelRegularizer = kernelRegularizer;
            KernelConstraint = kernelConstraint;
        }

        /// <summary>The number of output channels.</summary>
        public int Filters { get; }

        /// <summary>The number of channel groups.</summary>
        public int Groups { get; }

        /// <summary>The kernel's initializer.</summary>
        public Initializer KernelInitializer { get; }

        /// <summary>The kernel's regularizer, if any.</summary>
        public Regularizer? KernelRegularizer { get; }

        /// <summary>The kernel's constraint, if any.</summary>
        public Constraint? KernelConstraint { get; }

        /// <summary>The kernel, <c>(kernel_size..., input_channels / groups, filters)</c>; null before build.</summary>
        public Parameter? Kernel => _kernel;

        private protected override IReadOnlyList<KernelArguments> KernelArgumentList
            => new[] { new KernelArguments("kernel", KernelInitializer, KernelRegularizer, KernelConstraint) };

        private protected override void BuildKernels(long inputChannels, Shape inputShape)
        {
            if (inputChannels % Groups != 0)
            {
                throw new ArgumentException($"Layer '{Name}' ({GetType().Name}): the number of input channels must be evenly divisible " +
                    $"by the number of groups. Received groups={Groups}, but the input has {inputChannels} channels (full input shape is " +
                    $"{inputShape}).");
            }
            var shape = new Shape(KernelSizeValues.Concat(new[] { inputChannels / Groups, Filters }));
            _kernel = AddWeight("kernel", shape, KernelInitializer, regularizer: KernelRegularizer, constraint: KernelConstraint);
        }

        private protected override long OutputChannels(long inputChannels) => Filters;

        private protected override Tensor Convolve(Tensor channelsFirstInputs)
            => Convolution(PadInput(channelsFirstInputs), ToTorchKernel(_kernel!), StrideValues, DilationValues, Groups);

        private protected override string ExportConvolution(OnnxExportContext context, string channelsFirstInput, long[] spatialSizes)
        {
            // Keras's (kernel..., in / groups, filters) is permuted to ONNX's (filters, in / groups, kernel...).
            using var scope = NewDisposeScope();
            return OnnxConvolution(context, channelsFirstInput, spatialSizes, ToTorchKernel(_kernel!), Groups);
        }

        private protected override void WriteLeadingConfig(LayerConfig config) => config.With("filters", Filters);

        private protected override void WriteWindowOptionsConfig(LayerConfig config) => config.With("groups", Groups);
    }
}
