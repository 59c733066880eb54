using System;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Flattens each sample to one dimension (Keras's <c>Flatten</c>): <c>(batch, d1, ..., dk)</c> becomes
    /// <c>(batch, d1 * ... * dk)</c>; an input <c>(batch,)</c> becomes <c>(batch, 1)</c>.
    /// </summary>
    /// <remarks>
    /// No weights. With <c>channels_first</c>, the channel axis is moved last before flattening, so the order of the values
    /// matches a <c>channels_last</c> model. Masks are dropped, as in Keras.
    /// <code>
    /// Tensor y = new Flatten().Apply(torch.randn(8, 10, 64));   // (8, 640)
    /// </code>
    /// </remarks>
    [RegisterLayer("Flatten")]
    public sealed class Flatten : Layer, IOnnxExportable
    {
        /// <summary>Creates a flatten layer.</summary>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype floating inputs are cast to; the global policy by default.</param>
        /// <exception cref="ArgumentException"><paramref name="dataFormat"/> is not a data format.</exception>
        public Flatten(DataFormat dataFormat = DataFormat.ChannelsLast, string? name = null, bool trainable = true,
            ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            DataFormat = Arguments.DataFormat(dataFormat);
            InputSpec = new InputSpec { MinNDim = 1 };
        }

        /// <summary>Where the channels are (<see cref="Layers.DataFormat"/>).</summary>
        public DataFormat DataFormat { get; }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            int rank = (int)inputs.ndim;
            var x = DataFormat == DataFormat.ChannelsFirst && rank > 2 ? ChannelLayout.ToChannelsLast(inputs) : inputs;
            long features = inputs.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
            return x.reshape(inputs.shape[0], features);
        }

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape)
        {
            ArgumentNullException.ThrowIfNull(inputShape);
            var rest = inputShape[1..];
            return new Shape(inputShape[0], rest.ElementCount ?? Shape.Unknown);
        }

        /// <summary>ONNX: <c>Transpose</c> to channels last first (channels_first, rank above 2), then <c>Flatten</c> at axis 1.</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
        {
            int rank = input.Shape.Rank;
            var x = input.Name;
            if (DataFormat == DataFormat.ChannelsFirst && rank > 2)
                x = context.Transpose(x, Enumerable.Range(2, rank - 2).Select(a => (long)a).Prepend(0L).Append(1L).ToArray());
            return context.Node("Flatten", new[] { x }, new OnnxAttributes { { "axis", 1 } });
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig().With("data_format", DataFormat);
    }
}
