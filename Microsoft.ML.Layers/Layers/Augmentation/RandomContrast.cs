using Microsoft.ML.Layers.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Scales each image's contrast by a random factor in training (Keras's <c>RandomContrast</c>); the identity in inference.
    /// </summary>
    /// <remarks>
    /// <para>Per image, a contrast <c>c</c> is drawn uniformly in <c>[1 - lower, 1 + upper]</c>, and each value becomes
    /// <c>clip((x - mean) c + mean, value_range)</c>, <c>mean</c> being the mean of its channel over the image's height and width.
    /// A number <c>f</c> in [0, 1] gives <c>lower = upper = f</c> (the range Keras documents, and tf.keras's); a pair is sorted
    /// and used as Keras 3 uses it. The config holds the pair, so a file read back draws from the same range.
    /// Seeds behave as on <see cref="Dropout"/>.</para>
    /// <para>No weights. Input: <c>(H, W, C)</c> or <c>(N, H, W, C)</c>, channels last; output: the same shape.</para>
    /// <code>
    /// var contrast = new RandomContrast(0.2, valueRange: new[] { 0.0, 1.0 }, seed: 2);   // contrast in [0.8, 1.2]
    /// Tensor y = contrast.Apply(images, training: true);
    /// </code>
    /// </remarks>
    [RegisterLayer("RandomContrast")]
    public sealed class RandomContrast : BaseRandomColor
    {
        /// <summary>Creates the layer with the range <c>[1 - factor, 1 + factor]</c>.</summary>
        /// <param name="factor">The largest change of contrast, in [0, 1].</param>
        /// <param name="valueRange">The range the outputs are clipped to; <c>[0, 255]</c> by default.</param>
        /// <param name="seed">The seed; <see langword="null"/> draws from the global generator.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="factor"/> is outside [0, 1].</exception>
        /// <exception cref="System.ArgumentException"><paramref name="valueRange"/> is not two numbers.</exception>
        public RandomContrast(double factor, double[]? valueRange = null, long? seed = null, string? name = null, bool trainable = true,
            ScalarType? dtype = null)
            : this(new[] { factor }, valueRange, seed, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer with the range <c>[1 - lower, 1 + upper]</c>.</summary>
        /// <param name="factor">The pair <c>(lower, upper)</c>, sorted as Keras does; it must overlap [0, 1].</param>
        /// <param name="valueRange">The range the outputs are clipped to; <c>[0, 255]</c> by default.</param>
        /// <param name="seed">The seed; <see langword="null"/> draws from the global generator.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="factor"/> misses [0, 1].</exception>
        /// <exception cref="System.ArgumentException"><paramref name="valueRange"/> is not two numbers.</exception>
        public RandomContrast((double Lower, double Upper) factor, double[]? valueRange = null, long? seed = null, string? name = null,
            bool trainable = true, ScalarType? dtype = null)
            : this(new[] { factor.Lower, factor.Upper }, valueRange, seed, name, trainable, dtype)
        {
        }

        private RandomContrast(double[] factor, double[]? valueRange, long? seed, string? name, bool trainable, ScalarType? dtype)
            : base(factor, (0.0, 1.0), numberGivesEqualBounds: true, valueRange, sortValueRange: false, seed, name, trainable, dtype)
        {
        }

        /// <summary>Reads a config whose <c>factor</c> is a number (tf.keras) or a pair (Keras 3).</summary>
        /// <param name="config">The layer's config.</param>
        public static RandomContrast FromConfig(LayerConfig config)
            => Read(config, (factor, valueRange, seed, name, trainable) => new RandomContrast(factor, valueRange, seed, name, trainable,
                null));

        private protected override Tensor Adjust(Tensor images)
        {
            var contrast = ImageAugmentation.Uniform(new[] { images.shape[0], 1, 1, 1 }, 1.0 - Factor.Lower, 1.0 + Factor.Upper, Seeds)
                .to(images.dtype);
            var mean = images.mean(new long[] { 1 }, keepdim: true).mean(new long[] { 2 }, keepdim: true);
            return images.sub(mean).mul(contrast).Plus(mean);
        }
    }
}
