using System;
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
    public sealed class RandomBrightness : Layer
    {
        private readonly SeedStream _seeds;
        private readonly double[] _valueRange;

        /// <summary>Creates the layer with the range <c>[-|factor|, |factor|]</c>.</summary>
        /// <param name="factor">The largest shift, as a fraction of the value range, in [-1, 1].</param>
        /// <param name="valueRange">The range of the inputs, which outputs are clipped to; <c>[0, 255]</c> by default.</param>
        /// <param name="seed">The seed; <see langword="null"/> draws from the global generator.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is outside [-1, 1].</exception>
        /// <exception cref="ArgumentException"><paramref name="valueRange"/> is not two numbers.</exception>
        public RandomBrightness(double factor, double[]? valueRange = null, long? seed = null, string? name = null, bool trainable = true,
            ScalarType? dtype = null)
            : this(valueRange, seed, name, trainable, dtype)
            => Factor = ImageAugmentation.Symmetric(this, factor, -1.0, 1.0, "factor");

        /// <summary>Creates the layer with the range <c>[lower, upper]</c>.</summary>
        /// <param name="factor">The pair <c>(lower, upper)</c>, sorted as Keras does; it must overlap [-1, 1].</param>
        /// <param name="valueRange">The range of the inputs, which outputs are clipped to; <c>[0, 255]</c> by default.</param>
        /// <param name="seed">The seed; <see langword="null"/> draws from the global generator.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> misses [-1, 1].</exception>
        /// <exception cref="ArgumentException"><paramref name="valueRange"/> is not two numbers.</exception>
        public RandomBrightness((double Lower, double Upper) factor, double[]? valueRange = null, long? seed = null, string? name = null,
            bool trainable = true, ScalarType? dtype = null)
            : this(valueRange, seed, name, trainable, dtype)
            => Factor = ImageAugmentation.Pair(this, factor, -1.0, 1.0, "factor");

        private RandomBrightness(double[]? valueRange, long? seed, string? name, bool trainable, ScalarType? dtype)
            : base(name, trainable, dtype)
        {
            var range = ImageAugmentation.ValueRange(this, valueRange ?? new[] { 0.0, 255.0 });
            Array.Sort(range);
            _valueRange = range;
            Seed = seed;
            _seeds = new SeedStream(seed);
        }

        /// <summary>The range of shifts, as fractions of the value range.</summary>
        public (double Lower, double Upper) Factor { get; }

        /// <summary>The sorted range of the values.</summary>
        public (double Low, double High) ValueRange => (_valueRange[0], _valueRange[1]);

        /// <summary>The seed, or <see langword="null"/>.</summary>
        public long? Seed { get; }

        /// <summary>Reads a config whose <c>factor</c> is a number (tf.keras) or a pair (Keras 3).</summary>
        /// <param name="config">The layer's config.</param>
        public static RandomBrightness FromConfig(LayerConfig config)
        {
            ArgumentNullException.ThrowIfNull(config);
            config.RequireKnownKeys("factor", "value_range", "seed");
            var factor = ImageAugmentation.ReadFactor(config, "factor");
            var valueRange = config.Get<double[]?>("value_range", null);
            var seed = config.Get<long?>("seed", null);
            var layer = factor.Length == 1 ? new RandomBrightness(factor[0], valueRange, seed, config.Name, config.Trainable)
                : new RandomBrightness((factor[0], factor[1]), valueRange, seed, config.Name, config.Trainable);
            layer.ApplyBaseConfig(config, LayerConfig.BoundBaseKeys);
            return layer;
        }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            if (training != true)
                return inputs.alias();
            var images = ImageAugmentation.Batched(this, inputs, out bool unbatched);
            var delta = ImageAugmentation.Uniform(new[] { images.shape[0], 1, 1, 1 }, Factor.Lower, Factor.Upper, _seeds)
                .MulScalar(_valueRange[1] - _valueRange[0]).to(images.dtype);
            var output = images.Plus(delta).ClampScalar(_valueRange[0], _valueRange[1]);
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
