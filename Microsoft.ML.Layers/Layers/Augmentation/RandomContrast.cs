using System;
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
    public sealed class RandomContrast : Layer
    {
        private readonly SeedStream _seeds;
        private readonly double[] _valueRange;

        /// <summary>Creates the layer with the range <c>[1 - factor, 1 + factor]</c>.</summary>
        /// <param name="factor">The largest change of contrast, in [0, 1].</param>
        /// <param name="valueRange">The range the outputs are clipped to; <c>[0, 255]</c> by default.</param>
        /// <param name="seed">The seed; <see langword="null"/> draws from the global generator.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is outside [0, 1].</exception>
        /// <exception cref="ArgumentException"><paramref name="valueRange"/> is not two numbers.</exception>
        public RandomContrast(double factor, double[]? valueRange = null, long? seed = null, string? name = null, bool trainable = true,
            ScalarType? dtype = null)
            : this(valueRange, seed, name, trainable, dtype)
        {
            var range = ImageAugmentation.Symmetric(this, factor, 0.0, 1.0, "factor");
            Factor = (range.Upper, range.Upper);
        }

        /// <summary>Creates the layer with the range <c>[1 - lower, 1 + upper]</c>.</summary>
        /// <param name="factor">The pair <c>(lower, upper)</c>, sorted as Keras does; it must overlap [0, 1].</param>
        /// <param name="valueRange">The range the outputs are clipped to; <c>[0, 255]</c> by default.</param>
        /// <param name="seed">The seed; <see langword="null"/> draws from the global generator.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> misses [0, 1].</exception>
        /// <exception cref="ArgumentException"><paramref name="valueRange"/> is not two numbers.</exception>
        public RandomContrast((double Lower, double Upper) factor, double[]? valueRange = null, long? seed = null, string? name = null,
            bool trainable = true, ScalarType? dtype = null)
            : this(valueRange, seed, name, trainable, dtype)
            => Factor = ImageAugmentation.Pair(this, factor, 0.0, 1.0, "factor");

        private RandomContrast(double[]? valueRange, long? seed, string? name, bool trainable, ScalarType? dtype)
            : base(name, trainable, dtype)
        {
            _valueRange = ImageAugmentation.ValueRange(this, valueRange ?? new[] { 0.0, 255.0 });
            Seed = seed;
            _seeds = new SeedStream(seed);
        }

        /// <summary>The pair <c>(lower, upper)</c>: contrasts are drawn in <c>[1 - lower, 1 + upper]</c>.</summary>
        public (double Lower, double Upper) Factor { get; }

        /// <summary>The range the outputs are clipped to.</summary>
        public (double Low, double High) ValueRange => (_valueRange[0], _valueRange[1]);

        /// <summary>The seed, or <see langword="null"/>.</summary>
        public long? Seed { get; }

        /// <summary>Reads a config whose <c>factor</c> is a number (tf.keras) or a pair (Keras 3).</summary>
        /// <param name="config">The layer's config.</param>
        public static RandomContrast FromConfig(LayerConfig config)
        {
            ArgumentNullException.ThrowIfNull(config);
            config.RequireKnownKeys("factor", "value_range", "seed");
            var factor = ImageAugmentation.ReadFactor(config, "factor");
            var valueRange = config.Get<double[]?>("value_range", null);
            var seed = config.Get<long?>("seed", null);
            var layer = factor.Length == 1 ? new RandomContrast(factor[0], valueRange, seed, config.Name, config.Trainable)
                : new RandomContrast((factor[0], factor[1]), valueRange, seed, config.Name, config.Trainable);
            layer.ApplyBaseConfig(config, LayerConfig.BoundBaseKeys);
            return layer;
        }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            if (training != true)
                return inputs.alias();
            var images = ImageAugmentation.Batched(this, inputs, out bool unbatched);
            var contrast = ImageAugmentation.Uniform(new[] { images.shape[0], 1, 1, 1 }, 1.0 - Factor.Lower, 1.0 + Factor.Upper, _seeds)
                .to(images.dtype);
            var mean = images.mean(new long[] { 1 }, keepdim: true).mean(new long[] { 2 }, keepdim: true);
            var output = images.sub(mean).mul(contrast).Plus(mean).ClampScalar(_valueRange[0], _valueRange[1]);
            return unbatched ? output.squeeze(0) : output;
        }

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("factor", new[] { Factor.Lower, Factor.Upper })
            .With("value_range", _valueRange)
            .With("seed", Seed);
    }
}
