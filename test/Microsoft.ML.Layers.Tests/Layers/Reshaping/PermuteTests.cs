using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Reshaping
{
    public sealed class PermuteTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Permute((2, 1), dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 2) },
            ExpectedOutputShape = new Shape(4, 2, 3),
        });

        [Fact]
        public void MovesInputAxisDimsOfIToOutputAxisI()
        {
            // dims (3, 1, 2): output[n, a, b, c] = input[n, b, c, a].
            using var x = arange(24, dtype: ScalarType.Float32).reshape(1, 2, 3, 4);

            var y = new Permute(new[] { 3, 1, 2 }).Apply(x);

            Assert.Equal(new long[] { 1, 4, 2, 3 }, y.shape);
            Assert.Equal(x[0, 1, 2, 3].item<float>(), y[0, 3, 1, 2].item<float>());
            Assert.Equal(x[0, 0, 1, 2].item<float>(), y[0, 2, 0, 1].item<float>());
        }

        [Fact]
        public void RejectsDimsThatAreNotAPermutationFromOne()
        {
            var error = Assert.Throws<ArgumentException>(() => new Permute((0, 1)));
            Assert.Contains("dims=(0, 1)", error.Message);
        }

        [Fact]
        public void AnInputOfAnotherRankFailsNamingTheLayer()
        {
            var error = Assert.Throws<ArgumentException>(() => new Permute((2, 1), name: "swap").Apply(ones(2, 3)));
            Assert.Contains("'swap'", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Permute", "config": {"name": "permute", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "dims": [2, 1]}, "registered_name": null, "build_config": {"input_shape": [null, 10, 64]}}
                """;

            var layer = Assert.IsType<Permute>(Layer.Deserialize(json));

            Assert.Equal(new long[] { 3, 64, 10 }, layer.Apply(ones(3, 10, 64)).shape);
        }
    }
}
