using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Infrastructure
{
    /// <summary>
    /// A sliding-window pooling (Keras's <c>BasePooling</c>), base of the max and average pooling layers: each output cell is
    /// the maximum or the mean of a <c>pool_size</c> window of the input, moved by <c>strides</c>, per channel.
    /// </summary>
    /// <remarks>
    /// <para>Output size per spatial axis: <c>floor((n - pool) / stride) + 1</c> with <c>valid</c> padding, <c>ceil(n / stride)</c>
    /// with <c>same</c>. <c>same</c> pads as TensorFlow does (the odd element at the end), and padded cells never count: they
    /// are ignored by the maximum and excluded from the mean's divisor.</para>
    /// <para>Input <c>(batch, spatial..., channels)</c> (<c>channels_last</c>, the default) or <c>(batch, channels, spatial...)</c>;
    /// the output keeps the layout and the channel count. No weights; masks are dropped, as in Keras.</para>
    /// </remarks>
    public abstract class BasePooling : Layer, IOnnxExportable
    {
        private readonly int[] _poolSize;
        private readonly int[] _strides;
        private readonly bool _max;

        /// <summary>Checks and stores the pooling arguments.</summary>
        /// <param name="rank">The number of spatial axes: 1, 2 or 3.</param>
        /// <param name="max">Whether the window's maximum (else its mean) is taken.</param>
        /// <param name="poolSize">The window size: one value or one per axis; positive.</param>
        /// <param name="strides">The window's steps; null for <paramref name="poolSize"/>.</param>
        /// <param name="padding"><see cref="Layers.Padding.Valid"/> or <see cref="Layers.Padding.Same"/>.</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="name">The layer name.</param>
        /// <param name="trainable">Kept for Keras compatibility (there are no weights).</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        private protected BasePooling(int rank, bool max, IntTuple poolSize, IntTuple? strides, Padding padding, DataFormat dataFormat,
            string? name, bool trainable, ScalarType? dtype)
            : base(name, trainable, dtype)
        {
            Rank = rank;
            _max = max;
            _poolSize = Arguments.PositiveTuple(poolSize, rank, "pool_size");
            _strides = Arguments.PositiveTuple(strides ?? poolSize, rank, "strides");
            Padding = Arguments.Padding(padding);
            DataFormat = Arguments.DataFormat(dataFormat);
            InputSpec = new InputSpec { NDim = rank + 2 };
        }

        /// <summary>The number of spatial axes.</summary>
        public int Rank { get; }

        /// <summary>The window size, one value per spatial axis.</summary>
        public IntTuple PoolSize => new(_poolSize);

        /// <summary>The window's steps, one value per spatial axis.</summary>
        public IntTuple Strides => new(_strides);

        /// <summary><see cref="Layers.Padding.Valid"/> or <see cref="Layers.Padding.Same"/>.</summary>
        public Padding Padding { get; }

        /// <summary>Where the channels are (<see cref="Layers.DataFormat"/>).</summary>
        public DataFormat DataFormat { get; }

        /// <inheritdoc />
        protected sealed override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            ComputeOutputShape(Shape.Of(inputs)); // windows larger than the input fail here, naming the layer
            bool channelsLast = DataFormat == DataFormat.ChannelsLast;
            var x = channelsLast ? ChannelLayout.ToChannelsFirst(inputs) : inputs;
            var pads = Enumerable.Range(0, Rank)
                .Select(i => Padding == Padding.Same ? ChannelLayout.SamePadding(x.shape[2 + i], _poolSize[i], _strides[i], 1) : (0L, 0L))
                .ToArray();
            bool padded = pads.Any(p => p.Item1 != 0 || p.Item2 != 0);
            Tensor outputs;
            if (_max)
            {
                // Padded cells are -inf: they never win the maximum (TensorFlow ignores them).
                outputs = MaxPool(padded ? nn.functional.pad(x, ChannelLayout.PadArgument(pads), value: double.NegativeInfinity) : x);
            }
            else if (!padded)
            {
                outputs = AveragePool(x);
            }
            else
            {
                // TensorFlow divides each window's sum by the number of real cells in it, not by the window size.
                var sums = SumPool(nn.functional.pad(x, ChannelLayout.PadArgument(pads)));
                using var ones = torch.ones(new long[] { 1, 1 }.Concat(x.shape.Skip(2)).ToArray(), dtype: x.dtype);
                var counts = SumPool(nn.functional.pad(ones, ChannelLayout.PadArgument(pads)));
                outputs = sums / counts;
            }
            return channelsLast ? ChannelLayout.ToChannelsLast(outputs) : outputs;
        }

        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
        {
            bool channelsLast = DataFormat == DataFormat.ChannelsLast;
            var x = channelsLast ? SpatialOnnx.ToChannelsFirst(context, input.Name, Rank) : input.Name;
            var attributes = new OnnxAttributes { { "kernel_shape", PoolValues }, { "strides", StrideValues } };
            // MaxPool ignores padded cells; AveragePool leaves them out of the divisor with count_include_pad = 0 (TensorFlow's mean).
            if (!_max)
                attributes.Add("count_include_pad", 0L);
            var ones = Enumerable.Repeat(1L, Rank).ToArray();
            SpatialOnnx.AddPadding(attributes, Padding, SpatialOnnx.SpatialSizes(input.Shape, DataFormat, Rank), PoolValues, StrideValues,
                ones);
            x = context.Node(_max ? "MaxPool" : "AveragePool", new[] { x }, attributes);
            return channelsLast ? SpatialOnnx.ToChannelsLast(context, x, Rank) : x;
        }

        private long[] PoolValues => _poolSize.Select(v => (long)v).ToArray();

        private long[] StrideValues => _strides.Select(v => (long)v).ToArray();

        private Tensor MaxPool(Tensor x) => Rank switch
        {
            1 => nn.functional.max_pool1d(x, _poolSize[0], stride: _strides[0]),
            2 => nn.functional.max_pool2d(x, PoolValues, strides: StrideValues),
            _ => nn.functional.max_pool3d(x, PoolValues, strides: StrideValues),
        };

        private Tensor AveragePool(Tensor x) => Rank switch
        {
            1 => nn.functional.avg_pool1d(x, _poolSize[0], stride: _strides[0]),
            2 => nn.functional.avg_pool2d(x, PoolValues, stride: StrideValues),
            _ => InFloat32IfReduced(x, v => nn.functional.avg_pool3d(v, PoolValues, stride: StrideValues)),
        };

        /// <summary>Each window's sum (an average pool with divisor 1; 1-D windows go through the 2-D op, which has the divisor).</summary>
        private Tensor SumPool(Tensor x) => Rank switch
        {
            1 => nn.functional.avg_pool2d(x.unsqueeze(2), new long[] { 1, _poolSize[0] }, stride: new long[] { 1, _strides[0] },
                divisor_override: 1).squeeze(2),
            2 => nn.functional.avg_pool2d(x, PoolValues, stride: StrideValues, divisor_override: 1),
            _ => InFloat32IfReduced(x, v => nn.functional.avg_pool3d(v, PoolValues, stride: StrideValues, divisor_override: 1)),
        };

        /// <summary>
        /// libtorch has no CPU kernel of the 3-D average pool for bfloat16 and float16: those run in float32 and are rounded
        /// back (the sums are then more exact than a reduced-precision accumulation, never less).
        /// </summary>
        private static Tensor InFloat32IfReduced(Tensor x, Func<Tensor, Tensor> pool)
            => x.dtype is ScalarType.BFloat16 or ScalarType.Float16 ? pool(x.to(ScalarType.Float32)).to(x.dtype) : pool(x);

        /// <inheritdoc />
        /// <exception cref="ArgumentException">The rank is not <c>Rank + 2</c>, or an output size would be zero or negative.</exception>
        public override Shape ComputeOutputShape(Shape inputShape)
        {
            ArgumentNullException.ThrowIfNull(inputShape);
            if (inputShape.Rank != Rank + 2)
                throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) expects inputs of rank {Rank + 2}. Received: " +
                    $"input_shape={inputShape}.");
            int firstSpatial = DataFormat == DataFormat.ChannelsLast ? 1 : 2;
            var dims = inputShape.ToArray();
            for (int i = 0; i < Rank; i++)
            {
                long n = inputShape[firstSpatial + i];
                if (n == Shape.Unknown)
                    continue;
                long size = Padding == Padding.Same ? (n + _strides[i] - 1) / _strides[i]
                    : (n < _poolSize[i] ? 0 : (n - _poolSize[i]) / _strides[i] + 1);
                if (size <= 0)
                {
                    throw new ArgumentException($"Layer '{Name}' ({GetType().Name}): computed output size would be zero or negative. " +
                        $"Received: inputs.shape={inputShape}, pool_size={PoolSize}, strides={Strides}, " +
                        $"padding={KerasEnum.Describe(Padding)}.");
                }
                dims[firstSpatial + i] = size;
            }
            return new Shape(dims);
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("pool_size", PoolSize)
            .With("padding", Padding)
            .With("strides", Strides)
            .With("data_format", DataFormat);
    }
}
