using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Adds zero-centred Gaussian noise in training (Keras's <c>GaussianNoise</c>): <c>inputs + N(0, stddev)</c>; the identity
    /// in inference.
    /// </summary>
    /// <remarks>
    /// No weights. Input: any shape; output: the same. Masks pass through. The noise is drawn in the compute dtype; seeds
    /// behave as on <see cref="Dropout"/> (with a seed, the k-th training call uses <c>seed + k</c>).
    /// <code>
    /// var noise = new GaussianNoise(0.1, seed: 3);
    /// Tensor y = noise.Apply(x, training: true);   // x plus noise of standard deviation 0.1
    /// </code>
    /// </remarks>
    [RegisterLayer("GaussianNoise")]
    public sealed class GaussianNoise : Layer, IOnnxExportable
    {
        private readonly SeedStream _seeds;

        /// <summary>Creates the layer.</summary>
        /// <param name="stddev">The noise's standard deviation, in [0, 1] as Keras requires.</param>
        /// <param name="seed">The seed; <see langword="null"/> draws from the global generator.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="stddev"/> is outside [0, 1].</exception>
        public GaussianNoise(double stddev, long? seed = null, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            Stddev = RandomNoise.UnitInterval(stddev, "stddev");
            Seed = seed;
            _seeds = new SeedStream(seed);
            SupportsMasking = true;
        }

        /// <summary>The noise's standard deviation.</summary>
        public double Stddev { get; }

        /// <summary>The seed, or <see langword="null"/>.</summary>
        public long? Seed { get; }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
            => training == true && Stddev > 0 ? inputs.Plus(RandomNoise.Normal(inputs.shape, 0.0, Stddev, ComputeDType, _seeds))
                : inputs.alias();

        /// <summary>The identity: the layer only acts in training.</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input) => input.Name;

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig().With("stddev", Stddev).With("seed", Seed);
    }
}
