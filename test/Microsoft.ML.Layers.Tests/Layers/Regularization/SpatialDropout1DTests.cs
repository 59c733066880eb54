using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Regularization
{
    public sealed class SpatialDropout1DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new SpatialDropout1D(0.5, seed: 1, dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 2) },
            ExpectedOutputShape = new Shape(4, 3, 2),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
            RandomInTraining = true,
            // Keras's SpatialDropout1D config holds only rate, seed, name and dtype.
            ConfigHasTrainable = false,
        });

        [Fact]
        public void DropsWholeChannelsAtEveryTimestep()
        {
            using var x = rand(3, 7, 10) + 1;
            var y = new SpatialDropout1D(0.5, seed: 11).Apply(x, training: true);

            var droppedSteps = y.eq(0).to(ScalarType.Int32).sum(dim: 1);   // (batch, channels)
            Assert.True(droppedSteps.eq(0).logical_or(droppedSteps.eq(7)).all().item<bool>());
            Assert.True(droppedSteps.eq(7).any().item<bool>());
            var kept = y.ne(0);
            Assert.True(y.masked_select(kept).allclose(x.masked_select(kept) * 2, rtol: 1e-6, atol: 0));
        }

        [Fact]
        public void ASeededLayerDrawsKerasTorchBackendsChannelMask()
        {
            using var x = randn(2, 5, 6);
            var y = new SpatialDropout1D(0.3, seed: 21).Apply(x, training: true);

            using var generator = new Generator(21);
            var keep = full(new long[] { 2, 1, 6 }, 0.7, ScalarType.Float32).bernoulli(generator).to(ScalarType.Bool);
            Assert.True(y.equal(where(keep, x / 0.7, zeros_like(x))).all().item<bool>());
        }

        [Fact]
        public void WritesOnlyKerasConfigKeys()
        {
            var config = new SpatialDropout1D(0.25, seed: 4, name: "sd").GetConfig().Values;

            Assert.Equal(new[] { "name", "dtype", "rate", "seed" }, config.Select(p => p.Key));
            Assert.Equal("float32", (string?)config["dtype"]);
        }

        [Fact]
        public void AnInputOfAnotherRankFailsNamingTheLayer()
        {
            var error = Assert.Throws<ArgumentException>(() => new SpatialDropout1D(0.5, name: "sd1").Apply(ones(2, 3)));
            Assert.Contains("'sd1'", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "SpatialDropout1D",
                 "config": {"rate": 0.3, "seed": null, "name": "spatial_dropout1d", "dtype": "float32"}, "registered_name": null}
                """;

            var layer = Assert.IsType<SpatialDropout1D>(Layer.Deserialize(json));

            Assert.Equal((0.3, (long?)null, "spatial_dropout1d"), (layer.Rate, layer.Seed, layer.Name));
        }
    }
}
