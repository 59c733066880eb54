using System.Linq;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Infrastructure
{
    /// <summary>
    /// The base of the spatial dropout layers (Keras's <c>BaseSpatialDropout</c>): dropout that drops whole feature maps,
    /// with a keep mask of size 1 along the spatial axes (the input's batch and channel sizes elsewhere), scaled by <c>1 / (1 - rate)</c>
    /// in
    /// training and the identity in inference.
    /// </summary>
    /// <remarks>
    /// Randomness is that of <see cref="Dropout"/> with a seed (Keras's bernoulli mask path). The config lists only
    /// <c>rate</c>, <c>seed</c>, <c>name</c> and <c>dtype</c> (the variable dtype's name), plus what a subclass adds, exactly as
    /// Keras 3 writes it (Keras's constructors take no <c>trainable</c>, so the key is not written). Masks pass through.
    /// </remarks>
    public abstract class BaseSpatialDropout : Layer, IOnnxExportable
    {
        private readonly SeedStream _seeds;
        private readonly bool _writesDataFormat;

        /// <summary>Creates the layer.</summary>
        /// <param name="rate">The fraction of feature maps to drop, in [0, 1].</param>
        /// <param name="rank">The input rank the layer accepts.</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="writesDataFormat">Whether the config holds <c>data_format</c> (Keras's <c>SpatialDropout1D</c> has none).</param>
        /// <param name="seed">The seed; <see langword="null"/> draws from the global generator.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for the constructor convention; the layer has no weights and Keras does not serialize it.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        private protected BaseSpatialDropout(double rate, int rank, DataFormat dataFormat, bool writesDataFormat, long? seed,
            string? name, bool trainable, ScalarType? dtype)
            : base(name, trainable, dtype)
        {
            Rate = RandomNoise.UnitInterval(rate, "rate");
            DataFormat = Arguments.DataFormat(dataFormat);
            _writesDataFormat = writesDataFormat;
            InputSpec = new InputSpec { NDim = rank };
            Seed = seed;
            _seeds = new SeedStream(seed);
            SupportsMasking = true;
        }

        /// <summary>The fraction of feature maps dropped in training.</summary>
        public double Rate { get; }

        /// <summary>The seed, or <see langword="null"/>.</summary>
        public long? Seed { get; }

        /// <summary>Where the channels (kept whole) are; always <see cref="Layers.DataFormat.ChannelsLast"/> for
        /// <see cref="SpatialDropout1D"/>.</summary>
        public DataFormat DataFormat { get; }

        /// <summary>The keep mask's shape for an input: its batch and channel sizes, 1 on the spatial axes.</summary>
        private Shape NoiseShapeFor(Tensor inputs)
        {
            int channelAxis = DataFormat == DataFormat.ChannelsFirst ? 1 : (int)inputs.ndim - 1;
            return new Shape(inputs.shape.Select((size, axis) => axis == 0 || axis == channelAxis ? size : 1));
        }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
            => training == true && Rate > 0 ? RandomNoise.Dropout(this, inputs, Rate, NoiseShapeFor(inputs), _seeds, seeded: true)
                : inputs.alias();

        /// <summary>The identity: the layer only acts in training.</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input) => input.Name;

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        /// <inheritdoc />
        public override LayerConfig GetConfig()
        {
            var config = base.GetConfig();
            foreach (var key in new[] { "trainable", "dynamic", "activity_regularizer" })
                config.Values.Remove(key);
            config.With("dtype", DTypes.ToKerasName(DType)).With("rate", Rate).With("seed", Seed);
            return _writesDataFormat ? config.With("data_format", DataFormat) : config;
        }
    }
}
