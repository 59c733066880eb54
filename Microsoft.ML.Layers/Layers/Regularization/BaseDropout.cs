using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Infrastructure
{
    /// <summary>
    /// The base of <see cref="Dropout"/> and <see cref="AlphaDropout"/>: a drop <c>rate</c> in [0, 1], an optional
    /// <c>noise_shape</c> for the keep mask, and a <c>seed</c> (see <see cref="Dropout"/> for how seeds draw). No weights;
    /// the output has the input's shape; masks pass through. The config holds <c>rate</c>, <c>seed</c> and
    /// <c>noise_shape</c>, as Keras writes them.
    /// </summary>
    public abstract class BaseDropout : Layer, IOnnxExportable
    {
        private protected BaseDropout(double rate, Shape? noiseShape, long? seed, string? name, bool trainable, ScalarType? dtype)
            : base(name, trainable, dtype)
        {
            Rate = RandomNoise.UnitInterval(rate, "rate");
            NoiseShape = RandomNoise.CheckNoiseShape(noiseShape);
            Seed = seed;
            Seeds = new SeedStream(seed);
            SupportsMasking = true;
        }

        /// <summary>The fraction of units dropped in training.</summary>
        public double Rate { get; }

        /// <summary>The shape of the keep mask, or <see langword="null"/> for the input's shape.</summary>
        public Shape? NoiseShape { get; }

        /// <summary>The seed, or <see langword="null"/>.</summary>
        public long? Seed { get; }

        /// <summary>The generators of the layer's successive draws.</summary>
        private protected SeedStream Seeds { get; }

        /// <summary>The identity: the layer only acts in training.</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input) => input.Name;

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("rate", Rate)
            .With("seed", Seed)
            .With("noise_shape", NoiseShape);
    }
}
