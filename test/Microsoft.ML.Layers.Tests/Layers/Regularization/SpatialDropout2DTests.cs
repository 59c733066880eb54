using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Regularization
{
    public sealed class SpatialDropout2DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new SpatialDropout2D(0.5, seed: 1, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 4, 5) },
            ExpectedOutputShape = new Shape(2, 3, 4, 5),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(2, 3),
            RandomInTraining = true,
            // Keras's SpatialDropout2D config holds only rate, seed, name, dtype and data_format.
            ConfigHasTrainable = false,
        });

        [Theory]
        [InlineData(DataFormat.ChannelsLast)]
        [InlineData(DataFormat.ChannelsFirst)]
        public void DropsWholeFeatureMaps(DataFormat dataFormat)
        {
            bool first = dataFormat == DataFormat.ChannelsFirst;
            using var x = rand(first ? new long[] { 4, 6, 5, 5 } : new long[] { 4, 5, 5, 6 }) + 1;
            var y = new SpatialDropout2D(0.5, dataFormat: dataFormat, seed: 2).Apply(x, training: true);

            var spatial = first ? new long[] { 2, 3 } : new long[] { 1, 2 };
            var droppedPixels = y.eq(0).to(ScalarType.Int32).sum(spatial);   // (batch, channels)
            Assert.True(droppedPixels.eq(0).logical_or(droppedPixels.eq(25)).all().item<bool>());
            Assert.True(droppedPixels.eq(25).any().item<bool>());
        }

        [Fact]
        public void ASeededChannelsFirstLayerDrawsKerasTorchBackendsMask()
        {
            using var x = randn(2, 3, 4, 4);
            var y = new SpatialDropout2D(0.5, dataFormat: DataFormat.ChannelsFirst, seed: 8).Apply(x, training: true);

            using var generator = new Generator(8);
            var keep = full(new long[] { 2, 3, 1, 1 }, 0.5, ScalarType.Float32).bernoulli(generator).to(ScalarType.Bool);
            Assert.True(y.equal(where(keep, x / 0.5, zeros_like(x))).all().item<bool>());
        }

        [Fact]
        public void WritesOnlyKerasConfigKeys()
        {
            var config = new SpatialDropout2D(0.25, dataFormat: DataFormat.ChannelsFirst).GetConfig().Values;

            Assert.Equal(new[] { "name", "dtype", "rate", "seed", "data_format" }, config.Select(p => p.Key));
        }

        [Fact]
        public void RejectsAnUnknownDataFormat()
        {
            var error = Assert.Throws<ArgumentException>(() => new SpatialDropout2D(0.5, dataFormat: (DataFormat)7));
            Assert.Contains("data_format=7", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "SpatialDropout2D",
                 "config": {"rate": 0.1, "seed": 5, "name": "sd2", "dtype": "float32", "data_format": "channels_first"}, "registered_name": null}
                """;

            var layer = Assert.IsType<SpatialDropout2D>(Layer.Deserialize(json));

            Assert.Equal((0.1, (long?)5, DataFormat.ChannelsFirst), (layer.Rate, layer.Seed, layer.DataFormat));
        }
    }
}
