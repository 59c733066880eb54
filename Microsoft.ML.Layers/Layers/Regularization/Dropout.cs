using System;
using Microsoft.ML.Layers.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Applies dropout (Keras's <c>Dropout</c>): in training, each input unit is set to 0 with probability <c>rate</c> and
    /// the others are scaled by <c>1 / (1 - rate)</c>, so the sum is unchanged on average; in inference the input passes unchanged.
    /// </summary>
    /// <remarks>
    /// <para>No weights. Input: any shape; output: the same shape. Masks pass through.</para>
    /// <para><c>noise_shape</c> shapes the keep mask, broadcast over the input (an unknown entry takes the input's size): with
    /// <c>(batch, 1, features)</c> the same units are dropped at every timestep.</para>
    /// <para>Randomness follows Keras 3's torch backend: with a <c>seed</c>, the k-th training call draws its mask from a
    /// generator seeded with <c>seed + k</c>, so the layer is reproducible on its own and matches Keras on the CPU; without a
    /// seed it draws from TorchSharp's global generator (reproducible through <c>torch.manual_seed</c>).</para>
    /// <code>
    /// var dropout = new Dropout(0.5, seed: 1337);
    /// Tensor train = dropout.Apply(x, training: true);   // about half zeros, the rest doubled
    /// Tensor infer = dropout.Apply(x);                   // x unchanged
    /// </code>
    /// </remarks>
    [RegisterLayer("Dropout")]
    public sealed class Dropout : BaseDropout
    {
        /// <summary>Creates a dropout layer.</summary>
        /// <param name="rate">The fraction of units to drop, in [0, 1].</param>
        /// <param name="noiseShape">The shape of the keep mask (with <see cref="Shape.Unknown"/> for the input's size), or
        /// <see langword="null"/> for the input's shape.</param>
        /// <param name="seed">The seed; <see langword="null"/> draws from the global generator.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is outside [0, 1], or a noise dimension is 0.</exception>
        public Dropout(double rate, Shape? noiseShape = null, long? seed = null, string? name = null, bool trainable = true,
            ScalarType? dtype = null)
            : base(rate, noiseShape, seed, name, trainable, dtype)
        {
        }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
            => training == true && Rate > 0 ? RandomNoise.Dropout(this, inputs, Rate, NoiseShape, Seeds, Seed is not null) : inputs.alias();
    }
}
