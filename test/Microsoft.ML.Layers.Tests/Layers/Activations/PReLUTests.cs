using System;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Activations
{
    public sealed class PReLUTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new PReLU(alphaInitializer: Initializer.Constant(0.25), dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 2) },
            ExpectedOutputShape = new Shape(4, 3, 2),
            ExpectedTrainableWeights = 1,
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
        });

        [Fact]
        public void PassesTheSharedLayerCheckWithSharedAxes() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new PReLU(sharedAxes: new[] { 1, 2 }, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 4, 5) },
            ExpectedOutputShape = new Shape(2, 3, 4, 5),
            ExpectedTrainableWeights = 1,
            ExpectedSupportsMasking = true,
        });

        [Fact]
        public void AlphaHasTheInputShapeWithSharedAxesOfSizeOne()
        {
            var layer = new PReLU(sharedAxes: new[] { 1, 2 });
            layer.Apply(randn(2, 3, 4, 5));

            Assert.Equal("alpha", layer.Alpha!.Name);
            Assert.Equal(new Shape(1, 1, 5), layer.Alpha.Shape);
            Assert.True(layer.Alpha.eq(0).all().item<bool>());   // Keras's default initializer is zeros
            Assert.StartsWith("p_re_lu", layer.Name, StringComparison.Ordinal);
        }

        [Fact]
        public void NegativeInputsAreScaledByTheirAlpha()
        {
            using var x = randn(3, 4, 2);
            var slopes = new float[,] { { 0.1f, 0.7f } };   // shared along axis 1: one slope per feature
            var layer = new PReLU(sharedAxes: 1);
            layer.EnsureBuilt(new Shape(Shape.Unknown, 4, 2));
            layer.SetWeights(new Array[] { slopes });
            using var alpha = tensor(slopes);

            var y = layer.Apply(x);

            Assert.True(y.allclose(where(x.ge(0), x, x * alpha), rtol: 1e-6, atol: 1e-7));
        }

        [Fact]
        public void OnceBuiltItRequiresTheSizesOfTheAxesItDoesNotShare()
        {
            var layer = new PReLU(sharedAxes: new[] { 1 }, name: "prelu");
            layer.Apply(randn(2, 3, 4));

            var error = Assert.Throws<ArgumentException>(() => layer.Apply(randn(2, 3, 5)));
            Assert.Contains("'prelu'", error.Message);
            Assert.Equal(new long[] { 2, 7, 4 }, layer.Apply(randn(2, 7, 4)).shape);
        }

        [Fact]
        public void RejectsASharedAxisOutsideTheInputNamingIt()
        {
            var error = Assert.Throws<ArgumentException>(() => new PReLU(sharedAxes: 0, name: "prelu").Apply(randn(2, 3)));
            Assert.Contains("shared_axes=[0]", error.Message);
            Assert.Contains("'prelu'", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "PReLU", "config": {"name": "p_re_lu", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "alpha_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                 "alpha_regularizer": null, "alpha_constraint": null, "shared_axes": [1, 2]},
                 "registered_name": null, "build_config": {"input_shape": [null, 6, 6, 8]}}
                """;

            var layer = Assert.IsType<PReLU>(Layer.Deserialize(json));

            Assert.Equal(new[] { 1, 2 }, layer.SharedAxes);
            Assert.Equal(new Shape(1, 1, 8), layer.Alpha!.Shape);
            Assert.Equal("""{"module":"keras.initializers","class_name":"Zeros","config":{},"registered_name":null}""",
                layer.GetConfig().Values["alpha_initializer"]!.ToJsonString());
        }
    }
}
