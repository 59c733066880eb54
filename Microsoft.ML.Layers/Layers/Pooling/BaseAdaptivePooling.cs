using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Infrastructure
{
    /// <summary>
    /// A pooling to a fixed output size (Keras's <c>BaseAdaptivePooling</c>), base of the adaptive average and max pooling
    /// layers: whatever the input's spatial sizes, each spatial axis is cut into <c>output_size</c> bins and each bin gives its
    /// mean or its maximum, per channel.
    /// </summary>
    /// <remarks>
    /// <para>The bins are Keras's (on every backend) and PyTorch's: on an axis of length <c>n</c> pooled to <c>m</c> cells, cell
    /// <c>i</c> covers <c>[floor(i * n / m), ceil((i + 1) * n / m))</c>, so neighbouring bins may overlap by one cell when
    /// <c>m</c> does not divide <c>n</c>, and cells repeat when <c>m &gt; n</c>. A box of several axes is the product of its axes'
    /// bins.</para>
    /// <para>Input <c>(batch, spatial..., channels)</c> (<c>channels_last</c>, the default) or <c>(batch, channels, spatial...)</c>;
    /// output <c>(batch, output_size..., channels)</c> in the input's layout. No weights; masks are dropped, as in Keras.</para>
    /// <para>ONNX has no adaptive pooling: the export writes a plain <c>AveragePool</c> or <c>MaxPool</c> when every spatial size
    /// is known and a multiple of its output size (the bins are then equal windows, <c>n / m</c> wide and apart), and refuses
    /// otherwise.</para>
    /// </remarks>
    public abstract class BaseAdaptivePooling : Layer, IOnnxExportable
    {
        private readonly int[] _outputSize;
        private readonly bool _max;

        /// <summary>Checks and stores the arguments.</summary>
        /// <param name="rank">The number of spatial axes: 1, 2 or 3.</param>
        /// <param name="max">Whether each bin's maximum (else its mean) is taken.</param>
        /// <param name="outputSize">The output's spatial sizes: one value or one per axis; positive.</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="name">The layer name.</param>
        /// <param name="trainable">Kept for Keras compatibility (there are no weights).</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        private protected BaseAdaptivePooling(int rank, bool max, IntTuple outputSize, DataFormat dataFormat, string? name, bool trainable,
            ScalarType? dtype)
            : base(name, trainable, dtype)
        {
            Rank = rank;
            _max = max;
            _outputSize = Arguments.PositiveTuple(outputSize, rank, "output_size");
            DataFormat = Arguments.DataFormat(dataFormat);
            InputSpec = new InputSpec { NDim = rank + 2 };
        }

        /// <summary>The number of spatial axes.</summary>
        public int Rank { get; }

        /// <summary>The output's spatial sizes, one per spatial axis.</summary>
        public IntTuple OutputSize => new(_outputSize);

        /// <summary>Where the channels are (<see cref="Layers.DataFormat"/>).</summary>
        public DataFormat DataFormat { get; }

        private long[] OutputSizeValues => _outputSize.Select(v => (long)v).ToArray();

        /// <inheritdoc />
        protected sealed override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            ComputeOutputShape(Shape.Of(inputs));
            bool channelsLast = DataFormat == DataFormat.ChannelsLast;
            var x = channelsLast ? ChannelLayout.ToChannelsFirst(inputs) : inputs;
            var outputs = (Rank, _max) switch
            {
                (1, true) => nn.functional.adaptive_max_pool1d(x, _outputSize[0]),
                (2, true) => nn.functional.adaptive_max_pool2d(x, OutputSizeValues),
                (_, true) => AdaptiveMaxPool3D(x, OutputSizeValues),
                (1, false) => nn.functional.adaptive_avg_pool1d(x, _outputSize[0]),
                (2, false) => nn.functional.adaptive_avg_pool2d(x, OutputSizeValues),
                _ => nn.functional.adaptive_avg_pool3d(x, OutputSizeValues),
            };
            return channelsLast ? ChannelLayout.ToChannelsLast(outputs) : outputs;
        }

        /// <summary>
        /// The 3-D adaptive maximum of a channels-first input, as the 2-D one over (height, width) and then the 1-D one over depth:
        /// a box's maximum is the maximum over its depth bin of its (height, width) maxima, exactly. TorchSharp 0.107's
        /// <c>adaptive_max_pool3d</c> calls libtorch's 1-D kernel and fails on every 5-D input.
        /// </summary>
        private static Tensor AdaptiveMaxPool3D(Tensor x, long[] outputSize)
        {
            long batch = x.shape[0], channels = x.shape[1], depth = x.shape[2];
            var planes = nn.functional.adaptive_max_pool2d(x.reshape(batch * channels * depth, 1, x.shape[3], x.shape[4]),
                new[] { outputSize[1], outputSize[2] });
            // (batch * channels, height * width cells, depth) for the 1-D pooling over depth.
            var columns = planes.reshape(batch * channels, depth, outputSize[1] * outputSize[2]).transpose(1, 2);
            var pooled = nn.functional.adaptive_max_pool1d(columns, outputSize[0]);
            return pooled.transpose(1, 2).reshape(batch, channels, outputSize[0], outputSize[1], outputSize[2]);
        }

        /// <inheritdoc />
        /// <exception cref="ArgumentException">The rank is not <c>Rank + 2</c>.</exception>
        public override Shape ComputeOutputShape(Shape inputShape)
        {
            ArgumentNullException.ThrowIfNull(inputShape);
            if (inputShape.Rank != Rank + 2)
                throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) expects inputs of rank {Rank + 2}. Received: " +
                    $"input_shape={inputShape}.");
            var dims = new List<long> { inputShape[0] };
            if (DataFormat == DataFormat.ChannelsLast)
                return new Shape(dims.Concat(OutputSizeValues).Append(inputShape[-1]));
            return new Shape(dims.Append(inputShape[1]).Concat(OutputSizeValues));
        }

        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
        {
            var sizes = SpatialOnnx.SpatialSizes(input.Shape, DataFormat, Rank);
            var windows = new long[Rank];
            for (int i = 0; i < Rank; i++)
            {
                if (sizes[i] == Shape.Unknown || sizes[i] % _outputSize[i] != 0)
                {
                    throw context.Unsupported("ONNX has no adaptive pooling; it is written as a plain pooling only when every spatial " +
                        $"size is known and a multiple of its output size. Received: input_shape={input.Shape}, output_size={OutputSize}.");
                }
                windows[i] = sizes[i] / _outputSize[i];
            }
            bool channelsLast = DataFormat == DataFormat.ChannelsLast;
            var x = channelsLast ? SpatialOnnx.ToChannelsFirst(context, input.Name, Rank) : input.Name;
            // Equal bins: a window as wide as its stride, without padding.
            var attributes = new OnnxAttributes { { "kernel_shape", windows }, { "strides", windows } };
            x = context.Node(_max ? "MaxPool" : "AveragePool", new[] { x }, attributes);
            return channelsLast ? SpatialOnnx.ToChannelsLast(context, x, Rank) : x;
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("output_size", OutputSize)
            .With("data_format", DataFormat);
    }
}
