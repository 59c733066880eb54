using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Reshaping
{
    public sealed class Cropping3DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Cropping3D(((1, 0), (0, 2), (1, 1)), dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 4, 5, 2) },
            ExpectedOutputShape = new Shape(2, 2, 2, 3, 2),
        });

        [Fact]
        public void PassesTheSharedLayerCheckChannelsFirstWithTheDefaultCropping() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Cropping3D(dataFormat: DataFormat.ChannelsFirst, dtype: dtype),
            InputShapes = new Shape[] { new(2, 2, 3, 4, 5) },
            ExpectedOutputShape = new Shape(2, 2, 1, 2, 3),
        });

        [Theory]
        [InlineData(DataFormat.ChannelsLast)]
        [InlineData(DataFormat.ChannelsFirst)]
        public void KeepsTheBlockBetweenTheCroppedSides(DataFormat dataFormat)
        {
            using var volume = arange(60, dtype: ScalarType.Float32).reshape(3, 4, 5);   // element (d, h, w) = 20d + 5h + w
            var x = dataFormat == DataFormat.ChannelsFirst ? volume.reshape(1, 1, 3, 4, 5) : volume.reshape(1, 3, 4, 5, 1);

            var y = new Cropping3D(((1, 1), (2, 0), (0, 3)), dataFormat: dataFormat).Apply(x);

            // d = 1, h in {2, 3}, w in {0, 1}: 30, 31, 35, 36.
            Assert.Equal(new[] { 30f, 31f, 35f, 36f }, y.data<float>().ToArray());
        }

        [Fact]
        public void MatchesKerasDocstringShapeAndIsNamedLikeKeras()
        {
            var layer = new Cropping3D((2, 4, 2));

            Assert.Equal(new long[] { 2, 24, 20, 6, 3 }, layer.Apply(zeros(new long[] { 2, 28, 28, 10, 3 })).shape);
            Assert.Equal("[[2,2],[4,4],[2,2]]", layer.GetConfig().Values["cropping"]!.ToJsonString());
            Assert.StartsWith("cropping3d", layer.Name, StringComparison.Ordinal);
        }

        [Fact]
        public void TheDefaultCropsOneOnEverySide()
            => Assert.Equal(new[] { (1, 1), (1, 1), (1, 1) }, new Cropping3D().Cropping);

        [Fact]
        public void CroppingAWholeAxisFailsNamingTheLayer()
        {
            var error = Assert.Throws<ArgumentException>(() => new Cropping3D(((0, 0), (0, 0), (2, 2)), name: "crop3").Apply(ones(new long[] { 1, 3, 3, 4, 1 })));
            Assert.Contains("'crop3'", error.Message);
            Assert.Contains("cropping=((0, 0), (0, 0), (2, 2))", error.Message);
        }

        [Fact]
        public void RejectsANegativeAmountOrAWrongCountWithTheReceivedValue()
        {
            Assert.Contains("cropping=((1, 1), (0, -1), (0, 0))", Assert.Throws<ArgumentOutOfRangeException>(() => new Cropping3D(((1, 1), (0, -1), (0, 0)))).Message);
            Assert.Contains("cropping=(1, 2)", Assert.Throws<ArgumentException>(() => new Cropping3D((1, 2))).Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Cropping3D", "config": {"name": "cropping3d", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "cropping": [[1, 1], [2, 0], [0, 3]], "data_format": "channels_first"}, "registered_name": null,
                 "build_config": {"input_shape": [null, 2, 4, 4, 5]}}
                """;

            var layer = Assert.IsType<Cropping3D>(Layer.Deserialize(json));

            Assert.Equal(new[] { (1, 1), (2, 0), (0, 3) }, layer.Cropping);
            Assert.Equal(("cropping3d", DataFormat.ChannelsFirst), (layer.Name, layer.DataFormat));
            Assert.Equal(new long[] { 1, 2, 2, 2, 2 }, layer.Apply(ones(new long[] { 1, 2, 4, 4, 5 })).shape);
        }
    }
}
