using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Reshaping
{
    public sealed class ZeroPadding3DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new ZeroPadding3D(((1, 0), (0, 2), (1, 1)), dtype: dtype),
            InputShapes = new Shape[] { new(2, 2, 3, 2, 3) },
            ExpectedOutputShape = new Shape(2, 3, 5, 4, 3),
        });

        [Fact]
        public void PassesTheSharedLayerCheckChannelsFirstWithTheDefaultPadding() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new ZeroPadding3D(dataFormat: DataFormat.ChannelsFirst, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 1, 2, 2) },
            ExpectedOutputShape = new Shape(2, 3, 3, 4, 4),
        });

        [Theory]
        [InlineData(DataFormat.ChannelsLast)]
        [InlineData(DataFormat.ChannelsFirst)]
        public void SurroundsTheVolumeWithZeros(DataFormat dataFormat)
        {
            bool first = dataFormat == DataFormat.ChannelsFirst;
            using var volume = arange(1, 9, dtype: ScalarType.Float32).reshape(2, 2, 2);
            var x = first ? volume.reshape(1, 1, 2, 2, 2) : volume.reshape(1, 2, 2, 2, 1);

            var y = new ZeroPadding3D(((1, 0), (0, 2), (2, 1)), dataFormat: dataFormat).Apply(x);

            var padded = y.reshape(3, 4, 5);
            var expected = zeros(3, 4, 5);
            expected[1..3, 0..2, 2..4] = volume;
            Assert.True(padded.equal(expected).all().item<bool>());
            Assert.Equal(36f, y.sum().item<float>());
        }

        [Fact]
        public void MatchesKerasDocstringShapeAndIsNamedLikeKeras()
        {
            var layer = new ZeroPadding3D(2);

            Assert.Equal(new long[] { 1, 5, 6, 6, 3 }, layer.Apply(ones(new long[] { 1, 1, 2, 2, 3 })).shape);
            Assert.Equal("[[2,2],[2,2],[2,2]]", layer.GetConfig().Values["padding"]!.ToJsonString());
            Assert.StartsWith("zero_padding3d", layer.Name, StringComparison.Ordinal);
        }

        [Fact]
        public void ASymmetricTripleExpandsToPairs()
        {
            Assert.Equal(new[] { (1, 1), (2, 2), (3, 3) }, new ZeroPadding3D((1, 2, 3)).Padding);
            Assert.Equal(new[] { (1, 1), (1, 1), (1, 1) }, new ZeroPadding3D().Padding);
        }

        [Fact]
        public void RejectsANegativeAmountOrAWrongCountWithTheReceivedValue()
        {
            Assert.Contains("padding=((0, 0), (-2, 0), (0, 0))", Assert.Throws<ArgumentOutOfRangeException>(() => new ZeroPadding3D(((0, 0), (-2, 0), (0, 0)))).Message);
            Assert.Contains("padding=(1, 2)", Assert.Throws<ArgumentException>(() => new ZeroPadding3D((1, 2))).Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "ZeroPadding3D", "config": {"name": "zp3", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "padding": [[1, 1], [0, 2], [3, 0]], "data_format": "channels_last"}, "registered_name": null}
                """;

            var layer = Assert.IsType<ZeroPadding3D>(Layer.Deserialize(json));

            Assert.Equal(new[] { (1, 1), (0, 2), (3, 0) }, layer.Padding);
            Assert.Equal(new long[] { 2, 3, 4, 5, 6 }, layer.Apply(ones(new long[] { 2, 1, 2, 2, 6 })).shape);
        }
    }
}
