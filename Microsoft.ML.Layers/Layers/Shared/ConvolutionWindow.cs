using System;
using System.Linq;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// A convolution's window (Keras's <c>kernel_size</c>, <c>strides</c>, <c>dilation_rate</c> and <c>padding</c>), checked
    /// with Keras's wording, and what follows from it: the output length of an axis, TensorFlow's padding of a
    /// channels-first input, and the libtorch convolution with a Keras-layout kernel. Shared by the convolution layers
    /// (<see cref="BaseConvolution"/>) and the convolutional recurrent layers (<see cref="ConvLSTM2D"/>).
    /// </summary>
    internal sealed class ConvolutionWindow
    {
        private readonly int[] _kernelSize;
        private readonly int[] _strides;
        private readonly int[] _dilationRate;

        /// <summary>Checks and stores a window; throws naming the argument and the received value.</summary>
        /// <param name="rank">The number of spatial axes: 1, 2 or 3.</param>
        /// <param name="kernelSize">The window size, one value or one per axis; positive.</param>
        /// <param name="strides">The window's steps; positive; default 1.</param>
        /// <param name="dilationRate">The spacing of the window's taps; positive; default 1.</param>
        /// <param name="padding"><see cref="Layers.Padding.Valid"/> or <see cref="Layers.Padding.Same"/>, and
        /// <see cref="Layers.Padding.Causal"/> when <paramref name="allowCausal"/>.</param>
        /// <param name="allowCausal">Whether <see cref="Layers.Padding.Causal"/> padding is accepted.</param>
        public ConvolutionWindow(int rank, IntTuple kernelSize, IntTuple? strides, IntTuple? dilationRate, Padding padding,
            bool allowCausal = false)
        {
            if (rank is < 1 or > 3)
                throw new ArgumentOutOfRangeException(nameof(rank), $"Convolutions have 1, 2 or 3 spatial axes. Received: rank={rank}");
            Rank = rank;
            _kernelSize = Arguments.PositiveTuple(kernelSize, rank, "kernel_size");
            _strides = Arguments.PositiveTuple(strides ?? 1, rank, "strides");
            _dilationRate = Arguments.PositiveTuple(dilationRate ?? 1, rank, "dilation_rate");
            Padding = Arguments.Padding(padding, allowCausal);
            if (_strides.Max() > 1 && _dilationRate.Max() > 1)
            {
                throw new ArgumentException("`strides > 1` not supported in conjunction with `dilation_rate > 1`. " +
                    $"Received: strides={new IntTuple(_strides)} and dilation_rate={new IntTuple(_dilationRate)}", "dilation_rate");
            }
        }

        /// <summary>The number of spatial axes.</summary>
        public int Rank { get; }

        /// <summary><see cref="Layers.Padding.Valid"/>, <see cref="Layers.Padding.Same"/> or <see cref="Layers.Padding.Causal"/>.</summary>
        public Padding Padding { get; }

        /// <summary>The window size, one value per spatial axis.</summary>
        public IntTuple KernelSize => new(_kernelSize);

        /// <summary>The window's steps, one value per spatial axis.</summary>
        public IntTuple Strides => new(_strides);

        /// <summary>The spacing of the window's taps, one value per spatial axis.</summary>
        public IntTuple DilationRate => new(_dilationRate);

        /// <summary>The window size as longs, for libtorch and weight shapes.</summary>
        public long[] KernelSizeValues => _kernelSize.Select(v => (long)v).ToArray();

        /// <summary>The strides as longs, for libtorch.</summary>
        public long[] StrideValues => _strides.Select(v => (long)v).ToArray();

        /// <summary>The dilation rates as longs, for libtorch.</summary>
        public long[] DilationValues => _dilationRate.Select(v => (long)v).ToArray();

        /// <summary>The extent of the window on one axis with its dilation: <c>(kernel - 1) * dilation + 1</c>.</summary>
        public long DilatedKernel(int axis) => (long)(_kernelSize[axis] - 1) * _dilationRate[axis] + 1;

        /// <summary>
        /// The output length of one spatial axis (Keras's <c>compute_conv_output_shape</c>):
        /// <c>floor((n - dilated_kernel) / stride) + 1</c>
        /// for <c>valid</c> (0 when the window does not fit), <c>ceil(n / stride)</c> for <c>same</c> and <c>causal</c>; unknown stays
        /// unknown.
        /// </summary>
        public long OutputLength(long inputLength, int axis)
        {
            if (inputLength == Shape.Unknown)
                return Shape.Unknown;
            if (Padding != Padding.Valid)
                return (inputLength + _strides[axis] - 1) / _strides[axis];
            long span = inputLength - DilatedKernel(axis);
            return span < 0 ? 0 : span / _strides[axis] + 1;
        }

        /// <summary>
        /// Pads a channels-first input as <see cref="Padding"/> asks before a stride-aware convolution: nothing for
        /// <c>valid</c>; TensorFlow's <c>same</c> split (the odd element at the end); <c>(kernel - 1) * dilation</c> zeros in
        /// front for <c>causal</c>, so that output step t sees only inputs up to t.
        /// </summary>
        public Tensor Pad(Tensor x)
        {
            if (Padding == Padding.Valid)
                return x;
            var pads = Pads(x);
            return pads.All(p => p.Before == 0 && p.After == 0) ? x : nn.functional.pad(x, ChannelLayout.PadArgument(pads));
        }

        /// <summary>
        /// The convolution of a channels-first input, padded as <see cref="Padding"/> asks, with a libtorch-layout weight (see
        /// <see cref="ToTorchKernel"/>). A padding that is the same on both sides of every axis is left to libtorch's
        /// convolution, which saves copying the input into a padded tensor.
        /// </summary>
        public Tensor Convolve(Tensor x, Tensor weight, long groups = 1)
        {
            if (Padding != Padding.Valid)
            {
                var pads = Pads(x);
                if (pads.All(p => p.Before == p.After))
                    return Convolution(x, weight, StrideValues, DilationValues, groups, pads.Select(p => p.Before).ToArray());
            }
            return Convolution(Pad(x), weight, StrideValues, DilationValues, groups);
        }

        private (long Before, long After)[] Pads(Tensor x)
        {
            var pads = new (long Before, long After)[Rank];
            for (int i = 0; i < Rank; i++)
            {
                pads[i] = Padding == Padding.Causal
                    ? (DilatedKernel(i) - 1, 0)
                    : ChannelLayout.SamePadding(x.shape[2 + i], _kernelSize[i], _strides[i], _dilationRate[i]);
            }
            return pads;
        }

        /// <summary>
        /// A Keras kernel <c>(kernel..., a, b)</c> as libtorch's <c>(b, a, kernel...)</c>: a convolution kernel
        /// <c>(kernel..., in, out)</c> becomes libtorch's convolution weight, a transposed kernel <c>(kernel..., out, in)</c>
        /// libtorch's transposed-convolution weight. A view: gradients reach the Keras-layout weight.
        /// </summary>
        public static Tensor ToTorchKernel(Tensor kernel)
        {
            int rank = (int)kernel.ndim - 2;
            var order = new long[rank + 2];
            order[0] = rank + 1;
            order[1] = rank;
            for (int i = 0; i < rank; i++)
                order[2 + i] = i;
            return kernel.permute(order);
        }

        /// <summary>
        /// libtorch's convolution of a channels-first input with a libtorch-layout weight, and <paramref name="padding"/>
        /// zeros on both sides of each spatial axis (none by default: the input is already padded).
        /// </summary>
        public static Tensor Convolution(Tensor x, Tensor weight, long[] strides, long[] dilation, long groups, long[]? padding = null)
        {
            var pad = padding ?? new long[strides.Length];
            return strides.Length switch
            {
                1 => nn.functional.conv1d(x, weight, stride: strides[0], padding: pad[0], dilation: dilation[0], groups: groups),
                2 => nn.functional.conv2d(x, weight, strides: strides, padding: pad, dilation: dilation, groups: groups),
                _ => nn.functional.conv3d(x, weight, strides: strides, padding: pad, dilation: dilation, groups: groups),
            };
        }
    }
}
