using Microsoft.ML.Layers.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Shifts each image's brightness by a random amount in training (Keras's <c>RandomBrightness</c>); the identity in
    /// inference.
    /// </summary>
    /// <remarks>
    /// <para>Per image, <c>d</c> is drawn uniformly in <c>[lower, upper]</c> and every value becomes
    /// <c>clip(x + d (high - low), low, high)</c> with <c>(low, high)</c> the sorted <c>value_range</c>: <c>d = -1</c> gives a
    /// black image, <c>d = 1</c> a white one. A number <c>f</c> in [-1, 1] gives <c>[-|f|, |f|]</c>; a pair is sorted. Seeds
    /// behave as on <see cref="Dropout"/>.</para>
    /// <para>No weights. Input: <c>(H, W, C)</c> or <c>(N, H, W, C)</c>; output: the same shape.</para>
    /// <code>
    /// var brightness = new RandomBrightness(0.2, valueRange: new[] { 0.0, 1.0 }, seed: 4);
    /// Tensor y = brightness.Apply(images, training: true);
    /// </code>
    /// </remarks>
    [RegisterLayer("RandomBrightness")]
    public sealed class RandomBrightness : BaseRandomColor
    {
        /// <summary>Creates the layer with the range <c>[-|factor|, |factor|]</c>.</summary>
        /// <param name="factor">The largest shift, as a fraction of the value range, in [-1, 1].</param>
        /// <param name="valueRange">The range of the inputs, which outputs are clipped to; <c>[0, 255]</c> by default.</param>
        /// <param name="seed">The seed; <see langword="null"/> draws from the global generator.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="factor"/> is outside [-1, 1].</exception>
        /// <exception cref="System.ArgumentException"><paramref name="valueRange"/> is not two numbers.</exception>
        public RandomBrightness(double factor, double[]? valueRange = null, long? seed = null, string? name = null, bool trainable = true,
            ScalarType? dtype = null)
            : this(new[] { factor }, valueRange, seed, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer with the range <c>[lower, upper]</c>.</summary>
        /// <param name="factor">The pair <c>(lower, upper)</c>, sorted as Keras does; it must overlap [-1, 1].</param>
        /// <param name="valueRange">The range of the inputs, which outputs are clipped to; <c>[0, 255]</c> by default.</param>
        /// <param name="seed">The seed; <see langword="null"/> draws from the global generator.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="factor"/> misses [-1, 1].</exception>
        /// <exception cref="System.ArgumentException"><paramref name="valueRange"/> is not two numbers.</exception>
        public RandomBrightness((double Lower, double Upper) factor, double[]? valueRange = null, long? seed = null, string? name = null,
            bool trainable = true, ScalarType? dtype = null)
            : this(new[] { factor.Lower, factor.Upper }, valueRange, seed, name, trainable, dtype)
        {
        }

        private RandomBrightness(double[] factor, double[]? valueRange, long? seed, string? name, bool trainable, ScalarType? dtype)
            : base(factor, (-1.0, 1.0), numberGivesEqualBounds: false, valueRange, sortValueRange: true, seed, name, trainable, dtype)
        {
        }

        /// <summary>Reads a config whose <c>factor</c> is a number (tf.keras) or a pair (Keras 3).</summary>
        /// <param name="config">The layer's config.</param>
        public static RandomBrightness FromConfig(LayerConfig config)
            => Read(config, (factor, valueRange, seed, name, trainable) => new RandomBrightness(factor, valueRange, seed, name, trainable,
                null));

        private protected override Tensor Adjust(Tensor images)
        {
            var delta = ImageAugmentation.Uniform(new[] { images.shape[0], 1, 1, 1 }, Factor.Lower, Factor.Upper, Seeds)
                .MulScalar(ValueRange.High - ValueRange.Low).to(images.dtype);
            return images.Plus(delta);
        }
    }
}
