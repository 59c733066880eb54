using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static Microsoft.ML.Layers.Tests.Layers.Augmentation.AugmentationTestData;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Augmentation
{
    public sealed class RandomContrastTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => RunLayerCheck(dtype => new RandomContrast(0.3, seed: 3, dtype: dtype));

        [Fact]
        public void InInferenceTheInputPassesUnchanged() => IdentityInInference(new RandomContrast(0.5, seed: 1));

        [Fact]
        public void AFixedContrastFollowsTheFormulaPerChannel()
        {
            // factor (-0.5, 0.5): contrasts in [1 - (-0.5), 1 + 0.5], always 1.5. Channel 0 of the 2x2 image holds 1, 2, 3, 6
            // (mean 3): (x - 3) * 1.5 + 3 = 0, 1.5, 3, 7.5; channel 1 holds 10 everywhere and stays 10.
            using var image = tensor(new float[] { 1, 10, 2, 10, 3, 10, 6, 10 }).view(1, 2, 2, 2);
            var y = new RandomContrast((-0.5, 0.5), seed: 4).Apply(image, training: true);

            Exactly(new float[] { 0, 10, 1.5f, 10, 3, 10, 7.5f, 10 }, y);
        }

        [Fact]
        public void TheOutputIsClippedToTheValueRange()
        {
            // Contrast 1.5 of [0.1, 0.5, 0.9] (mean 0.5) is [-0.1, 0.5, 1.1], clipped to [0, 1].
            using var image = tensor(new float[] { 0.1f, 0.5f, 0.9f }).view(1, 3, 1);
            var y = new RandomContrast((-0.5, 0.5), valueRange: new[] { 0.0, 1.0 }).Apply(image, training: true);

            TensorAssert.Close(tensor(new float[] { 0, 0.5f, 1 }), y.flatten(), rtol: 0, atol: 1e-6);
        }

        [Fact]
        public void ASeededLayerDrawsOneContrastPerImageFromItsSeed()
        {
            using var x = rand(3, 4, 4, 2).mul(255);
            var layer = new RandomContrast(0.4, seed: 12);

            var y = layer.Apply(x, training: true);

            var contrast = Draw(new long[] { 3, 1, 1, 1 }, 12, 0.6, 1.4);
            var mean = x.mean(new long[] { 1, 2 }, keepdim: true);
            TensorAssert.Close(x.sub(mean).mul(contrast).add(mean).clamp(0, 255), y, rtol: 1e-6, atol: 1e-4);
            Assert.True(Differ(y, layer.Apply(x, training: true)), "the next call draws again (seed + 1)");
        }

        [Fact]
        public void ANumberFactorGivesTheSymmetricRangeAndTheConfigHoldsThePair()
        {
            var layer = new RandomContrast(0.2);

            Assert.Equal((0.2, 0.2), layer.Factor);
            Assert.Equal("[0.2,0.2]", layer.GetConfig().Values["factor"]!.ToJsonString());
            Assert.Equal("[0,255]", layer.GetConfig().Values["value_range"]!.ToJsonString());
        }

        [Fact]
        public void ReadsAKeras3ConfigAndATfKeras2Config()
        {
            const string keras3 = """
                {"module": "keras.layers", "class_name": "RandomContrast", "config": {"name": "random_contrast", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "factor": [0.0, 0.2], "value_range": [0, 1], "seed": null}, "registered_name": null}
                """;
            const string tfKeras2 = """
                {"class_name": "RandomContrast", "config": {"name": "random_contrast", "trainable": true, "dtype": "float32",
                 "factor": 0.1, "seed": null}}
                """;

            var layer = Assert.IsType<RandomContrast>(Layer.Deserialize(keras3));
            var old = Assert.IsType<RandomContrast>(Layer.Deserialize(tfKeras2));

            Assert.Equal((0.0, 0.2), layer.Factor);
            Assert.Equal((0.0, 1.0), layer.ValueRange);
            Assert.Equal((0.1, 0.1), old.Factor);
            Assert.Equal((0.0, 255.0), old.ValueRange);
        }

        [Fact]
        public void RejectsAFactorOutsideZeroToOneAndABadValueRange()
        {
            var factor = Assert.Throws<ArgumentOutOfRangeException>(() => new RandomContrast(1.5, name: "contrast"));
            Assert.Contains("'contrast'", factor.Message);
            Assert.Contains("factor=1.5", factor.Message);
            var range = Assert.Throws<ArgumentException>(() => new RandomContrast(0.1, valueRange: new[] { 0.0 }));
            Assert.Contains("value_range=[0]", range.Message);
        }
    }
}
