using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Regularization
{
    public sealed class GaussianDropoutTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new GaussianDropout(0.3, seed: 3, dtype: dtype),
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
            Assert.True(new GaussianDropout(0.5).Apply(x).equal(x).all().item<bool>());
        }

        [Fact]
        public void ASeededLayerMultipliesByKerasTorchBackendsNormalDraws()
        {
            // rate 0.2: the noise is N(1, sqrt(0.2 / 0.8)) = N(1, 0.5).
            using var x = randn(3, 8);

            var y = new GaussianDropout(0.2, seed: 77).Apply(x, training: true);

            Assert.True(y.allclose(x * GaussianNoiseTests.Normal(x.shape, 1.0, 0.5, 77), rtol: 1e-6, atol: 1e-7));
        }

        [Fact]
        public void TheNoiseHasMeanOneAndDeviationFromTheRate()
        {
            using var x = ones(400, 500);
            var noise = new GaussianDropout(0.5, seed: 2).Apply(x, training: true);   // sqrt(0.5 / 0.5) = 1

            Assert.InRange(noise.mean().item<float>(), 0.99f, 1.01f);
            Assert.InRange(noise.std().item<float>(), 0.99f, 1.01f);
        }

        [Theory]
        [InlineData(1.0)]
        [InlineData(2.0)]
        public void RejectsARateWithoutAFiniteDeviation(double rate)
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianDropout(rate));
            Assert.Contains($"rate={rate.ToString(System.Globalization.CultureInfo.InvariantCulture)}", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "GaussianDropout", "config": {"name": "gd", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "rate": 0.4, "seed": 12}, "registered_name": null}
                """;

            var layer = Assert.IsType<GaussianDropout>(Layer.Deserialize(json));

            Assert.Equal((0.4, (long?)12), (layer.Rate, layer.Seed));
        }
    }
}
