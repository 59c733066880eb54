using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Activations
{
    public sealed class LeakyReLUTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new LeakyReLU(0.2, dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 2) },
            ExpectedOutputShape = new Shape(4, 3, 2),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
        });

        [Fact]
        public void ComputesKerasDocstringExample()
        {
            var y = new LeakyReLU(0.5).Apply(tensor(new[] { -10f, -5f, 0f, 5f, 10f }).reshape(1, 5));

            Assert.Equal(new[] { -5f, -2.5f, 0f, 5f, 10f }, y.data<float>().ToArray());
        }

        [Fact]
        public void TheDefaultSlopeIsPointThree()
        {
            using var x = randn(5, 7);
            var layer = new LeakyReLU();

            Assert.Equal(0.3, layer.NegativeSlope);
            Assert.True(layer.Apply(x).allclose(where(x.ge(0), x, x * 0.3), rtol: 1e-6, atol: 0));
            Assert.StartsWith("leaky_re_lu", layer.Name, StringComparison.Ordinal);
        }

        [Fact]
        public void RejectsANegativeOrMissingSlopeWithTheReceivedValue()
        {
            var negative = Assert.Throws<ArgumentOutOfRangeException>(() => new LeakyReLU(-0.1));
            Assert.Contains("LeakyReLU", negative.Message);
            Assert.Contains("negative_slope=-0.1", negative.Message);
            Assert.Contains("negative_slope=None", Assert.Throws<ArgumentNullException>(() => new LeakyReLU(null)).Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "LeakyReLU", "config": {"name": "lrelu", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float64"}, "registered_name": null},
                 "negative_slope": 0.1}, "registered_name": null}
                """;

            var layer = Assert.IsType<LeakyReLU>(Layer.Deserialize(json));

            Assert.Equal(("lrelu", 0.1, ScalarType.Float64), (layer.Name, layer.NegativeSlope, layer.DType));
        }

        [Fact]
        public void ReadsAKeras2ConfigWithAlphaAndWritesNegativeSlope()
        {
            const string json = """
                {"class_name": "LeakyReLU", "config": {"name": "leaky_re_lu_1", "trainable": true, "dtype": "float32", "alpha": 0.30000001192092896}}
                """;

            var layer = Assert.IsType<LeakyReLU>(Layer.Deserialize(json));

            Assert.Equal(("leaky_re_lu_1", 0.30000001192092896), (layer.Name, layer.NegativeSlope));
            Assert.Equal("""{"name":"leaky_re_lu_1","trainable":true,"dtype":"float32","negative_slope":0.30000001192092896}""",
                layer.GetConfig().Values.ToJsonString());
            Assert.Equal(new[] { -0.6f, 2f }, layer.Apply(tensor(new[] { -2f, 2f }).reshape(1, 2)).data<float>().ToArray());
        }

        [Fact]
        public void AlphaWinsOverNegativeSlopeAndUnknownKeysAreRefused()
        {
            var both = Assert.IsType<LeakyReLU>(Layer.Deserialize("""{"class_name": "LeakyReLU", "config": {"negative_slope": 0.1, "alpha": 0.2}}"""));
            Assert.Equal(0.2, both.NegativeSlope);
            Assert.Equal(0.3, Assert.IsType<LeakyReLU>(Layer.Deserialize("""{"class_name": "LeakyReLU", "config": {}}""")).NegativeSlope);
            var error = Assert.Throws<FormatException>(() => Layer.Deserialize("""{"class_name": "LeakyReLU", "config": {"slope": 0.1}}"""));
            Assert.Contains("slope", error.Message);
        }
    }
}
