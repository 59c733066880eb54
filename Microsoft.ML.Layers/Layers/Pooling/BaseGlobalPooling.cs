using System;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Infrastructure
{
    /// <summary>
    /// A pooling over every spatial position (Keras's <c>BaseGlobalPooling</c>), base of the global max and average pooling
    /// layers: one value per channel, with the spatial axes dropped or, with <c>keepdims</c>, kept with size 1.
    /// </summary>
    /// <remarks>
    /// Input <c>(batch, spatial..., channels)</c> (<c>channels_last</c>, the default) or <c>(batch, channels, spatial...)</c>;
    /// output <c>(batch, channels)</c>, or with <c>keepdims</c> <c>(batch, 1..., channels)</c> / <c>(batch, channels, 1...)</c>. No
    /// weights.
    /// </remarks>
    public abstract class BaseGlobalPooling : Layer, IOnnxExportable
    {
        /// <summary>Checks and stores the arguments.</summary>
        /// <param name="rank">The number of spatial axes.</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="keepDims">Whether the spatial axes are kept with size 1.</param>
        /// <param name="name">The layer name.</param>
        /// <param name="trainable">Kept for Keras compatibility (there are no weights).</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        private protected BaseGlobalPooling(int rank, DataFormat dataFormat, bool keepDims, string? name, bool trainable, ScalarType? dtype)
            : base(name, trainable, dtype)
        {
            Rank = rank;
            DataFormat = Arguments.DataFormat(dataFormat);
            KeepDims = keepDims;
            InputSpec = new InputSpec { NDim = rank + 2 };
        }

        /// <summary>The number of spatial axes.</summary>
        public int Rank { get; }

        /// <summary>Where the channels are (<see cref="Layers.DataFormat"/>).</summary>
        public DataFormat DataFormat { get; }

        /// <summary>Whether the spatial axes are kept with size 1.</summary>
        public bool KeepDims { get; }

        /// <summary>The spatial axes of the input, for the reduction.</summary>
        private protected long[] SpatialAxes
        {
            get
            {
                int first = DataFormat == DataFormat.ChannelsLast ? 1 : 2;
                return Enumerable.Range(first, Rank).Select(a => (long)a).ToArray();
            }
        }

        /// <summary>The ONNX reduction this pooling is (<c>ReduceMean</c> or <c>ReduceMax</c>).</summary>
        private protected abstract string OnnxReduction { get; }

        // Masks are not exported: a masked global average is written as the plain mean.
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
            => context.Reduce(OnnxReduction, input.Name, SpatialAxes, KeepDims);

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape)
        {
            ArgumentNullException.ThrowIfNull(inputShape);
            if (inputShape.Rank != Rank + 2)
                throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) expects inputs of rank {Rank + 2}. Received: " +
                    $"input_shape={inputShape}.");
            bool channelsLast = DataFormat == DataFormat.ChannelsLast;
            long channels = channelsLast ? inputShape[-1] : inputShape[1];
            if (!KeepDims)
                return new Shape(inputShape[0], channels);
            var ones = Enumerable.Repeat(1L, Rank);
            return channelsLast
                ? new Shape(new[] { inputShape[0] }.Concat(ones).Append(channels))
                : new Shape(new[] { inputShape[0], channels }.Concat(ones));
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("data_format", DataFormat)
            .With("keepdims", KeepDims);
    }
}
