using System;
using Xunit;
using static Microsoft.ML.Layers.Tests.Layers.Augmentation.AugmentationTestData;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Augmentation
{
    public sealed class RandomTranslationTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => RunLayerCheck(dtype => new RandomTranslation(0.2, 0.3, seed: 3, dtype: dtype));

        [Fact]
        public void InInferenceTheInputPassesUnchanged() => IdentityInInference(new RandomTranslation(0.5, 0.5, seed: 1));

        [Theory]
        [InlineData(FillMode.Constant, new float[] { -1, -1, 0, 10, 20 })]
        [InlineData(FillMode.Reflect, new float[] { 10, 0, 0, 10, 20 })]
        [InlineData(FillMode.Wrap, new float[] { 30, 40, 0, 10, 20 })]
        [InlineData(FillMode.Nearest, new float[] { 0, 0, 0, 10, 20 })]
        public void AShiftRightByTwoFillsTheLeftByTheFillMode(FillMode fillMode, float[] expected)
        {
            // width_factor 0.4 of 5 columns: dx = 2, output x reads input x - 2.
            var y = new RandomTranslation((0.0, 0.0), (0.4, 0.4), fillMode: fillMode, fillValue: -1).Apply(Row(5), training: true);

            Exactly(expected, y);
        }

        [Fact]
        public void ANegativeHeightFactorShiftsUpAndAHalfPixelShiftInterpolates()
        {
            // height_factor -0.25 of 4 rows: dy = -1 (up); -0.125: dy = -0.5, output y reads y + 0.5.
            var up = new RandomTranslation((-0.25, -0.25), (0.0, 0.0), fillMode: FillMode.Constant).Apply(Column(4), training: true);
            var half = new RandomTranslation((-0.125, -0.125), (0.0, 0.0), fillMode: FillMode.Nearest).Apply(Column(4), training: true);

            Exactly(new float[] { 10, 20, 30, 0 }, up);
            Exactly(new float[] { 5, 15, 25, 30 }, half);
        }

        [Fact]
        public void ASeedReproducesTheShifts()
        {
            using var x = randn(4, 6, 6, 1);
            var a = new RandomTranslation(0.5, 0.5, seed: 8);
            var first = a.Apply(x, training: true);

            Assert.True(first.equal(new RandomTranslation(0.5, 0.5, seed: 8).Apply(x, training: true)).all().item<bool>());
            Assert.True(Differ(first, a.Apply(x, training: true)));
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "RandomTranslation", "config": {"name": "random_translation",
                 "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
                 "registered_name": null}, "height_factor": 0.1, "width_factor": [-0.2, 0.3], "fill_mode": "nearest",
                 "interpolation": "nearest", "seed": 3, "fill_value": 0.0, "data_format": "channels_last"}, "registered_name": null}
                """;

            var layer = Assert.IsType<RandomTranslation>(Layer.Deserialize(json));

            Assert.Equal((-0.1, 0.1), layer.HeightFactor);
            Assert.Equal((-0.2, 0.3), layer.WidthFactor);
            Assert.Equal(FillMode.Nearest, layer.FillMode);
            Assert.Equal("0.1", layer.GetConfig().Values["height_factor"]!.ToJsonString());
        }

        [Fact]
        public void RejectsAFactorOutsideOneAndAMissingWidthFactor()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RandomTranslation(2.0, 0.1, name: "shift"));
            Assert.Contains("'shift'", error.Message);
            Assert.Contains("height_factor=[2]", error.Message);
            const string json = """{"class_name": "RandomTranslation", "config": {"name": "t", "height_factor": 0.1}}""";
            Assert.ThrowsAny<Exception>(() => Layer.Deserialize(json));
        }
    }
}
