using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Activations
{
    public sealed class ELUTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new ELU(0.7, dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 2) },
            ExpectedOutputShape = new Shape(4, 3, 2),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
        });

        [Fact]
        public void ComputesHandWorkedValues()
        {
            // alpha 0.5: -1 -> 0.5 * (e^-1 - 1) = -0.31606028; 0 -> 0; 2 -> 2.
            var y = new ELU(0.5).Apply(tensor(new[] { -1f, 0f, 2f }).reshape(1, 3));

            Assert.True(y.allclose(tensor(new[] { -0.31606028f, 0f, 2f }).reshape(1, 3), rtol: 1e-6, atol: 1e-7));
        }

        [Fact]
        public void MatchesTheFormulaWithTheDefaultAlpha()
        {
            using var x = randn(5, 9) * 3;
            var layer = new ELU();

            Assert.Equal(1.0, layer.Alpha);
            Assert.True(layer.Apply(x).allclose(where(x.gt(0), x, x.exp() - 1), rtol: 1e-5, atol: 1e-6));
            Assert.StartsWith("elu", layer.Name, StringComparison.Ordinal);
        }

        [Fact]
        public void ReadsAKeras3ConfigWithoutAlpha()
        {
            // Keras 3's ELU does not write alpha: it reads back as the default.
            const string json = """
                {"module": "keras.layers", "class_name": "ELU", "config": {"name": "elu", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}},
                 "registered_name": null}
                """;

            Assert.Equal(1.0, Assert.IsType<ELU>(Layer.Deserialize(json)).Alpha);
        }

        [Fact]
        public void ReadsAKeras2ConfigWithAlphaAndWritesIt()
        {
            const string json = """{"class_name": "ELU", "config": {"name": "elu_2", "trainable": true, "dtype": "float32", "alpha": 0.5}}""";

            var layer = Assert.IsType<ELU>(Layer.Deserialize(json));

            Assert.Equal(("elu_2", 0.5), (layer.Name, layer.Alpha));
            Assert.Equal("""{"name":"elu_2","trainable":true,"dtype":"float32","alpha":0.5}""", layer.GetConfig().Values.ToJsonString());
        }
    }
}
