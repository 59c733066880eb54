using System;
using Xunit;
using static Microsoft.ML.Layers.Tests.Layers.Augmentation.AugmentationTestData;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Augmentation
{
    public sealed class RandomZoomTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => RunLayerCheck(dtype => new RandomZoom(0.3, 0.2, seed: 3, dtype: dtype));

        [Fact]
        public void InInferenceTheInputPassesUnchanged() => IdentityInInference(new RandomZoom(0.5, seed: 1));

        [Fact]
        public void ZoomingInByTwoInterpolatesBetweenTheCentralPixels()
        {
            // Zoom 1 - 0.5 = 0.5 on the row [0 10 20 30 40]: output x reads input 0.5 x + (5 - 1)(1 - 0.5) / 2 = 0.5 x + 1.
            var y = new RandomZoom((-0.5, -0.5)).Apply(Row(5), training: true);

            Exactly(new float[] { 10, 15, 20, 25, 30 }, y);
        }

        [Theory]
        [InlineData(FillMode.Constant, new float[] { -1, 0, 20, 40, -1 })]
        [InlineData(FillMode.Reflect, new float[] { 10, 0, 20, 40, 30 })]
        [InlineData(FillMode.Wrap, new float[] { 30, 0, 20, 40, 10 })]
        [InlineData(FillMode.Nearest, new float[] { 0, 0, 20, 40, 40 })]
        public void ZoomingOutByTwoFillsTheBordersByTheFillMode(FillMode fillMode, float[] expected)
        {
            // Zoom 2 on [0 10 20 30 40]: output x reads input 2 x - 2, i.e. -2, 0, 2, 4, 6.
            var y = new RandomZoom((1.0, 1.0), fillMode: fillMode, fillValue: -1).Apply(Row(5), training: true);

            Exactly(expected, y);
        }

        [Fact]
        public void AWidthFactorZoomsTheColumnsOnly()
        {
            // Height zoom 1 (factor 0): every row of a 3x5 image keeps its place; width zoom 0.5 as above.
            using var image = Row(5).expand(1, 3, 5, 1).add(arange(3, dtype: ScalarType.Float32).mul(100).view(1, 3, 1, 1));
            var y = new RandomZoom((0.0, 0.0), widthFactor: (-0.5, -0.5)).Apply(image, training: true);

            Exactly(new float[] { 10, 15, 20, 25, 30, 110, 115, 120, 125, 130, 210, 215, 220, 225, 230 }, y);
        }

        [Fact]
        public void ANullWidthFactorZoomsBothAxesAlike()
        {
            // Zoom 0.5 on the column [0 10 20 30 40] too.
            var y = new RandomZoom((-0.5, -0.5)).Apply(Column(5), training: true);

            Exactly(new float[] { 10, 15, 20, 25, 30 }, y);
        }

        [Fact]
        public void ASeedReproducesTheZooms()
        {
            using var x = randn(4, 6, 6, 1);
            var a = new RandomZoom(0.5, 0.5, seed: 21);
            var first = a.Apply(x, training: true);

            Assert.True(first.equal(new RandomZoom(0.5, 0.5, seed: 21).Apply(x, training: true)).all().item<bool>());
            Assert.True(Differ(first, a.Apply(x, training: true)));
        }

        [Fact]
        public void ReadsAKeras3ConfigAndWritesTheFactorsAsGiven()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "RandomZoom", "config": {"name": "random_zoom", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "height_factor": [-0.3, -0.1], "width_factor": null, "fill_mode": "reflect", "interpolation": "bilinear",
                 "seed": null, "fill_value": 0.0, "data_format": "channels_last"}, "registered_name": null}
                """;

            var layer = Assert.IsType<RandomZoom>(Layer.Deserialize(json));

            Assert.Equal((-0.3, -0.1), layer.HeightFactor);
            Assert.Null(layer.WidthFactor);
            Assert.Equal("[-0.3,-0.1]", layer.GetConfig().Values["height_factor"]!.ToJsonString());
            Assert.Equal("0.2", new RandomZoom(0.2).GetConfig().Values["height_factor"]!.ToJsonString());
        }

        [Fact]
        public void RejectsAFactorOutsideOne()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RandomZoom(0.2, widthFactor: -1.5, name: "zoom"));
            Assert.Contains("'zoom'", error.Message);
            Assert.Contains("width_factor=[-1.5]", error.Message);
        }
    }
}
