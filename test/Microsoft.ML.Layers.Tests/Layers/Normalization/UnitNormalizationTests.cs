using System;
using Microsoft.ML.Layers.TestFramework;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Normalization
{
    public sealed class UnitNormalizationTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new UnitNormalization(dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 5) },
            ExpectedOutputShape = new Shape(4, 3, 5),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
        });

        [Fact]
        public void ScalesEachRowToUnitLength()
        {
            var y = new UnitNormalization().Apply(tensor(new float[,] { { 3, 4 }, { 0, -2 } }));
            TensorAssert.Close(tensor(new double[,] { { 0.6, 0.8 }, { 0, -1 } }), y, 1e-6, 1e-6, "unit rows");
        }

        [Fact]
        public void AZeroRowStaysZero()
        {
            var y = new UnitNormalization().Apply(zeros(1, 3));
            Assert.Equal(0f, y.abs().max().item<float>());
        }

        [Fact]
        public void SeveralAxesShareOneNorm()
        {
            var x = randn(2, 3, 4);
            var y = new UnitNormalization(axis: new[] { 1, 2 }).Apply(x);

            var norms = x.square().sum(new long[] { 1, 2 }, keepdim: true).sqrt();
            TensorAssert.Close(x / norms, y, 1e-6, 1e-6, "axes (1, 2)");
        }

        [Fact]
        public void TheConfigWritesAnIntOrAListAsGiven()
        {
            Assert.Equal("-1", new UnitNormalization().GetConfig().Values["axis"]!.ToJsonString());
            Assert.Equal("[1,2]", new UnitNormalization(axis: (1, 2)).GetConfig().Values["axis"]!.ToJsonString());
        }

        [Fact]
        public void AnAxisOutsideTheInputFailsNamingTheLayer()
        {
            var error = Assert.Throws<ArgumentException>(() => new UnitNormalization(axis: 2, name: "unit_axis").Apply(ones(2, 3)));
            Assert.Contains("'unit_axis'", error.Message);
            Assert.Contains("axis=2", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "UnitNormalization", "config": {"name": "unit_normalization", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "axis": [1, 2]}, "registered_name": null, "build_config": {"input_shape": [null, 3, 4]}}
                """;

            var unit = Assert.IsType<UnitNormalization>(Layer.Deserialize(json));

            Assert.Equal(new[] { 1, 2 }, unit.Axis);
            Assert.True(unit.Built);
        }
    }
}
