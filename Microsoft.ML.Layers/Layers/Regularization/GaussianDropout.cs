using System;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Multiplies by one-centred Gaussian noise in training (Keras's <c>GaussianDropout</c>):
    /// <c>inputs * N(1, sqrt(rate / (1 - rate)))</c>; the identity in inference.
    /// </summary>
    /// <remarks>
    /// No weights. Input: any shape; output: the same. Masks pass through. The noise is drawn in the compute dtype; seeds
    /// behave as on <see cref="Dropout"/>.
    /// <code>
    /// var layer = new GaussianDropout(0.2);
    /// Tensor y = layer.Apply(x, training: true);   // x times noise of mean 1 and standard deviation 0.5
    /// </code>
    /// </remarks>
    [RegisterLayer("GaussianDropout")]
    public sealed class GaussianDropout : Layer, IOnnxExportable
    {
        private readonly SeedStream _seeds;

        /// <summary>Creates the layer.</summary>
        /// <param name="rate">The drop probability it imitates, in [0, 1): the noise's standard deviation is
        /// <c>sqrt(rate / (1 - rate))</c>, infinite at 1 (Keras accepts 1 and then fails dividing by zero in training).</param>
        /// <param name="seed">The seed; <see langword="null"/> draws from the global generator.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is outside [0, 1).</exception>
        public GaussianDropout(double rate, long? seed = null, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            Rate = RandomNoise.UnitInterval(rate, "rate");
            if (Rate == 1)
            {
                throw new ArgumentOutOfRangeException(nameof(rate),
                    "Invalid value received for argument `rate`. Expected a float value between 0 and 1, below 1: the noise's standard " +
                    "deviation sqrt(rate / (1 - rate)) is infinite at 1. Received: rate=1");
            }
            Seed = seed;
            _seeds = new SeedStream(seed);
            SupportsMasking = true;
        }

        /// <summary>The drop probability the noise imitates.</summary>
        public double Rate { get; }

        /// <summary>The seed, or <see langword="null"/>.</summary>
        public long? Seed { get; }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            if (training != true || Rate <= 0)
                return inputs.alias();
            double stddev = Math.Sqrt(Rate / (1.0 - Rate));
            return inputs * RandomNoise.Normal(inputs.shape, 1.0, stddev, ComputeDType, _seeds);
        }

        /// <summary>The identity: the layer only acts in training.</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input) => input.Name;

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig().With("rate", Rate).With("seed", Seed);
    }
}
