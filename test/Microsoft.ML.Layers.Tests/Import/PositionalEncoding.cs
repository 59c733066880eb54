using System;
using Microsoft.ML.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Import
{
    // The worked example of docs/keras-import.md ("A layer of your own"), exactly as a user writes it: a Keras
    // PositionalEncoding (sinusoidal, no weights) registered under its Keras class name, so a file containing it loads.
    [RegisterLayer("PositionalEncoding")]
    public sealed class PositionalEncoding : Layer
    {
        public PositionalEncoding(int sequenceLength, int dModel, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            SequenceLength = sequenceLength;
            DModel = dModel;
        }

        public int SequenceLength { get; }

        public int DModel { get; }

        // x + PE, PE[pos, 2i] = sin(pos / 10000^(2i / d_model)), PE[pos, 2i + 1] = cos(pos / 10000^(2i / d_model)).
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            var position = arange(inputs.shape[1], dtype: ScalarType.Float32, device: inputs.device).unsqueeze(1);
            var index = arange(DModel, dtype: ScalarType.Float32, device: inputs.device);
            var angle = position / pow(10000f, (index / 2).floor() * 2 / DModel);
            var even = (index.remainder(2) == 0).unsqueeze(0);
            return inputs + where(even, angle.sin(), angle.cos()).to(inputs.dtype);
        }

        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        public override LayerConfig GetConfig()
            => base.GetConfig().With("sequence_length", SequenceLength).With("d_model", DModel);
    }
}
