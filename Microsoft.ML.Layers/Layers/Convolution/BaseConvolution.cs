using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Onnx;
using Microsoft.ML.Layers.Regularizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// What every convolution layer of this library shares (Keras's <c>BaseConv</c>, <c>BaseDepthwiseConv</c>,
    /// <c>BaseSeparableConv</c> and <c>BaseConvTranspose</c> have it in common): the window arguments (<c>kernel_size</c>,
    /// <c>strides</c>, <c>padding</c>, <c>dilation_rate</c>), the <c>data_format</c>, the bias, the activation, the output
    /// shape and the config. A subclass creates its kernels and writes the convolution itself, on channels-first tensors.
    /// </summary>
    /// <remarks>
    /// <para>Kernels keep Keras's layout, <c>(kernel..., in, out)</c> (see each layer), so weights move between Keras and this
    /// library unchanged; they are permuted to libtorch's <c>(out, in, kernel...)</c> view on each call.</para>
    /// <para><c>Same</c> padding follows TensorFlow: the total padding makes the output <c>ceil(input / stride)</c> long and
    /// the odd element goes at the end, which is not what libtorch's own <c>same</c> does with strides.</para>
    /// <para>Input <c>(batch, spatial..., channels)</c> with <c>channels_last</c> (the default) or
    /// <c>(batch, channels, spatial...)</c> with <c>channels_first</c>; the output has the same layout. Masks are not supported
    /// (Keras's convolutions drop them).</para>
    /// </remarks>
    public abstract class BaseConvolution : Layer, IOnnxExportable
    {
        private readonly ConvolutionWindow _window;
        private Parameter? _bias;

        /// <summary>Checks and stores the arguments every convolution has.</summary>
        /// <param name="rank">The number of spatial axes: 1, 2 or 3.</param>
        /// <param name="kernelSize">The window size, one value or one per spatial axis; positive.</param>
        /// <param name="strides">The steps of the window, one value or one per axis; positive; default 1.</param>
        /// <param name="padding"><see cref="Layers.Padding.Valid"/> (no padding) or <see cref="Layers.Padding.Same"/> (TensorFlow's rule),
        /// and <see cref="Layers.Padding.Causal"/> when <paramref name="allowCausal"/>.</param>
        /// <param name="allowCausal">Whether <see cref="Layers.Padding.Causal"/> padding is accepted (Conv1D only).</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="dilationRate">The spacing of the window's taps, one value or one per axis; positive; default 1.</param>
        /// <param name="activation">Applied to the output; linear by default.</param>
        /// <param name="useBias">Whether a bias is added.</param>
        /// <param name="biasInitializer">Default <c>zeros</c>.</param>
        /// <param name="biasRegularizer">Penalty on the bias.</param>
        /// <param name="activityRegularizer">Penalty on the output.</param>
        /// <param name="biasConstraint">Projection of the bias after each optimizer step.</param>
        /// <param name="name">The layer name.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        protected BaseConvolution(int rank, IntTuple kernelSize, IntTuple? strides, Padding padding, bool allowCausal,
            DataFormat dataFormat,
            IntTuple? dilationRate, Activation? activation, bool useBias, Initializer? biasInitializer, Regularizer? biasRegularizer,
            Regularizer? activityRegularizer, Constraint? biasConstraint, string? name, bool trainable, ScalarType? dtype)
            : base(name, trainable, dtype)
        {
            _window = new ConvolutionWindow(rank, kernelSize, strides, dilationRate, padding, allowCausal);
            Rank = rank;
            DataFormat = Arguments.DataFormat(dataFormat);
            Activation = activation ?? Activations.Linear;
            UseBias = useBias;
            BiasInitializer = biasInitializer ?? Initializer.Zeros();
            BiasRegularizer = biasRegularizer;
            ActivityRegularizer = activityRegularizer;
            BiasConstraint = biasConstraint;
            InputSpec = new InputSpec { NDim = rank + 2 };
        }

        /// <summary>The number of spatial axes.</summary>
        public int Rank { get; }

        /// <summary>The window size, one value per spatial axis.</summary>
        public IntTuple KernelSize => _window.KernelSize;

        /// <summary>The window's steps, one value per spatial axis.</summary>
        public IntTuple Strides => _window.Strides;

        /// <summary><see cref="Layers.Padding.Valid"/>, <see cref="Layers.Padding.Same"/> or <see cref="Layers.Padding.Causal"/>.</summary>
        public Padding Padding => _window.Padding;

        /// <summary>Where the channels are (<see cref="Layers.DataFormat"/>).</summary>
        public DataFormat DataFormat { get; }

        /// <summary>The spacing of the window's taps, one value per spatial axis.</summary>
        public IntTuple DilationRate => _window.DilationRate;

        /// <summary>The activation applied to the output.</summary>
        public Activation Activation { get; }

        /// <summary>Whether a bias is added.</summary>
        public bool UseBias { get; }

        /// <summary>The bias's initializer.</summary>
        public Initializer BiasInitializer { get; }

        /// <summary>The bias's regularizer, if any.</summary>
        public Regularizer? BiasRegularizer { get; }

        /// <summary>The bias's constraint, if any.</summary>
        public Constraint? BiasConstraint { get; }

        /// <summary>The bias, one value per output channel; null before build or without bias.</summary>
        public Parameter? Bias => _bias;

        /// <summary>The axis of the channels in the layer's data format: -1 or 1.</summary>
        protected int ChannelAxis => DataFormat == DataFormat.ChannelsLast ? -1 : 1;

        /// <summary>The kernels' config prefixes, initializers, regularizers and constraints, in Keras's config order.</summary>
        private protected abstract IReadOnlyList<KernelArguments> KernelArgumentList { get; }

        /// <summary>Creates the kernel weights for <paramref name="inputChannels"/> input channels (the bias comes after them).</summary>
        private protected abstract void BuildKernels(long inputChannels, Shape inputShape);

        /// <summary>The number of output channels for <paramref name="inputChannels"/> input channels (unknown stays unknown).</summary>
        private protected abstract long OutputChannels(long inputChannels);

        /// <summary>The convolution itself, on a channels-first input; the bias and the activation are added by the base class.</summary>
        private protected abstract Tensor Convolve(Tensor channelsFirstInputs);

        /// <summary>
        /// Writes the convolution itself into ONNX, on a channels-first value whose spatial sizes are
        /// <paramref name="spatialSizes"/> (unknown ones are <see cref="Shape.Unknown"/>); the base class writes the layout
        /// moves, the bias and the activation. Returns the output's name.
        /// </summary>
        private protected abstract string ExportConvolution(OnnxExportContext context, string channelsFirstInput, long[] spatialSizes);

        /// <summary>Writes the keys Keras puts before <c>kernel_size</c> (<c>filters</c>, <c>depth_multiplier</c>).</summary>
        private protected abstract void WriteLeadingConfig(LayerConfig config);

        /// <summary>Writes the keys Keras puts between <c>dilation_rate</c> and <c>activation</c> (<c>groups</c>); none by
        /// default.</summary>
        private protected virtual void WriteWindowOptionsConfig(LayerConfig config)
        {
        }

        /// <summary>The output length of one spatial axis; by default <see cref="ConvolutionWindow.OutputLength"/>'s.</summary>
        private protected virtual long OutputLength(long inputLength, int axis) => _window.OutputLength(inputLength, axis);

        /// <summary>See <see cref="ConvolutionWindow.DilatedKernel"/>.</summary>
        private protected long DilatedKernel(int axis) => _window.DilatedKernel(axis);

        /// <summary>The window size as longs, for libtorch.</summary>
        private protected long[] KernelSizeValues => _window.KernelSizeValues;

        /// <summary>The strides as longs, for libtorch.</summary>
        private protected long[] StrideValues => _window.StrideValues;

        /// <summary>The dilation rates as longs, for libtorch.</summary>
        private protected long[] DilationValues => _window.DilationValues;

        /// <inheritdoc />
        protected sealed override void Build(Shape inputShape)
        {
            long channels = inputShape[ChannelAxis];
            if (channels == Shape.Unknown)
                throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) needs a known number of input channels (axis " +
                    $"{ChannelAxis}) to build. Received: input_shape={inputShape}.");
            // Keras validates the spatial sizes (output sizes must be positive) before creating weights.
            ComputeOutputShape(inputShape);
            BuildKernels(channels, inputShape);
            if (UseBias)
                _bias = AddWeight("bias", new Shape(OutputChannels(channels)), BiasInitializer, regularizer: BiasRegularizer,
                    constraint: BiasConstraint);
            InputSpec = new InputSpec { NDim = Rank + 2, Axes = new Dictionary<int, long> { [ChannelAxis] = channels } };
        }

        /// <inheritdoc />
        protected sealed override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            ComputeOutputShape(Shape.Of(inputs)); // spatial sizes too small for the window fail here, naming the layer
            bool channelsLast = DataFormat == DataFormat.ChannelsLast;
            var outputs = Convolve(channelsLast ? ChannelLayout.ToChannelsFirst(inputs) : inputs);
            if (_bias is not null)
            {
                var biasShape = Enumerable.Repeat(1L, Rank + 2).ToArray();
                biasShape[1] = -1;
                outputs = outputs.Plus(_bias.reshape(biasShape));
            }
            // The activation sees the user's layout (softmax normalizes the last axis, as in Keras).
            return Activation.Apply(channelsLast ? ChannelLayout.ToChannelsLast(outputs) : outputs);
        }

        /// <inheritdoc />
        /// <exception cref="ArgumentException">The rank is not <c>Rank + 2</c>, or an output size would be zero or negative.</exception>
        public override Shape ComputeOutputShape(Shape inputShape)
        {
            ArgumentNullException.ThrowIfNull(inputShape);
            if (inputShape.Rank != Rank + 2)
                throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) expects inputs of rank {Rank + 2}. Received: " +
                    $"input_shape={inputShape}.");
            bool channelsLast = DataFormat == DataFormat.ChannelsLast;
            int firstSpatial = channelsLast ? 1 : 2;
            var spatial = new long[Rank];
            for (int i = 0; i < Rank; i++)
            {
                spatial[i] = OutputLength(inputShape[firstSpatial + i], i);
                if (spatial[i] != Shape.Unknown && spatial[i] <= 0)
                {
                    throw new ArgumentException($"Layer '{Name}' ({GetType().Name}): computed output size would be zero or negative. " +
                        $"Received: input_shape={inputShape}, kernel_size={KernelSize}, dilation_rate={DilationRate}, strides={Strides}, " +
                        $"padding={KerasEnum.Describe(Padding)}.");
                }
            }
            long outputChannels = OutputChannels(inputShape[ChannelAxis]);
            var dims = new List<long> { inputShape[0] };
            if (!channelsLast)
                dims.Add(outputChannels);
            dims.AddRange(spatial);
            if (channelsLast)
                dims.Add(outputChannels);
            return new Shape(dims);
        }

        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
        {
            bool channelsLast = DataFormat == DataFormat.ChannelsLast;
            var x = channelsLast ? SpatialOnnx.ToChannelsFirst(context, input.Name, Rank) : input.Name;
            x = ExportConvolution(context, x, SpatialOnnx.SpatialSizes(input.Shape, DataFormat, Rank));
            if (_bias is not null)
            {
                using var scope = NewDisposeScope();
                var biasShape = Enumerable.Repeat(1L, Rank + 1).ToArray();
                biasShape[0] = -1;
                x = context.Node("Add", x, context.Weight(_bias.reshape(biasShape), "bias"));
            }
            // As in Call: the activation sees the user's layout.
            return context.Activation(channelsLast ? SpatialOnnx.ToChannelsLast(context, x, Rank) : x, Activation);
        }

        /// <summary>
        /// ONNX's <c>Conv</c> of a channels-first value with a libtorch-layout weight <c>(out, in / groups, kernel...)</c> (the
        /// layout ONNX uses), this layer's strides, dilations and padding, and <paramref name="groups"/> groups.
        /// </summary>
        private protected string OnnxConvolution(OnnxExportContext context, string input, long[] spatialSizes, Tensor torchWeight,
            long groups, string hint = "kernel")
            => SpatialOnnx.Convolution(context, input, context.Weight(torchWeight, hint), null, _window, spatialSizes, groups);

        /// <summary>Pads a channels-first input as <see cref="Padding"/> asks (see <see cref="ConvolutionWindow.Pad"/>).</summary>
        private protected Tensor PadInput(Tensor x) => _window.Pad(x);

        /// <summary>A Keras kernel as libtorch's weight (see <see cref="ConvolutionWindow.ToTorchKernel"/>).</summary>
        private protected static Tensor ToTorchKernel(Tensor kernel) => ConvolutionWindow.ToTorchKernel(kernel);

        /// <summary>
        /// A Keras depthwise kernel <c>(kernel..., in, depth_multiplier)</c> as libtorch's grouped weight
        /// <c>(in * depth_multiplier, 1, kernel...)</c>: output channel <c>c * depth_multiplier + m</c> is input channel c's m-th filter.
        /// </summary>
        private protected static Tensor DepthwiseToTorchKernel(Tensor kernel)
        {
            var shape = kernel.shape;
            int rank = shape.Length - 2;
            var merged = shape.Take(rank).Concat(new[] { 1L, shape[rank] * shape[rank + 1] }).ToArray();
            return ToTorchKernel(kernel.reshape(merged));
        }

        /// <summary>See <see cref="ConvolutionWindow.Convolution"/>.</summary>
        private protected static Tensor Convolution(Tensor x, Tensor weight, long[] strides, long[] dilation, long groups)
            => ConvolutionWindow.Convolution(x, weight, strides, dilation, groups);

        /// <inheritdoc />
        public override LayerConfig GetConfig()
        {
            var config = base.GetConfig();
            // Keras always writes activity_regularizer for convolutions, after bias_regularizer.
            config.Values.Remove("activity_regularizer");
            WriteLeadingConfig(config);
            config.With("kernel_size", KernelSize)
                .With("strides", Strides)
                .With("padding", Padding)
                .With("data_format", DataFormat)
                .With("dilation_rate", DilationRate);
            WriteWindowOptionsConfig(config);
            config.With("activation", Activation).With("use_bias", UseBias);
            var kernels = KernelArgumentList;
            foreach (var kernel in kernels)
                config.With(kernel.Prefix + "_initializer", kernel.Initializer);
            config.With("bias_initializer", BiasInitializer);
            foreach (var kernel in kernels)
                config.With(kernel.Prefix + "_regularizer", kernel.Regularizer);
            config.With("bias_regularizer", BiasRegularizer).With("activity_regularizer", ActivityRegularizer);
            foreach (var kernel in kernels)
                config.With(kernel.Prefix + "_constraint", kernel.Constraint);
            config.With("bias_constraint", BiasConstraint);
            return config;
        }

        /// <summary>One kernel's arguments: its config prefix (<c>kernel</c>, <c>depthwise</c>, <c>pointwise</c>) and components.</summary>
        private protected sealed record KernelArguments(string Prefix, Initializer Initializer, Regularizer? Regularizer,
            Constraint? Constraint);
    }
}
