using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Activations
{
    public sealed class ThresholdedReLUTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new ThresholdedReLU(0.5, dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 2) },
            ExpectedOutputShape = new Shape(4, 3, 2),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
        });

        [Fact]
        public void KeepsOnlyValuesAboveTheta()
        {
            // theta 1: the threshold itself and everything below become 0.
            var y = new ThresholdedReLU().Apply(tensor(new[] { -3f, 0.5f, 1f, 1.5f, 4f }).reshape(1, 5));

            Assert.Equal(new[] { 0f, 0f, 0f, 1.5f, 4f }, y.data<float>().ToArray());
        }

        [Fact]
        public void MatchesTheFormula()
        {
            using var x = randn(6, 11) * 2;
            var layer = new ThresholdedReLU(0.3);

            Assert.True(layer.Apply(x).equal(where(x.gt(0.3), x, zeros_like(x))).all().item<bool>());
            Assert.StartsWith("thresholded_re_lu", layer.Name, StringComparison.Ordinal);
        }

        [Fact]
        public void RejectsANegativeOrMissingThetaWithTheReceivedValue()
        {
            var negative = Assert.Throws<ArgumentOutOfRangeException>(() => new ThresholdedReLU(-1.5));
            Assert.Contains("ThresholdedReLU", negative.Message);
            Assert.Contains("theta=-1.5", negative.Message);
            Assert.Contains("theta=None", Assert.Throws<ArgumentNullException>(() => new ThresholdedReLU(null)).Message);
        }

        [Fact]
        public void ReadsAKeras2Config()
        {
            const string json = """
                {"class_name": "ThresholdedReLU", "config": {"name": "thresholded_re_lu_1", "trainable": true, "dtype": "float32", "theta": 0.5}}
                """;

            var layer = Assert.IsType<ThresholdedReLU>(Layer.Deserialize(json));

            Assert.Equal(("thresholded_re_lu_1", 0.5), (layer.Name, layer.Theta));
            Assert.Equal("""{"name":"thresholded_re_lu_1","trainable":true,"dtype":"float32","theta":0.5}""", layer.GetConfig().Values.ToJsonString());
        }

        [Fact]
        public void ReadsAKeras3StyleConfig()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "ThresholdedReLU", "config": {"name": "t", "trainable": false,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float64"}, "registered_name": null},
                 "theta": 2.0}, "registered_name": null}
                """;

            var layer = Assert.IsType<ThresholdedReLU>(Layer.Deserialize(json));

            Assert.Equal((2.0, false, ScalarType.Float64), (layer.Theta, layer.Trainable, layer.DType));
        }
    }
}
