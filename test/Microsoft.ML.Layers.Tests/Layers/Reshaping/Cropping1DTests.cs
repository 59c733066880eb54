using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Reshaping
{
    public sealed class Cropping1DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Cropping1D((1, 2), dtype: dtype),
            InputShapes = new Shape[] { new(4, 5, 2) },
            ExpectedOutputShape = new Shape(4, 2, 2),
        });

        [Theory]
        [InlineData(1, 2, 1, 3)]
        [InlineData(0, 1, 0, 4)]
        [InlineData(1, 0, 1, 5)]
        public void KeepsTheStepsBetweenTheCroppedEnds(int left, int right, int start, int end)
        {
            using var x = arange(5, dtype: ScalarType.Float32).reshape(1, 5, 1);

            var y = new Cropping1D((left, right)).Apply(x);

            Assert.Equal(Enumerable.Range(start, end - start).Select(i => (float)i).ToArray(), y.data<float>().ToArray());
        }

        [Fact]
        public void DefaultsToOneStepAtEachEnd()
        {
            var layer = new Cropping1D();
            Assert.Equal((1, 1), layer.Cropping);
            Assert.Equal("[1,1]", layer.GetConfig().Values["cropping"]!.ToJsonString());
        }

        [Fact]
        public void CroppingEverythingFailsNamingTheLayer()
        {
            var error = Assert.Throws<ArgumentException>(() => new Cropping1D((2, 3), name: "trim").Apply(ones(3, 5, 7)));
            Assert.Contains("'trim'", error.Message);
            Assert.Contains("cropping=(2, 3)", error.Message);
        }

        [Fact]
        public void RejectsANegativeAmountWithTheReceivedValue()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Cropping1D((1, -2)));
            Assert.Contains("cropping=(1, -2)", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Cropping1D", "config": {"name": "cropping1d", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "cropping": [2, 0]}, "registered_name": null}
                """;

            Assert.Equal((2, 0), Assert.IsType<Cropping1D>(Layer.Deserialize(json)).Cropping);
        }
    }
}
