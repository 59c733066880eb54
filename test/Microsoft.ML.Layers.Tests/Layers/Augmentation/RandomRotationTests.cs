using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static Microsoft.ML.Layers.Tests.Layers.Augmentation.AugmentationTestData;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Augmentation
{
    public sealed class RandomRotationTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => RunLayerCheck(dtype => new RandomRotation(0.2, seed: 3, dtype: dtype));

        [Fact]
        public void InInferenceTheInputPassesUnchanged() => IdentityInInference(new RandomRotation(0.5, seed: 1));

        [Fact]
        public void AQuarterTurnWithNearestIsTorchsRot90()
        {
            // factor (0.25, 0.25): every angle is exactly pi/2, counter-clockwise.
            using var image = arange(9, dtype: ScalarType.Float32).view(3, 3, 1);
            var layer = new RandomRotation((0.25, 0.25), interpolation: Interpolation.Nearest, seed: 1);

            var y = layer.Apply(image, training: true);

            Assert.True(y.equal(image.rot90(1, (0, 1))).all().item<bool>());
            Exactly(new float[] { 2, 5, 8, 1, 4, 7, 0, 3, 6 }, y);
        }

        [Fact]
        public void AQuarterTurnWithBilinearIsRot90WithinRounding()
        {
            using var images = randn(2, 3, 3, 2);
            var y = new RandomRotation((0.25, 0.25), seed: 1).Apply(images, training: true);

            TensorAssert.Close(images.rot90(1, (1, 2)), y, rtol: 0, atol: 1e-5);
        }

        [Fact]
        public void AClockwiseQuarterTurnOfANonSquareImageInChannelsFirst()
        {
            // A 3x3 image inside channels-first layout; factor -0.25 turns clockwise: rot90 with k = -1.
            using var image = arange(9, dtype: ScalarType.Float32).view(1, 1, 3, 3);
            var layer = new RandomRotation((-0.25, -0.25), interpolation: Interpolation.Nearest, dataFormat: DataFormat.ChannelsFirst);

            Exactly(Values(image.rot90(-1, (2, 3))), layer.Apply(image, training: true));
        }

        [Fact]
        public void AHalfTurnOfA2x3ImageMirrorsBothAxes()
        {
            using var image = arange(6, dtype: ScalarType.Float32).view(1, 2, 3, 1);
            var y = new RandomRotation((0.5, 0.5), interpolation: Interpolation.Nearest).Apply(image, training: true);

            Exactly(new float[] { 5, 4, 3, 2, 1, 0 }, y);
        }

        [Fact]
        public void AQuarterTurnOfANonSquareImageFillsWhatFallsOutside()
        {
            // A 1x3 row [0 10 20] turned by pi/2 about its centre (1, 0): output (x, 0) reads input (1, x - 1), inside only at x = 1.
            using var row = Row(3);
            var constant = new RandomRotation((0.25, 0.25), fillMode: FillMode.Constant, interpolation: Interpolation.Nearest,
                fillValue: -7).Apply(row, training: true);
            var nearest = new RandomRotation((0.25, 0.25), fillMode: FillMode.Nearest, interpolation: Interpolation.Nearest)
                .Apply(row, training: true);

            Exactly(new float[] { -7, 10, -7 }, constant);
            Exactly(new float[] { 10, 10, 10 }, nearest);
        }

        [Fact]
        public void TheAnglesAreDrawnPerImageFromTheSeed()
        {
            // Two copies of an image, factor 0.5 (any angle up to a half turn): a seeded layer turns them differently,
            // reproducibly, and its next call draws new angles.
            using var image = randn(1, 5, 5, 1);
            using var batch = cat(new[] { image, image }, 0);
            var a = new RandomRotation(0.5, seed: 9);
            var first = a.Apply(batch, training: true);

            Assert.True(Differ(first[0], first[1]), "each image draws its own angle");
            Assert.True(first.equal(new RandomRotation(0.5, seed: 9).Apply(batch, training: true)).all().item<bool>());
            Assert.True(Differ(first, a.Apply(batch, training: true)), "the second call draws new angles (seed + 1)");
            Assert.True(Differ(first, new RandomRotation(0.5, seed: 10).Apply(batch, training: true)));
        }

        [Fact]
        public void ANumberFactorIsSymmetricAndAPairIsSorted()
        {
            Assert.Equal((-0.2, 0.2), new RandomRotation(-0.2).Factor);
            Assert.Equal((-0.1, 0.3), new RandomRotation((0.3, -0.1)).Factor);
        }

        [Fact]
        public void ReadsAKeras3ConfigAndATfKeras2Config()
        {
            const string keras3 = """
                {"module": "keras.layers", "class_name": "RandomRotation", "config": {"name": "random_rotation", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "factor": [-0.2, 0.3], "data_format": "channels_last", "fill_mode": "constant", "fill_value": 1.5,
                 "interpolation": "nearest", "seed": 5}, "registered_name": null}
                """;
            const string tfKeras2 = """
                {"class_name": "RandomRotation", "config": {"name": "random_rotation_1", "trainable": true, "dtype": "float32",
                 "factor": 0.2, "fill_mode": "reflect", "fill_value": 0.0, "interpolation": "bilinear", "seed": null}}
                """;

            var layer = Assert.IsType<RandomRotation>(Layer.Deserialize(keras3));
            var old = Assert.IsType<RandomRotation>(Layer.Deserialize(tfKeras2));

            Assert.Equal((-0.2, 0.3), layer.Factor);
            Assert.Equal(FillMode.Constant, layer.FillMode);
            Assert.Equal(Interpolation.Nearest, layer.Interpolation);
            Assert.Equal(1.5, layer.FillValue);
            Assert.Equal(5L, layer.Seed);
            Assert.Equal((-0.2, 0.2), old.Factor);
            Assert.Equal(FillMode.Reflect, old.FillMode);
            Assert.Equal("[-0.2,0.2]", old.GetConfig().Values["factor"]!.ToJsonString());
        }

        [Fact]
        public void RejectsAFactorOutsideOneAndAnInterpolationKerasDoesNotRotateWith()
        {
            var factor = Assert.Throws<ArgumentOutOfRangeException>(() => new RandomRotation(1.5, name: "rot"));
            Assert.Contains("'rot'", factor.Message);
            Assert.Contains("factor=1.5", factor.Message);
            var pair = Assert.Throws<ArgumentOutOfRangeException>(() => new RandomRotation((1.2, 1.5)));
            Assert.Contains("factor=(1.2, 1.5)", pair.Message);
            var interpolation = Assert.Throws<ArgumentOutOfRangeException>(
                () => new RandomRotation(0.1, interpolation: Interpolation.Bicubic));
            Assert.Contains("bicubic", interpolation.Message);
        }
    }
}
