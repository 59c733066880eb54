using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Activations
{
    public sealed class ReLUTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new ReLU(maxValue: 1.5, negativeSlope: 0.1, threshold: 0.2, dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 2) },
            ExpectedOutputShape = new Shape(4, 3, 2),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
        });

        [Fact]
        public void ComputesKerasDocstringExample()
        {
            var y = new ReLU(maxValue: 10, negativeSlope: 0.5).Apply(tensor(new[] { -10f, -5f, 0f, 5f, 10f }).reshape(1, 5));

            Assert.Equal(new[] { -5f, -2.5f, 0f, 5f, 10f }, y.data<float>().ToArray());
        }

        [Fact]
        public void ComputesHandWorkedValuesWithAThresholdACapAndALeak()
        {
            // threshold 1, cap 3, slope 0.5: -1 -> 0.5 * (-1 - 1) = -1; 0.5 -> -0.25; 1 (the threshold itself) -> 0, as
            // Keras's x * (x > threshold) gives; 2 -> 2; 4 -> capped at 3.
            var y = new ReLU(maxValue: 3, negativeSlope: 0.5, threshold: 1).Apply(tensor(new[] { -1f, 0.5f, 1f, 2f, 4f }).reshape(1, 5));

            Assert.Equal(new[] { -1f, -0.25f, 0f, 2f, 3f }, y.data<float>().ToArray());
        }

        [Theory]
        [InlineData(null, 0.0, 0.0)]
        [InlineData(6.0, 0.0, 0.0)]
        [InlineData(2.0, 0.2, 0.0)]
        [InlineData(null, 0.3, 0.0)]
        [InlineData(2.5, 0.1, 0.7)]
        [InlineData(null, 0.0, 0.4)]
        public void MatchesThePiecewiseFormula(double? maxValue, double slope, double threshold)
        {
            using var x = randn(6, 40) * 4;
            var y = new ReLU(maxValue, slope, threshold).Apply(x);

            var below = (x - threshold) * slope;
            var expected = where(x.gt(threshold), x, below);
            if (maxValue is double cap)
                expected = where(x.ge(cap), full_like(x, cap), expected);
            Assert.True(y.allclose(expected, rtol: 1e-6, atol: 1e-6));
        }

        [Fact]
        public void IsNamedLikeKeras() => Assert.StartsWith("re_lu", new ReLU().Name, StringComparison.Ordinal);

        [Fact]
        public void RejectsANegativeCapNamingTheLayerAndTheValue()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ReLU(maxValue: -1));
            Assert.Contains("ReLU", error.Message);
            Assert.Contains("max_value=-1", error.Message);
        }

        [Fact]
        public void RejectsANegativeOrMissingSlopeAndThreshold()
        {
            Assert.Contains("negative_slope=-0.5", Assert.Throws<ArgumentOutOfRangeException>(() => new ReLU(negativeSlope: -0.5)).Message);
            Assert.Contains("negative_slope=None", Assert.Throws<ArgumentNullException>(() => new ReLU(negativeSlope: null)).Message);
            Assert.Contains("threshold=-2", Assert.Throws<ArgumentOutOfRangeException>(() => new ReLU(threshold: -2)).Message);
            Assert.Contains("threshold=None", Assert.Throws<FormatException>(() => Layer.Deserialize(
                """{"class_name": "ReLU", "config": {"name": "r", "threshold": null}}""")).Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "ReLU", "config": {"name": "re_lu", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "max_value": 6.0, "negative_slope": 0.0, "threshold": 0.0}, "registered_name": null, "build_config": {"input_shape": [null, 3]}}
                """;

            var layer = Assert.IsType<ReLU>(Layer.Deserialize(json));

            Assert.Equal(("re_lu", (double?)6.0, 0.0, 0.0), (layer.Name, layer.MaxValue, layer.NegativeSlope, layer.Threshold));
            Assert.Equal(new[] { 0f, 3f, 6f }, layer.Apply(tensor(new[] { -1f, 3f, 7f }).reshape(1, 3)).data<float>().ToArray());
        }

        [Fact]
        public void ReadsAKeras2Config()
        {
            const string json = """
                {"class_name": "ReLU", "config": {"name": "re_lu_3", "trainable": true, "dtype": "float32",
                 "max_value": null, "negative_slope": 0.10000000149011612, "threshold": 0.0}}
                """;

            var layer = Assert.IsType<ReLU>(Layer.Deserialize(json));

            Assert.Equal(((double?)null, 0.10000000149011612), (layer.MaxValue, layer.NegativeSlope));
            Assert.Equal("""{"name":"re_lu_3","trainable":true,"dtype":"float32","max_value":null,"negative_slope":0.10000000149011612,"threshold":0}""",
                layer.GetConfig().Values.ToJsonString());
        }
    }
}
