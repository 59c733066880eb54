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
    /// The N-d transposed convolution (Keras's <c>BaseConvTranspose</c>), base of <see cref="Conv1DTranspose"/>,
    /// <see cref="Conv2DTranspose"/> and <see cref="Conv3DTranspose"/>: the gradient of a convolution with respect to its input,
    /// used to upsample; <c>output = activation(conv_transpose(input, kernel) + bias)</c>.
    /// </summary>
    /// <remarks>
    /// <para>Weights: <c>kernel</c> of shape <c>(kernel_size..., filters, input_channels)</c>, Keras's transposed layout (the
    /// kernel of the convolution this layer inverts, from <c>filters</c> to <c>input_channels</c>), then <c>bias</c>
    /// <c>(filters,)</c>.</para>
    /// <para>Output sizes are Keras's (TensorFlow's), per spatial axis with <c>k = (kernel - 1) * dilation + 1</c>: with
    /// <c>valid</c>, <c>(n - 1) * stride + k + output_padding</c>, where <c>output_padding</c> defaults to
    /// <c>max(k, stride) - k</c>; with <c>same</c>, <c>n * stride</c> without <c>output_padding</c>, else
    /// <c>(n - 1) * stride + k % 2 + output_padding</c>. The values are TensorFlow's too: the full transposed convolution
    /// is cropped (or zero-extended) on each side as TensorFlow pads, which libtorch's symmetric <c>padding</c> cannot express.</para>
    /// <para>Keras 3.15 and later write <c>output_padding</c> (null by default) into the config; this family writes it only when set,
    /// so configs stay as they were written before, and reads it either way.</para>
    /// </remarks>
    public abstract class BaseConvTranspose : BaseConvolution
    {
        private readonly int[]? _outputPadding;
        private Parameter? _kernel;

        /// <summary>Checks and stores a transposed convolution's arguments; see <see cref="BaseConvolution"/> for the shared
        /// ones.</summary>
        /// <param name="rank">The number of spatial axes.</param>
        /// <param name="filters">The number of output channels; positive.</param>
        /// <param name="kernelSize">The window size: one value or one per spatial axis; positive.</param>
        /// <param name="strides">The upsampling steps: one value or one per spatial axis; default 1. Strides above 1 exclude
        /// dilation above 1.</param>
        /// <param name="padding"><see cref="Layers.Padding.Valid"/> or <see cref="Layers.Padding.Same"/>; see the remarks for the output
        /// sizes.</param>
        /// <param name="outputPadding">Extra cells at the end of the output, one value or one per spatial axis, each below the
        /// stride; null for Keras's default.</param>
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
        /// <param name="name">The layer name.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        protected BaseConvTranspose(int rank, int filters, IntTuple kernelSize, IntTuple? strides, Padding padding,
            IntTuple? outputPadding, DataFormat dataFormat, IntTuple? dilationRate, Activation? activation, bool useBias,
            Initializer? kernelInitializer, Initializer? biasInitializer,
            Regularizer? kernelRegularizer, Regularizer? biasRegularizer, Regularizer? activityRegularizer,
            Constraint? kernelConstraint, Constraint? biasConstraint, string? name, bool trainable, ScalarType? dtype)
            : base(rank, kernelSize, strides, padding, allowCausal: false, dataFormat, dilationRate, activation, useBias,
                biasInitializer, biasRegularizer, activityRegularizer, biasConstraint, name, trainable, dtype)
        {
            Filters = Arguments.Positive(filters, "filters");
            if (outputPadding is IntTuple given)
            {
                var values = given.Expand(Rank, "output_padding");
                if (values.Any(v => v < 0))
                    throw new ArgumentOutOfRangeException(nameof(outputPadding),
                        $"The `output_padding` argument must be a tuple of {Rank} non-negative integers. Received: output_padding={given}");
                var strideValues = StrideValues;
                if (values.Where((v, i) => v >= strideValues[i]).Any())
                    throw new ArgumentException($"`output_padding` must be < `strides`. Received: output_padding={new IntTuple(values)}, " +
                        $"strides={Strides}", nameof(outputPadding));
                _outputPadding = values;
            }
            KernelInitializer = kernelInitializer ?? Initializer.GlorotUniform();
            KernelRegularizer = kernelRegularizer;
            KernelConstraint = kernelConstraint;
        }

        /// <summary>The number of output channels.</summary>
        public int Filters { get; }

        /// <summary>The extra output cells, one per spatial axis, or null for Keras's default.</summary>
        public IntTuple? OutputPadding => _outputPadding is null ? (IntTuple?)null : new IntTuple(_outputPadding);

        /// <summary>The kernel's initializer.</summary>
        public Initializer KernelInitializer { get; }

        /// <summary>The kernel's regularizer, if any.</summary>
        public Regularizer? KernelRegularizer { get; }

        /// <summary>The kernel's constraint, if any.</summary>
        public Constraint? KernelConstraint { get; }

        /// <summary>The kernel, <c>(kernel_size..., filters, input_channels)</c>; null before build.</summary>
        public Parameter? Kernel => _kernel;

        private protected override IReadOnlyList<KernelArguments> KernelArgumentList
            => new[] { new KernelArguments("kernel", KernelInitializer, KernelRegularizer, KernelConstraint) };

        private protected override void BuildKernels(long inputChannels, Shape inputShape)
        {
            var shape = new Shape(KernelSizeValues.Concat(new[] { (long)Filters, inputChannels }));
            _kernel = AddWeight("kernel", shape, KernelInitializer, regularizer: KernelRegularizer, constraint: KernelConstraint);
        }

        private protected override long OutputChannels(long inputChannels) => Filters;

        private protected override long OutputLength(long inputLength, int axis)
        {
            if (inputLength == Shape.Unknown)
                return Shape.Unknown;
            var (before, after) = TensorFlowPadding(axis);
            // The full transposed convolution is (n - 1) * stride + k long; TensorFlow keeps k - 1 - before/after less of it.
            long k = DilatedKernel(axis);
            return (inputLength - 1) * StrideValues[axis] + k - 2 * (k - 1) + before + after;
        }

        /// <summary>
        /// TensorFlow's (and JAX's) padding of the dilated input for one axis, which fixes the output window: a full
        /// transposed convolution keeps <c>k - 1 - before</c> fewer elements in front and <c>k - 1 - after</c> fewer at the end.
        /// </summary>
        private (long Before, long After) TensorFlowPadding(int axis)
        {
            long k = DilatedKernel(axis);
            long stride = StrideValues[axis];
            int? outputPadding = _outputPadding?[axis];
            if (Padding == Padding.Valid)
                return (k - 1, k - 1 + (outputPadding ?? Math.Max(k, stride) - k));
            long total = outputPadding is int op ? k + k % 2 - 2 + op : stride + k - 2;
            long before = Math.Min(total / 2 + total % 2, k - 1);
            return (before, total - before);
        }

        private protected override Tensor Convolve(Tensor channelsFirstInputs)
        {
            var weight = ToTorchKernel(_kernel!); // (k..., filters, in) -> (in, filters, k...): libtorch's transposed layout
            var full = TransposedConvolution(channelsFirstInputs, weight, StrideValues, DilationValues);
            // Negative padding crops: keep TensorFlow's window of the full result, zero-extended where it reaches past it.
            var window = new (long Before, long After)[Rank];
            for (int i = 0; i < Rank; i++)
            {
                var (before, after) = TensorFlowPadding(i);
                long k = DilatedKernel(i);
                window[i] = (before - (k - 1), after - (k - 1));
            }
            return window.All(w => w.Before == 0 && w.After == 0) ? full : nn.functional.pad(full, ChannelLayout.PadArgument(window));
        }

        private protected override string ExportConvolution(OnnxExportContext context, string channelsFirstInput, long[] spatialSizes)
        {
            // As Convolve: the full transposed convolution, then TensorFlow's window of it. The cropped sides become
            // ConvTranspose's pads (which remove output cells), the zero-extended sides a Pad after it.
            var crops = new long[2 * Rank];
            var extensions = new long[2 * Rank];
            for (int i = 0; i < Rank; i++)
            {
                var (before, after) = TensorFlowPadding(i);
                long k = DilatedKernel(i);
                crops[i] = Math.Max(k - 1 - before, 0);
                crops[Rank + i] = Math.Max(k - 1 - after, 0);
                extensions[i] = Math.Max(before - (k - 1), 0);
                extensions[Rank + i] = Math.Max(after - (k - 1), 0);
            }
            var attributes = new OnnxAttributes { { "strides", StrideValues }, { "dilations", DilationValues }, { "pads", crops } };
            string weight;
            using (var scope = NewDisposeScope())
                weight = context.Weight(ToTorchKernel(_kernel!), "kernel"); // (k..., filters, in) -> (in, filters, k...), ONNX's layout
            var x = context.Node("ConvTranspose", new[] { channelsFirstInput, weight }, attributes);
            if (extensions.All(e => e == 0))
                return x;
            var pads = new long[] { 0, 0 }.Concat(extensions.Take(Rank)).Concat(new long[] { 0, 0 }).Concat(extensions.Skip(Rank));
            return context.Node("Pad", x, context.Int64s(pads.ToArray()));
        }

        private static Tensor TransposedConvolution(Tensor x, Tensor weight, long[] strides, long[] dilation) => strides.Length switch
        {
            1 => nn.functional.conv_transpose1d(x, weight, stride: strides[0], padding: 0, output_padding: 0, dilation: dilation[0]),
            2 => nn.functional.conv_transpose2d(x, weight, strides: strides, padding: new long[2], output_padding: new long[2],
                dilation: dilation),
            _ => nn.functional.conv_transpose3d(x, weight, strides: strides, padding: new long[3], output_padding: new long[3],
                dilation: dilation),
        };

        private protected override void WriteLeadingConfig(LayerConfig config) => config.With("filters", Filters);

        // Keras before 3.15 did not write output_padding; 3.15 and later write it after padding, null when unset. It is written
        // here only when set (so that a round trip keeps it), at its earlier place, so that configs written before stay
        // byte-identical.
        private protected override void WriteWindowOptionsConfig(LayerConfig config)
        {
            if (_outputPadding is not null)
                config.With("output_padding", OutputPadding);
        }
    }
}
