using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Regularization
{
    public sealed class AlphaDropoutTests
    {
        // SELU's constants, written out here rather than read from the layer.
        private const double AlphaP = -1.6732632423543772 * 1.0507009873554805;

        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new AlphaDropout(0.3, seed: 3, dtype: dtype),
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
            var layer = new AlphaDropout(0.5);

            Assert.True(layer.Apply(x).equal(x).all().item<bool>());
            Assert.True(layer.Apply(x, training: false).equal(x).all().item<bool>());
            Assert.StartsWith("alpha_dropout", layer.Name, StringComparison.Ordinal);
        }

        [Fact]
        public void ASeededLayerAppliesTheAffineCorrectionToKerasTorchBackendsDraws()
        {
            // Keras: keep = uniform(shape) >= rate (float32 torch.rand from a generator seeded with seed + k), then
            // a * (x * keep + alpha_p * (1 - keep)) + b.
            using var x = randn(4, 30);
            const double rate = 0.2;
            var layer = new AlphaDropout(rate, seed: 21);

            var first = layer.Apply(x, training: true);
            var second = layer.Apply(x, training: true);

            Assert.True(first.allclose(Expected(x, rate, x.shape, 21), rtol: 1e-6, atol: 1e-6));
            Assert.True(second.allclose(Expected(x, rate, x.shape, 22), rtol: 1e-6, atol: 1e-6));
        }

        [Fact]
        public void DroppedUnitsTakeOneValueAndKeptUnitsAreScaledAndShifted()
        {
            // rate 0.5: a = (0.5 * (1 + 0.5 * alpha_p^2))^-0.5 and b = -0.5 * a * alpha_p; dropped units become a * alpha_p + b.
            double a = Math.Pow(0.5 * (1 + 0.5 * AlphaP * AlphaP), -0.5);
            double b = -a * AlphaP * 0.5;
            using var x = rand(50, 40) + 5;   // far from the dropped value
            var y = new AlphaDropout(0.5, seed: 4).Apply(x, training: true);

            var dropped = (y - (a * AlphaP + b)).abs().lt(1e-5);
            double fraction = dropped.to(ScalarType.Float64).mean().item<double>();
            Assert.InRange(fraction, 0.45, 0.55);
            var kept = dropped.logical_not();
            Assert.True(y.masked_select(kept).allclose(x.masked_select(kept) * a + b, rtol: 1e-6, atol: 1e-5));
        }

        [Fact]
        public void KeepsTheMeanAndVarianceOfStandardInputs()
        {
            using var x = randn(400, 500);
            var y = new AlphaDropout(0.1, seed: 8).Apply(x, training: true);

            Assert.InRange(y.mean().item<float>(), -0.02f, 0.02f);
            Assert.InRange(y.std().item<float>(), 0.97f, 1.03f);
        }

        [Fact]
        public void ANoiseShapeSharesTheMaskAlongItsAxesOfSizeOne()
        {
            using var x = rand(3, 6, 8) + 5;
            var y = new AlphaDropout(0.5, noiseShape: new Shape(Shape.Unknown, 1, Shape.Unknown), seed: 6).Apply(x, training: true);

            Assert.True(y.allclose(Expected(x, 0.5, new long[] { 3, 1, 8 }, 6), rtol: 1e-6, atol: 1e-5));
        }

        [Theory]
        [InlineData(0.0)]
        [InlineData(1.0)]
        public void RatesZeroAndOneLeaveTheInputUnchangedAsTfKeras2Does(double rate)
        {
            using var x = randn(3, 4);
            Assert.True(new AlphaDropout(rate).Apply(x, training: true).equal(x).all().item<bool>());
        }

        [Theory]
        [InlineData(1.5)]
        [InlineData(-0.1)]
        public void RejectsARateOutsideZeroToOneWithTheReceivedValue(double rate)
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AlphaDropout(rate));
            Assert.Contains($"rate={rate.ToString(System.Globalization.CultureInfo.InvariantCulture)}", error.Message);
        }

        [Fact]
        public void RejectsANoiseShapeWithAZero()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AlphaDropout(0.5, noiseShape: new Shape(0, 3)));
            Assert.Contains("index 0", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "AlphaDropout", "config": {"name": "alpha_dropout", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "rate": 0.1, "seed": 7, "noise_shape": null}, "registered_name": null}
                """;

            var layer = Assert.IsType<AlphaDropout>(Layer.Deserialize(json));

            Assert.Equal((0.1, (long?)7, (Shape?)null), (layer.Rate, layer.Seed, layer.NoiseShape));
            Assert.Equal("""{"name":"alpha_dropout","trainable":true,"dtype":"float32","rate":0.1,"seed":7,"noise_shape":null}""",
                layer.GetConfig().Values.ToJsonString());
        }

        [Fact]
        public void ReadsATfKeras2Config()
        {
            var layer = Assert.IsType<AlphaDropout>(Layer.Deserialize("""{"class_name": "AlphaDropout", "config": {"name": "alpha_dropout_1", "trainable": true, "dtype": "float32", "rate": 0.25}}"""));

            Assert.Equal((0.25, (long?)null), (layer.Rate, layer.Seed));
        }

        private static Tensor Expected(Tensor x, double rate, long[] noiseShape, ulong generatorSeed)
        {
            using var generator = new Generator(generatorSeed);
            var keep = rand(noiseShape, ScalarType.Float32, generator: generator).ge(rate).to(ScalarType.Float32);
            double a = Math.Pow((1 - rate) * (1 + rate * AlphaP * AlphaP), -0.5);
            double b = -a * AlphaP * rate;
            return a * (x * keep + AlphaP * (1 - keep)) + b;
        }
    }
}
