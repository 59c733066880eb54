using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Reshaping
{
    public sealed class Cropping2DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Cropping2D(((1, 0), (0, 2)), dtype: dtype),
            InputShapes = new Shape[] { new(2, 4, 5, 3) },
            ExpectedOutputShape = new Shape(2, 3, 3, 3),
        });

        [Fact]
        public void PassesTheSharedLayerCheckChannelsFirst() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Cropping2D(1, dataFormat: DataFormat.ChannelsFirst, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 4, 5) },
            ExpectedOutputShape = new Shape(2, 3, 2, 3),
        });

        [Theory]
        [InlineData(DataFormat.ChannelsLast)]
        [InlineData(DataFormat.ChannelsFirst)]
        public void KeepsTheWindowBetweenTheCroppedSides(DataFormat dataFormat)
        {
            using var image = arange(30, dtype: ScalarType.Float32).reshape(5, 6);   // rows x cols
            var x = dataFormat == DataFormat.ChannelsFirst ? image.reshape(1, 1, 5, 6) : image.reshape(1, 5, 6, 1);

            var y = new Cropping2D(((1, 2), (3, 1)), dataFormat: dataFormat).Apply(x);

            // Rows 1..2, columns 3..4: 9, 10, 15, 16.
            Assert.Equal(new[] { 9f, 10f, 15f, 16f }, y.data<float>().ToArray());
        }

        [Fact]
        public void SymmetricArgumentsExpandToPairsInTheConfig()
        {
            Assert.Equal("[[2,2],[4,4]]", new Cropping2D((2, 4)).GetConfig().Values["cropping"]!.ToJsonString());
            Assert.Equal("[[0,0],[0,0]]", new Cropping2D().GetConfig().Values["cropping"]!.ToJsonString());
        }

        [Fact]
        public void CroppingAWholeAxisFailsNamingTheLayer()
        {
            var error = Assert.Throws<ArgumentException>(() => new Cropping2D(((2, 2), (0, 0)), name: "crop").Apply(ones(1, 4, 4, 1)));
            Assert.Contains("'crop'", error.Message);
        }

        [Fact]
        public void RejectsANegativeAmountWithTheReceivedValue()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Cropping2D(((1, 1), (-1, 0))));
            Assert.Contains("cropping=((1, 1), (-1, 0))", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Cropping2D", "config": {"name": "cropping2d", "trainable": false,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float64"}, "registered_name": null},
                 "cropping": [[2, 2], [4, 4]], "data_format": "channels_last"}, "registered_name": null,
                 "build_config": {"input_shape": [null, 28, 28, 3]}}
                """;

            var layer = Assert.IsType<Cropping2D>(Layer.Deserialize(json));

            Assert.Equal(new[] { (2, 2), (4, 4) }, layer.Cropping);
            Assert.Equal(("cropping2d", false, ScalarType.Float64), (layer.Name, layer.Trainable, layer.DType));
            Assert.Equal(new long[] { 2, 24, 20, 3 }, layer.Apply(ones(2, 28, 28, 3)).shape);
        }
    }
}
