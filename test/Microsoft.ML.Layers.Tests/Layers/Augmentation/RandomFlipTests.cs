using System;
using Xunit;
using static Microsoft.ML.Layers.Tests.Layers.Augmentation.AugmentationTestData;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Augmentation
{
    public sealed class RandomFlipTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => RunLayerCheck(dtype => new RandomFlip(seed: 3, dtype: dtype));

        [Fact]
        public void InInferenceTheInputPassesUnchanged() => IdentityInInference(new RandomFlip(seed: 1));

        [Fact]
        public void FlipsExactlyTheImagesWhoseDrawIsAtMostOneHalf()
        {
            // 64 images: the draws of seed 5 (first call) decide, per image, whether it is flipped left-right.
            using var x = randn(64, 3, 4, 2);
            var flips = Draw(new long[] { 64, 1, 1, 1 }, 5, 0, 1).le(0.5);
            Assert.True(flips.any().item<bool>() && !flips.all().item<bool>(), "the seed should flip some images and not others");

            var y = new RandomFlip(FlipMode.Horizontal, seed: 5).Apply(x, training: true);

            Assert.True(y.equal(where(flips, x.flip(2), x)).all().item<bool>());
        }

        [Theory]
        [InlineData(FlipMode.Horizontal, new float[] { 2, 1, 0, 5, 4, 3 })]
        [InlineData(FlipMode.Vertical, new float[] { 3, 4, 5, 0, 1, 2 })]
        [InlineData(FlipMode.HorizontalAndVertical, new float[] { 5, 4, 3, 2, 1, 0 })]
        public void AFlippedImageIsMirroredAlongTheModesAxes(FlipMode mode, float[] expected)
        {
            // A seed whose first draw is at most 0.5 flips the (single) image; the image [[0 1 2] [3 4 5]].
            ulong seed = FirstSeedWhere(u => u <= 0.5);
            using var image = arange(6, dtype: ScalarType.Float32).view(2, 3, 1);

            Exactly(expected, new RandomFlip(mode, seed: (long)seed).Apply(image, training: true));
        }

        [Fact]
        public void AnImageWhoseDrawIsAboveOneHalfIsNotFlipped()
        {
            ulong seed = FirstSeedWhere(u => u > 0.5);
            using var image = arange(6, dtype: ScalarType.Float32).view(1, 2, 3, 1);

            Exactly(new float[] { 0, 1, 2, 3, 4, 5 }, new RandomFlip(seed: (long)seed).Apply(image, training: true));
        }

        [Fact]
        public void ChannelsFirstFlipsTheLastAxis()
        {
            ulong seed = FirstSeedWhere(u => u <= 0.5);
            using var image = arange(6, dtype: ScalarType.Float32).view(1, 1, 2, 3);

            var layer = new RandomFlip(FlipMode.Horizontal, seed: (long)seed, dataFormat: DataFormat.ChannelsFirst);
            var y = layer.Apply(image, training: true);

            Exactly(new float[] { 2, 1, 0, 5, 4, 3 }, y);
        }

        [Fact]
        public void ASeedReproducesTheFlipsAndSuccessiveCallsDrawAgain()
        {
            using var x = randn(32, 2, 3, 1);
            var a = new RandomFlip(seed: 11);
            var b = new RandomFlip(seed: 11);

            var first = a.Apply(x, training: true);
            Assert.True(first.equal(b.Apply(x, training: true)).all().item<bool>());
            Assert.True(Differ(first, a.Apply(x, training: true)), "the second call should draw new flips (seed + 1)");
        }

        [Fact]
        public void ReadsAKeras3ConfigAndWritesItsKeys()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "RandomFlip", "config": {"name": "random_flip", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "seed": 42, "mode": "horizontal", "data_format": "channels_last"}, "registered_name": null}
                """;

            var layer = Assert.IsType<RandomFlip>(Layer.Deserialize(json));

            Assert.Equal(FlipMode.Horizontal, layer.Mode);
            Assert.Equal(42L, layer.Seed);
            var config = layer.GetConfig();
            Assert.Equal("horizontal", config.Values["mode"]!.GetValue<string>());
            Assert.Equal("channels_last", config.Values["data_format"]!.GetValue<string>());
            Assert.Equal(FlipMode.HorizontalAndVertical, new RandomFlip().Mode);
        }

        [Fact]
        public void ReadsATfKeras2Config()
        {
            const string json = """
                {"class_name": "RandomFlip", "config": {"name": "random_flip", "trainable": true, "dtype": "float32",
                 "mode": "horizontal_and_vertical", "seed": null}}
                """;

            Assert.Equal(FlipMode.HorizontalAndVertical, Assert.IsType<RandomFlip>(Layer.Deserialize(json)).Mode);
        }

        [Fact]
        public void RejectsAnInputThatIsNotAnImageOrABatchOfImages()
        {
            using var x = randn(4, 5);
            var error = Assert.Throws<ArgumentException>(() => new RandomFlip(name: "flip").Apply(x, training: true));
            Assert.Contains("'flip'", error.Message);
            Assert.Contains("(4, 5)", error.Message);
        }

        /// <summary>The first seed whose first uniform draw satisfies <paramref name="condition"/>.</summary>
        internal static ulong FirstSeedWhere(Func<float, bool> condition)
        {
            for (ulong seed = 0; ; seed++)
            {
                if (condition(Draw(new long[] { 1 }, seed, 0, 1).item<float>()))
                    return seed;
            }
        }
    }
}
