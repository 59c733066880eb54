using System;
using Microsoft.ML.Layers.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Alpha dropout (Keras's <c>AlphaDropout</c>), the dropout of self-normalizing (SELU) networks: in training, dropped
    /// units are set to SELU's negative saturation value and the result is rescaled so that the mean and variance of the
    /// inputs are kept; the identity in inference.
    /// </summary>
    /// <remarks>
    /// <para>No weights. Input: any shape; output: the same. Masks pass through.</para>
    /// <para>With <c>alpha_p = -1.6732632423543772 * 1.0507009873554805</c> (SELU's <c>-alpha * scale</c>),
    /// <c>a = ((1 - rate) * (1 + rate * alpha_p^2))^-0.5</c> and <c>b = -a * alpha_p * rate</c>, training computes
    /// <c>a * (x * keep + alpha_p * (1 - keep)) + b</c>, where <c>keep</c> is 1 where a uniform draw on [0, 1) is at least
    /// <c>rate</c>. <c>noise_shape</c> shapes <c>keep</c> as on <see cref="Dropout"/>; seeds behave as on
    /// <see cref="Dropout"/> (the k-th seeded draw uses <c>seed + k</c>; the uniform draw is float32, as Keras's
    /// <c>random.uniform</c> on torch).</para>
    /// <para>A rate of 0 or 1 leaves the input unchanged in training too, as tf.keras 2 does (at 1, <c>a</c> is infinite;
    /// Keras 3 fails there).</para>
    /// <code>
    /// var layer = new AlphaDropout(0.1, seed: 3);
    /// Tensor y = layer.Apply(selu, training: true);
    /// </code>
    /// </remarks>
    [RegisterLayer("AlphaDropout")]
    public sealed class AlphaDropout : BaseDropout
    {
        /// <summary>SELU's <c>-alpha * scale</c>: the value dropped units take before the affine correction.</summary>
        public const double AlphaP = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946;

        /// <summary>Creates the layer.</summary>
        /// <param name="rate">The fraction of units to drop, in [0, 1].</param>
        /// <param name="noiseShape">The shape of the keep mask (with <see cref="Shape.Unknown"/> for the input's size), or
        /// <see langword="null"/> for the input's shape.</param>
        /// <param name="seed">The seed; <see langword="null"/> draws from the global generator.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is outside [0, 1], or a noise dimension is 0.</exception>
        public AlphaDropout(double rate, Shape? noiseShape = null, long? seed = null, string? name = null, bool trainable = true,
            ScalarType? dtype = null)
            : base(rate, noiseShape, seed, name, trainable, dtype)
        {
        }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            if (training != true || Rate <= 0 || Rate >= 1)
                return inputs.alias();
            var shape = NoiseShape is null ? inputs.shape : RandomNoise.ConcreteNoiseShape(this, inputs, NoiseShape);
            var keep = RandomNoise.Uniform(shape, Seeds).GeScalar(Rate).to(inputs.dtype);
            double a = Math.Pow((1 - Rate) * (1 + Rate * AlphaP * AlphaP), -0.5);
            double b = -a * AlphaP * Rate;
            return (inputs * keep).Plus(1.SubFrom(keep).MulScalar(AlphaP)).MulScalar(a).AddScalar(b);
        }
    }
}
