using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Regularization
{
    public sealed class SpatialDropout3DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new SpatialDropout3D(0.4, seed: 2, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 2, 4, 5) },
            ExpectedOutputShape = new Shape(2, 3, 2, 4, 5),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(2, 3),
            RandomInTraining = true,
            ConfigHasTrainable = false,
        });

        [Fact]
        public void InInferenceTheInputPassesUnchanged()
        {
            using var x = randn(new long[] { 2, 3, 3, 3, 4 });
            Assert.True(new SpatialDropout3D(0.9).Apply(x).equal(x).all().item<bool>());
        }

        [Theory]
        [InlineData(DataFormat.ChannelsLast)]
        [InlineData(DataFormat.ChannelsFirst)]
        public void DropsWholeVolumes(DataFormat dataFormat)
        {
            bool first = dataFormat == DataFormat.ChannelsFirst;
            using var x = rand(first ? new long[] { 4, 6, 3, 3, 3 } : new long[] { 4, 3, 3, 3, 6 }) + 1;
            var y = new SpatialDropout3D(0.5, dataFormat: dataFormat, seed: 5).Apply(x, training: true);

            var spatial = first ? new long[] { 2, 3, 4 } : new long[] { 1, 2, 3 };
            var droppedVoxels = y.eq(0).to(ScalarType.Int32).sum(spatial);   // (batch, channels)
            Assert.True(droppedVoxels.eq(0).logical_or(droppedVoxels.eq(27)).all().item<bool>());
            Assert.True(droppedVoxels.eq(27).any().item<bool>());
        }

        [Fact]
        public void ASeededLayerDrawsKerasTorchBackendsMask()
        {
            using var x = randn(new long[] { 2, 2, 2, 2, 3 });
            var y = new SpatialDropout3D(0.25, seed: 11).Apply(x, training: true);

            using var generator = new Generator(11);
            var keep = full(new long[] { 2, 1, 1, 1, 3 }, 0.75, ScalarType.Float32).bernoulli(generator).to(ScalarType.Bool);
            Assert.True(y.equal(where(keep, x / 0.75, zeros_like(x))).all().item<bool>());
        }

        [Fact]
        public void WritesOnlyKerasConfigKeys()
        {
            var config = new SpatialDropout3D(0.25, dataFormat: DataFormat.ChannelsFirst, seed: 1).GetConfig().Values;

            Assert.Equal(new[] { "name", "dtype", "rate", "seed", "data_format" }, config.Select(p => p.Key));
            Assert.StartsWith("spatial_dropout3d", (string?)config["name"], StringComparison.Ordinal);
        }

        [Fact]
        public void RejectsABadRateOrDataFormatWithTheReceivedValue()
        {
            Assert.Contains("rate=1.5", Assert.Throws<ArgumentOutOfRangeException>(() => new SpatialDropout3D(1.5)).Message);
            Assert.Contains("data_format=7", Assert.Throws<ArgumentException>(() => new SpatialDropout3D(0.5, dataFormat: (DataFormat)7)).Message);
        }

        [Fact]
        public void RequiresFiveDimensionalInputs()
        {
            var error = Assert.Throws<ArgumentException>(() => new SpatialDropout3D(0.5, name: "sd3").Apply(randn(2, 3, 4, 5)));
            Assert.Contains("'sd3'", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "SpatialDropout3D",
                 "config": {"rate": 0.3, "seed": null, "name": "sd3", "dtype": "float32", "data_format": "channels_first"}, "registered_name": null}
                """;

            var layer = Assert.IsType<SpatialDropout3D>(Layer.Deserialize(json));

            Assert.Equal((0.3, (long?)null, DataFormat.ChannelsFirst, "sd3"), (layer.Rate, layer.Seed, layer.DataFormat, layer.Name));
        }
    }
}
