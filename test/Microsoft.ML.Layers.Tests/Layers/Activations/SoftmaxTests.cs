using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Activations
{
    public sealed class SoftmaxTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Softmax(dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 2) },
            ExpectedOutputShape = new Shape(4, 3, 2),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
        });

        [Fact]
        public void PassesTheSharedLayerCheckOverSeveralAxes() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Softmax(new[] { 1, 2 }, dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 2) },
            ExpectedOutputShape = new Shape(4, 3, 2),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
        });

        [Fact]
        public void ComputesKerasDocstringExample()
        {
            var y = new Softmax().Apply(tensor(new[] { 1f, 2f, 1f }).reshape(1, 3));

            Assert.True(y.allclose(tensor(new[] { 0.21194157f, 0.5761169f, 0.21194157f }).reshape(1, 3), rtol: 1e-6, atol: 1e-7));
            Assert.StartsWith("softmax", new Softmax().Name, StringComparison.Ordinal);
        }

        [Fact]
        public void NormalizesOverTheGivenAxis()
        {
            using var x = randn(3, 4, 5);
            var y = new Softmax(1).Apply(x);

            var expected = x.exp() / x.exp().sum(1, keepdim: true);
            Assert.True(y.allclose(expected, rtol: 1e-5, atol: 1e-7));
        }

        [Fact]
        public void SeveralAxesAreNormalizedTogether()
        {
            using var x = randn(3, 4, 5);
            var y = new Softmax(new[] { 1, 2 }).Apply(x);

            var expected = x.exp() / x.exp().sum(new long[] { 1, 2 }, keepdim: true);
            Assert.True(y.allclose(expected, rtol: 1e-5, atol: 1e-8));
            Assert.True(y.sum(new long[] { 1, 2 }).allclose(ones(3)));
        }

        [Fact]
        public void AMaskAddsALargeNegativeNumberWhereItIsFalse()
        {
            // [1, 2, 3] with the last position masked: e / (e + e^2), e^2 / (e + e^2), and e^(3 - 1e9) / ... = 0.
            var y = new Softmax().Apply(tensor(new[] { 1f, 2f, 3f }).reshape(1, 3), mask: tensor(new[] { true, true, false }).reshape(1, 3));

            Assert.True(y.allclose(tensor(new[] { 0.26894142f, 0.7310586f, 0f }).reshape(1, 3), rtol: 1e-6, atol: 1e-7));
        }

        [Fact]
        public void AFullMaskMatchesKerasAdder()
        {
            using var x = randn(2, 3, 6);
            using var mask = rand(2, 3, 6).gt(0.3);

            var y = new Softmax().Apply(x, mask: mask);

            var shifted = x + (1 - mask.to(ScalarType.Float32)) * -1e9;
            Assert.True(y.allclose(shifted.softmax(-1), rtol: 1e-6, atol: 1e-7));
        }

        [Fact]
        public void ALowerRankMaskCoversTheLeadingAxes()
        {
            // A (batch, steps) mask on (batch, steps, features): the masked steps get the large negative on every feature.
            using var x = randn(2, 3, 4);
            var mask = tensor(new[] { true, false, true, true, true, false }).reshape(2, 3);

            var y = new Softmax().Apply(x, mask: mask);

            var shifted = x + (1 - mask.to(ScalarType.Float32)).unsqueeze(-1) * -1e9;
            Assert.True(y.allclose(shifted.softmax(-1), rtol: 1e-6, atol: 1e-7));
            Assert.True(KerasMask.Get(y)!.equal(mask).all().item<bool>());
        }

        [Fact]
        public void WritesTheAxisAsKerasDoes()
        {
            Assert.Equal("-1", new Softmax().GetConfig().Values["axis"]!.ToJsonString());
            Assert.Equal("[1,2]", new Softmax(new[] { 1, 2 }).GetConfig().Values["axis"]!.ToJsonString());
            Assert.Null(new Softmax((int[]?)null).GetConfig().Values["axis"]);
        }

        [Fact]
        public void AnAxisOfNoneNormalizesEverything()
        {
            using var x = randn(2, 3);
            var layer = Assert.IsType<Softmax>(Layer.Deserialize("""{"class_name": "Softmax", "config": {"name": "s", "axis": null}}"""));

            Assert.Null(layer.Axis);
            Assert.True(layer.Apply(x).allclose(x.exp() / x.exp().sum(), rtol: 1e-5, atol: 1e-8));
        }

        [Fact]
        public void RejectsAnEmptyListOfAxes()
        {
            var error = Assert.Throws<ArgumentException>(() => new Softmax(Array.Empty<int>()));
            Assert.Contains("axis=[]", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Softmax", "config": {"name": "attention_softmax", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "axis": [-2, -1]}, "registered_name": null}
                """;

            var layer = Assert.IsType<Softmax>(Layer.Deserialize(json));

            Assert.Equal(new[] { -2, -1 }, layer.Axis);
            Assert.Equal("[-2,-1]", layer.GetConfig().Values["axis"]!.ToJsonString());
        }

        [Fact]
        public void ReadsAKeras2Config()
        {
            var layer = Assert.IsType<Softmax>(Layer.Deserialize("""{"class_name": "Softmax", "config": {"name": "softmax_1", "trainable": true, "dtype": "float32", "axis": 1}}"""));

            Assert.Equal(new[] { 1 }, layer.Axis);
            Assert.Equal("""{"name":"softmax_1","trainable":true,"dtype":"float32","axis":1}""", layer.GetConfig().Values.ToJsonString());
        }
    }
}
