using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Reshaping
{
    public sealed class ZeroPadding2DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new ZeroPadding2D(((1, 0), (2, 1)), dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 4, 2) },
            ExpectedOutputShape = new Shape(2, 4, 7, 2),
        });

        [Theory]
        [InlineData(DataFormat.ChannelsLast)]
        [InlineData(DataFormat.ChannelsFirst)]
        public void SurroundsTheImageWithZeros(DataFormat dataFormat)
        {
            using var image = tensor(new[] { 1f, 2f, 3f, 4f }).reshape(2, 2);
            var x = dataFormat == DataFormat.ChannelsFirst ? image.reshape(1, 1, 2, 2) : image.reshape(1, 2, 2, 1);

            var y = new ZeroPadding2D(((1, 0), (0, 1)), dataFormat: dataFormat).Apply(x);

            // One zero row on top, one zero column on the right.
            Assert.Equal(new[] { 0f, 0f, 0f, 1f, 2f, 0f, 3f, 4f, 0f }, y.data<float>().ToArray());
        }

        [Fact]
        public void DefaultsToOneOnEachSide()
        {
            Assert.Equal(new long[] { 1, 4, 4, 3 }, new ZeroPadding2D().Apply(ones(1, 2, 2, 3)).shape);
            Assert.Equal("[[1,1],[1,1]]", new ZeroPadding2D().GetConfig().Values["padding"]!.ToJsonString());
        }

        [Fact]
        public void RejectsANegativeAmountWithTheReceivedValue()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ZeroPadding2D(-1));
            Assert.Contains("padding=((-1, -1), (-1, -1))", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "ZeroPadding2D", "config": {"name": "zero_padding2d", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "padding": [[1, 2], [3, 4]], "data_format": "channels_first"}, "registered_name": null}
                """;

            var layer = Assert.IsType<ZeroPadding2D>(Layer.Deserialize(json));

            Assert.Equal(new[] { (1, 2), (3, 4) }, layer.Padding);
            Assert.Equal(DataFormat.ChannelsFirst, layer.DataFormat);
        }
    }
}
