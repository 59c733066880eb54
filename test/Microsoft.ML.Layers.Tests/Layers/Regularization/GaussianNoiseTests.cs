using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Regularization
{
    public sealed class GaussianNoiseTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new GaussianNoise(0.5, seed: 3, dtype: dtype),
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
            Assert.True(new GaussianNoise(1.0).Apply(x).equal(x).all().item<bool>());
        }

        [Fact]
        public void ASeededLayerAddsKerasTorchBackendsNormalDraws()
        {
            using var x = randn(3, 8);
            var layer = new GaussianNoise(0.2, seed: 100);

            var first = layer.Apply(x, training: true);
            var second = layer.Apply(x, training: true);

            Assert.True(first.allclose(x + Normal(x.shape, 0.0, 0.2, 100), rtol: 0, atol: 1e-7));
            Assert.True(second.allclose(x + Normal(x.shape, 0.0, 0.2, 101), rtol: 0, atol: 1e-7));
        }

        [Fact]
        public void TheNoiseHasMeanZeroAndTheGivenDeviation()
        {
            using var x = zeros(400, 500);
            var noise = new GaussianNoise(0.3, seed: 1).Apply(x, training: true);

            Assert.InRange(noise.mean().item<float>(), -0.005f, 0.005f);
            Assert.InRange(noise.std().item<float>(), 0.297f, 0.303f);
        }

        [Fact]
        public void RejectsADeviationOutsideZeroToOneAsKerasDoes()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianNoise(1.5));
            Assert.Contains("stddev=1.5", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "GaussianNoise", "config": {"name": "gaussian_noise", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "stddev": 0.1, "seed": null}, "registered_name": null}
                """;

            var layer = Assert.IsType<GaussianNoise>(Layer.Deserialize(json));

            Assert.Equal(0.1, layer.Stddev);
        }

        internal static Tensor Normal(long[] shape, double mean, double stddev, ulong seed)
        {
            using var generator = new Generator(seed);
            return empty(shape).normal_(mean, stddev, generator);
        }
    }
}
