using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Regularizers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Infrastructure
{
    /// <summary>
    /// The convolutional LSTM layers (<see cref="ConvLSTM1D"/>, <see cref="ConvLSTM2D"/>, <see cref="ConvLSTM3D"/>; Keras's
    /// <c>ConvLSTM</c> base): an <see cref="LSTM"/> whose input and recurrent transformations are convolutions over
    /// <see cref="SpatialRank"/> spatial axes. Each step, with <c>z = conv(x_t, kernel) + conv(h, recurrent_kernel) + bias</c>
    /// split along the channels into the gates <c>i, f, c, o</c> (Keras's order): <c>c' = σ(f) * c + σ(i) * act(c̃)</c>,
    /// <c>h' = σ(o) * act(c')</c>. The output is <c>h'</c>; the states are <c>[h, c]</c>, both shaped like one output step.
    /// </summary>
    /// <remarks>
    /// <para>Weights (Keras's layout and order): <c>kernel</c> <c>(kernel..., channels, 4 * filters)</c>,
    /// <c>recurrent_kernel</c> <c>(kernel..., filters, 4 * filters)</c>, <c>bias</c> <c>(4 * filters,)</c>, each split in the
    /// blocks <c>i, f, c, o</c> along its last axis. The input convolution uses <c>strides</c>, <c>padding</c> and
    /// <c>dilation_rate</c>; the recurrent convolution always has stride 1, no dilation and <c>same</c> padding. The
    /// derived layers only fix the number of spatial axes; see <see cref="ConvLSTM2D"/> for the full description.</para>
    /// </remarks>
    public abstract partial class BaseConvLSTM : RecurrentLayer
    {
        private readonly ConvolutionWindow _window;
        private readonly ConvolutionWindow _recurrentWindow;

        /// <summary>Creates a convolutional LSTM layer over <paramref name="spatialRank"/> spatial axes; the other arguments are
        /// the derived layers' (Keras 3's).</summary>
        private protected BaseConvLSTM(int spatialRank, int filters, IntTuple kernelSize, IntTuple? strides, Padding padding,
            DataFormat dataFormat, IntTuple? dilationRate, Activation? activation, Activation? recurrentActivation, bool useBias,
            Initializer? kernelInitializer, Initializer? recurrentInitializer, Initializer? biasInitializer, bool unitForgetBias,
            Regularizer? kernelRegularizer, Regularizer? recurrentRegularizer, Regularizer? biasRegularizer,
            Regularizer? activityRegularizer,
            Constraint? kernelConstraint, Constraint? recurrentConstraint, Constraint? biasConstraint,
            double dropout, double recurrentDropout, long? seed,
            bool returnSequences, bool returnState, bool goBackwards, bool stateful, bool unroll, bool timeMajor, bool zeroOutputForMask,
            string? name, bool trainable, ScalarType? dtype, string layerType)
            : base(CheckArguments(layerType, spatialRank, filters, kernelSize, strides, padding, dataFormat, dilationRate, dropout,
                    recurrentDropout, timeMajor, name),
                activation ?? Activations.Get("tanh"), useBias, kernelInitializer, recurrentInitializer, biasInitializer,
                kernelRegularizer, recurrentRegularizer, biasRegularizer, activityRegularizer, kernelConstraint, recurrentConstraint,
                biasConstraint,
                dropout, recurrentDropout, seed, returnSequences, returnState, goBackwards, stateful, unroll, zeroOutputForMask, name,
                trainable, dtype)
        {
            if (spatialRank != SpatialRank)
                throw new InvalidOperationException($"{layerType}: spatial rank {spatialRank} passed, {SpatialRank} declared.");
            _window = new ConvolutionWindow(SpatialRank, kernelSize, strides, dilationRate, padding);
            _recurrentWindow = new ConvolutionWindow(SpatialRank, kernelSize, 1, 1, Padding.Same);
            DataFormat = Arguments.DataFormat(dataFormat);
            RecurrentActivation = recurrentActivation ?? Activations.Get("sigmoid");
            UnitForgetBias = unitForgetBias;
        }

        /// <summary>The number of spatial axes of each step: 1, 2 or 3 (a constant of the derived layer, read by the base
        /// constructors, which fix the input's rank before the derived constructor runs).</summary>
        public abstract int SpatialRank { get; }

        /// <summary>The number of output channels (the same as <see cref="RecurrentLayer.Units"/>).</summary>
        public int Filters => Units;

        /// <summary>The window of both convolutions, one value per spatial axis.</summary>
        public IntTuple KernelSize => _window.KernelSize;

        /// <summary>The input convolution's steps, one value per spatial axis.</summary>
        public IntTuple Strides => _window.Strides;

        /// <summary>The input convolution's padding: <see cref="Layers.Padding.Valid"/> or <see cref="Layers.Padding.Same"/>.</summary>
        public Padding Padding => _window.Padding;

        /// <summary>Where the channels are (<see cref="Layers.DataFormat"/>).</summary>
        public DataFormat DataFormat { get; }

        /// <summary>The input convolution's dilation, one value per spatial axis.</summary>
        public IntTuple DilationRate => _window.DilationRate;

        /// <summary>The activation of the gates <c>i, f, o</c>.</summary>
        public Activation RecurrentActivation { get; }

        /// <summary>Whether the forget gate's bias starts at 1.</summary>
        public bool UnitForgetBias { get; }

        private bool ChannelsLast => DataFormat == DataFormat.ChannelsLast;

        /// <summary>The channel axis of one step (a tensor without the time axis).</summary>
        private int StepChannelAxis => ChannelsLast ? -1 : 1;

        /// <inheritdoc />
        protected override int GateCount => 4;

        /// <inheritdoc />
        protected override int StateCount => 2;

        /// <summary>Keras's convolutional cell always draws one dropout mask per gate.</summary>
        protected override bool DropoutMaskPerGate => true;

        /// <inheritdoc />
        protected override int SequenceRank => SpatialRank + 3;

        /// <inheritdoc />
        protected override int FeatureAxis => ChannelsLast ? -1 : 2;

        /// <inheritdoc />
        protected override string StateShapeDescription
        {
            get
            {
                string spatial = SpatialRank switch { 1 => "steps", 2 => "rows, cols", _ => "depth, rows, cols" };
                return ChannelsLast ? $"(batch, {spatial}, filters)" : $"(batch, filters, {spatial})";
            }
        }

        /// <inheritdoc />
        protected override Shape KernelShape(long features) => new(_window.KernelSizeValues.Concat(new[] { features, GateCount * Units }));

        /// <inheritdoc />
        protected override Shape RecurrentKernelShape => new(_window.KernelSizeValues.Concat(new long[] { Units, GateCount * Units }));

        /// <inheritdoc />
        protected override Initializer BuildBiasInitializer
            => UnitForgetBias ? new UnitForgetBiasInitializer(BiasInitializer, Units) : BiasInitializer;

        /// <summary>The shape of one sample's state: the input convolution's output, <c>(spatial..., filters)</c> or
        /// <c>(filters, spatial...)</c>.</summary>
        /// <exception cref="ArgumentException">The window does not fit in the input's rows or columns.</exception>
        protected override long[] StateShape(Shape sequenceShape)
        {
            int firstSpatial = ChannelsLast ? 2 : 3;
            var spatial = new long[SpatialRank];
            for (int i = 0; i < SpatialRank; i++)
            {
                spatial[i] = _window.OutputLength(sequenceShape[firstSpatial + i], i);
                if (spatial[i] == 0)
                {
                    throw new ArgumentException($"Layer '{Name}' ({GetType().Name}): computed output size would be zero or negative. " +
                        $"Received: input_shape={sequenceShape}, kernel_size={KernelSize}, dilation_rate={DilationRate}, " +
                        $"strides={Strides}, padding={KerasEnum.Describe(Padding)}.");
                }
            }
            return ChannelsLast ? spatial.Append(Units).ToArray() : spatial.Prepend(Units).ToArray();
        }

        /// <summary>
        /// The input convolution of every step at once, the time axis folded into the batch; with dropout, each gate's
        /// block of the kernel sees the input under its own mask, in one grouped convolution.
        /// </summary>
        protected override Tensor ProjectInputs(Tensor sequence, Tensor[]? inputMasks)
        {
            long steps = sequence.shape[0], batch = sequence.shape[1];
            var folded = GateInputs(sequence, inputMasks, s => s.flatten(0, 1));
            var projected = _window.Convolve(folded, ConvolutionWindow.ToTorchKernel(Kernel!), inputMasks is null ? 1 : GateCount);
            if (Bias is not null)
                projected = projected.Plus(Bias.reshape(new[] { -1L }.Concat(Enumerable.Repeat(1L, SpatialRank)).ToArray()));
            var step = ChannelsLast ? ChannelLayout.ToChannelsLast(projected) : projected;
            return step.reshape(new[] { steps, batch }.Concat(step.shape.Skip(1)).ToArray());
        }

        /// <inheritdoc />
        protected override Tensor[] Step(Tensor projectedInput, IReadOnlyList<Tensor> states, Tensor[]? recurrentMasks)
        {
            var h = GateInputs(states[0], recurrentMasks, s => s);
            var recurrent = _recurrentWindow.Convolve(h, ConvolutionWindow.ToTorchKernel(RecurrentKernel!),
                recurrentMasks is null ? 1 : GateCount);
            var z = projectedInput.Plus(ChannelsLast ? ChannelLayout.ToChannelsLast(recurrent) : recurrent);
            return LSTM.Cell(z.chunk(GateCount, StepChannelAxis), states[1], Activation, RecurrentActivation);
        }

        /// <summary>
        /// A convolution's channels-first input: <paramref name="x"/> in the layer's layout, reshaped by <paramref name="toBatch"/>;
        /// with dropout masks, the four masked copies side by side along the channels (the input of a 4-group convolution
        /// whose group g is gate g's block of the kernel).
        /// </summary>
        private Tensor GateInputs(Tensor x, Tensor[]? masks, Func<Tensor, Tensor> toBatch)
        {
            Tensor ChannelsFirst(Tensor t) => ChannelsLast ? ChannelLayout.ToChannelsFirst(toBatch(t)) : toBatch(t);
            return masks is null ? ChannelsFirst(x) : cat(masks.Select(m => ChannelsFirst(x * m)).ToArray(), 1);
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig()
        {
            var config = base.GetConfig();
            // Keras's convolutional recurrent layers write filters and the window instead of units.
            config.Values.Remove("units");
            return config
                .With("filters", Filters)
                .With("kernel_size", KernelSize)
                .With("strides", Strides)
                .With("padding", Padding)
                .With("data_format", DataFormat)
                .With("dilation_rate", DilationRate)
                .With("recurrent_activation", RecurrentActivation)
                .With("unit_forget_bias", UnitForgetBias)
                .With("seed", Seed);
        }

        /// <summary>
        /// Checks the arguments before the base constructor runs, so that every error names this layer, the argument and the
        /// received value; returns <paramref name="filters"/>.
        /// </summary>
        private static int CheckArguments(string layerType, int spatialRank, int filters, IntTuple kernelSize, IntTuple? strides,
            Padding padding, DataFormat dataFormat, IntTuple? dilationRate, double dropout, double recurrentDropout, bool timeMajor,
            string? name)
        {
            string layer = name is null ? $"Layer {layerType}" : $"Layer '{name}' ({layerType})";
            try
            {
                Arguments.Positive(filters, "filters");
                _ = new ConvolutionWindow(spatialRank, kernelSize, strides, dilationRate, padding);
                Arguments.DataFormat(dataFormat);
                Arguments.Rate(dropout, "dropout");
                Arguments.Rate(recurrentDropout, "recurrent_dropout");
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new ArgumentOutOfRangeException(e.ParamName, $"{layer}: {WithoutParameterName(e)}");
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"{layer}: {WithoutParameterName(e)}", e.ParamName);
            }
            if (timeMajor)
            {
                throw new ArgumentException($"{layer}: time-major inputs are not supported; pass (batch, timesteps, ...) inputs with " +
                    "time_major=False. Received: time_major=True", nameof(timeMajor));
            }
            return filters;
        }

        private static string WithoutParameterName(ArgumentException e)
            => e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
    }
}
