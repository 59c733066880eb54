using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Regularization
{
    public sealed class DropoutTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Dropout(0.5, seed: 3, dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 2) },
            ExpectedOutputShape = new Shape(4, 3, 2),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
            RandomInTraining = true,
        });

        [Fact]
        public void InInferenceTheInputPassesUnchanged()
        {
            using var x = randn(3, 4);
            var layer = new Dropout(0.9);

            Assert.True(layer.Apply(x).equal(x).all().item<bool>());
            Assert.True(layer.Apply(x, training: false).equal(x).all().item<bool>());
        }

        [Fact]
        public void ASeededLayerDrawsKerasTorchBackendsMasks()
        {
            // Keras's SeedGenerator(1337) seeds the k-th draw's torch generator with 1337 + k; the mask is
            // bernoulli(full(shape, 1 - rate)) and the kept values are divided by 1 - rate.
            using var x = randn(3, 50);
            var layer = new Dropout(0.4, seed: 1337);

            var first = layer.Apply(x, training: true);
            var second = layer.Apply(x, training: true);

            Assert.True(first.equal(KerasDropout(x, 0.4, 1337)).all().item<bool>());
            Assert.True(second.equal(KerasDropout(x, 0.4, 1338)).all().item<bool>());
            Assert.False(first.equal(second).all().item<bool>());
        }

        [Fact]
        public void TwoLayersWithTheSameSeedDropTheSameUnits()
        {
            using var x = randn(4, 30);

            var a = new Dropout(0.3, seed: 42).Apply(x, training: true);
            var b = new Dropout(0.3, seed: 42).Apply(x, training: true);

            Assert.True(a.equal(b).all().item<bool>());
        }

        [Fact]
        public void DropsAboutRateOfTheUnitsAndScalesTheOthers()
        {
            using var x = rand(200, 500) + 1;   // no zeros of its own
            var y = new Dropout(0.25, seed: 5).Apply(x, training: true);

            var dropped = y.eq(0);
            double fraction = dropped.to(ScalarType.Float64).mean().item<double>();
            Assert.InRange(fraction, 0.24, 0.26);
            var kept = dropped.logical_not();
            Assert.True(y.masked_select(kept).allclose(x.masked_select(kept) / 0.75, rtol: 1e-6, atol: 0));
        }

        [Fact]
        public void ANoiseShapeSharesTheMaskAlongItsAxesOfSizeOne()
        {
            using var x = rand(2, 6, 8) + 1;
            var y = new Dropout(0.5, noiseShape: new Shape(Shape.Unknown, 1, Shape.Unknown), seed: 9).Apply(x, training: true);

            // Each (sample, feature) column is dropped or kept at every timestep together.
            var droppedPerColumn = y.eq(0).to(ScalarType.Int32).sum(dim: 1);
            Assert.True(droppedPerColumn.eq(0).logical_or(droppedPerColumn.eq(6)).all().item<bool>());
            Assert.True(droppedPerColumn.eq(6).any().item<bool>());
        }

        [Fact]
        public void RateOneDropsEverythingAndRateZeroNothing()
        {
            using var x = randn(3, 4);

            Assert.True(new Dropout(1.0).Apply(x, training: true).eq(0).all().item<bool>());
            Assert.True(new Dropout(0.0).Apply(x, training: true).equal(x).all().item<bool>());
        }

        [Theory]
        [InlineData(1.5)]
        [InlineData(-0.1)]
        public void RejectsARateOutsideZeroToOneWithTheReceivedValue(double rate)
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(rate));
            Assert.Contains($"rate={rate.ToString(System.Globalization.CultureInfo.InvariantCulture)}", error.Message);
        }

        [Fact]
        public void RejectsANoiseShapeWithAZero()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(0.5, noiseShape: new Shape(4, 0)));
            Assert.Contains("index 1", error.Message);
        }

        [Fact]
        public void ANoiseShapeThatDoesNotBroadcastFailsNamingTheLayer()
        {
            var layer = new Dropout(0.5, noiseShape: new Shape(Shape.Unknown, 3), name: "drop");
            var error = Assert.Throws<ArgumentException>(() => layer.Apply(ones(2, 4), training: true));
            Assert.Contains("'drop'", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Dropout", "config": {"name": "dropout", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "rate": 0.2, "seed": 1337, "noise_shape": [null, 1, null]}, "registered_name": null}
                """;

            var layer = Assert.IsType<Dropout>(Layer.Deserialize(json));

            Assert.Equal((0.2, 1337L), (layer.Rate, layer.Seed));
            Assert.Equal(new Shape(Shape.Unknown, 1, Shape.Unknown), layer.NoiseShape);
            Assert.Equal("""{"name":"dropout","trainable":true,"dtype":"float32","rate":0.2,"seed":1337,"noise_shape":[null,1,null]}""",
                layer.GetConfig().Values.ToJsonString());
        }

        private static Tensor KerasDropout(Tensor x, double rate, ulong generatorSeed)
        {
            using var generator = new Generator(generatorSeed);
            var keep = full(x.shape, 1.0 - rate, ScalarType.Float32).bernoulli(generator).to(ScalarType.Bool);
            return where(keep, x / (1.0 - rate), zeros_like(x));
        }
    }
}
