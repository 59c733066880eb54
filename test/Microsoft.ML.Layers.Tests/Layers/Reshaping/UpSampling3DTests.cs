using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Reshaping
{
    public sealed class UpSampling3DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new UpSampling3D((1, 2, 3), dtype: dtype),
            InputShapes = new Shape[] { new(2, 2, 2, 1, 3) },
            ExpectedOutputShape = new Shape(2, 2, 4, 3, 3),
        });

        [Fact]
        public void PassesTheSharedLayerCheckChannelsFirst() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new UpSampling3D(dataFormat: DataFormat.ChannelsFirst, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 1, 2, 1) },
            ExpectedOutputShape = new Shape(2, 3, 2, 4, 2),
        });

        [Theory]
        [InlineData(DataFormat.ChannelsLast)]
        [InlineData(DataFormat.ChannelsFirst)]
        public void EveryOutputElementIsTheInputElementAtItsIndexDividedByTheFactor(DataFormat dataFormat)
        {
            bool first = dataFormat == DataFormat.ChannelsFirst;
            using var volume = randn(2, 3, 2);
            var x = first ? volume.reshape(1, 1, 2, 3, 2) : volume.reshape(1, 2, 3, 2, 1);

            var y = new UpSampling3D((2, 1, 3), dataFormat: dataFormat).Apply(x).reshape(4, 3, 6);

            var expected = volume
                .index_select(0, tensor(new long[] { 0, 0, 1, 1 }))
                .index_select(2, tensor(new long[] { 0, 0, 0, 1, 1, 1 }));
            Assert.True(y.equal(expected).all().item<bool>());
        }

        [Fact]
        public void MatchesKerasDocstringShapeAndIsNamedLikeKeras()
        {
            var layer = new UpSampling3D();

            Assert.Equal(new long[] { 2, 2, 4, 2, 3 }, layer.Apply(ones(new long[] { 2, 1, 2, 1, 3 })).shape);
            Assert.Equal((2, 2, 2), layer.Size);
            Assert.Equal("[2,2,2]", layer.GetConfig().Values["size"]!.ToJsonString());
            Assert.StartsWith("up_sampling3d", layer.Name, StringComparison.Ordinal);
        }

        [Fact]
        public void RejectsANonPositiveFactorOrAWrongCountWithTheReceivedValue()
        {
            Assert.Contains("size=(2, 0, 2)", Assert.Throws<ArgumentOutOfRangeException>(() => new UpSampling3D((2, 0, 2))).Message);
            Assert.Contains("size=(2, 2)", Assert.Throws<ArgumentException>(() => new UpSampling3D((2, 2))).Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "UpSampling3D", "config": {"name": "up3", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "size": [1, 2, 2], "data_format": "channels_first"}, "registered_name": null}
                """;

            var layer = Assert.IsType<UpSampling3D>(Layer.Deserialize(json));

            Assert.Equal(((1, 2, 2), DataFormat.ChannelsFirst), (layer.Size, layer.DataFormat));
            Assert.Equal(new long[] { 1, 4, 2, 6, 4 }, layer.Apply(ones(new long[] { 1, 4, 2, 3, 2 })).shape);
        }
    }
}
