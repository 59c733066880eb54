using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static Microsoft.ML.Layers.Tests.Layers.Augmentation.AugmentationTestData;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Augmentation
{
    public sealed class RandomBrightnessTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => RunLayerCheck(dtype => new RandomBrightness(0.3, seed: 3, dtype: dtype));

        [Fact]
        public void InInferenceTheInputPassesUnchanged() => IdentityInInference(new RandomBrightness(0.5, seed: 1));

        [Fact]
        public void AFixedFactorAddsItsShareOfTheValueRange()
        {
            // Keras's docstring example: factor 0.1 of [0, 255] adds 25.5 to every value.
            using var image = tensor(new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }).view(2, 2, 3);
            var y = new RandomBrightness((0.1, 0.1)).Apply(image, training: true);

            TensorAssert.Close(image.add(25.5), y, rtol: 0, atol: 1e-5);
        }

        [Fact]
        public void TheOutputIsClippedToTheSortedValueRange()
        {
            // factor -0.5 of [0, 1] (given as [1, 0]) subtracts 0.5: 0.2 -> 0 (clipped), 0.9 -> 0.4.
            using var image = tensor(new float[] { 0.2f, 0.9f }).view(1, 2, 1);
            var layer = new RandomBrightness((-0.5, -0.5), valueRange: new[] { 1.0, 0.0 });

            TensorAssert.Close(tensor(new float[] { 0, 0.4f }), layer.Apply(image, training: true).flatten(), rtol: 0, atol: 1e-6);
            Assert.Equal((0.0, 1.0), layer.ValueRange);
        }

        [Fact]
        public void ASeededLayerDrawsOneShiftPerImageFromItsSeed()
        {
            using var x = rand(3, 4, 4, 2).mul(200).add(20);
            var layer = new RandomBrightness(0.2, seed: 6);

            var y = layer.Apply(x, training: true);

            var shift = Draw(new long[] { 3, 1, 1, 1 }, 6, -0.2, 0.2).mul(255);
            TensorAssert.Close(x.add(shift).clamp(0, 255), y, rtol: 1e-6, atol: 1e-4);
            Assert.True(Differ(y, new RandomBrightness(0.2, seed: 7).Apply(x, training: true)));
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "RandomBrightness", "config": {"name": "random_brightness",
                 "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
                 "registered_name": null}, "factor": [-0.2, 0.2], "value_range": [0, 255], "seed": 1}, "registered_name": null}
                """;

            var layer = Assert.IsType<RandomBrightness>(Layer.Deserialize(json));

            Assert.Equal((-0.2, 0.2), layer.Factor);
            Assert.Equal((0.0, 255.0), layer.ValueRange);
            Assert.Equal(1L, layer.Seed);
        }

        [Fact]
        public void RejectsAFactorOutsideOne()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RandomBrightness(-1.5, name: "bright"));
            Assert.Contains("'bright'", error.Message);
            Assert.Contains("factor=-1.5", error.Message);
        }
    }
}
