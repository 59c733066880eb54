using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Reshaping
{
    public sealed class ReshapeTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Reshape((2, -1), dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 2) },
            ExpectedOutputShape = new Shape(4, 2, 3),
        });

        [Fact]
        public void ReshapesEachSampleInRowMajorOrder()
        {
            using var x = arange(12, dtype: ScalarType.Float32).reshape(1, 12);

            var y = new Reshape((3, 4)).Apply(x);

            Assert.Equal(new long[] { 1, 3, 4 }, y.shape);
            Assert.Equal(new[] { 4f, 5f, 6f, 7f }, y[0, 1].data<float>().ToArray());
        }

        [Fact]
        public void InfersTheMinusOneFromTheSize()
        {
            var layer = new Reshape(new[] { -1, 2, 2 });

            Assert.Equal(new long[] { 5, 3, 2, 2 }, layer.Apply(ones(5, 12)).shape);
            Assert.Equal(new Shape(Shape.Unknown, 3, 2, 2), layer.ComputeOutputShape(new Shape(Shape.Unknown, 12)));
            Assert.Equal(new Shape(Shape.Unknown, Shape.Unknown, 2, 2), layer.ComputeOutputShape(new Shape(Shape.Unknown, Shape.Unknown)));
        }

        [Fact]
        public void RejectsTwoMinusOnesWithTheReceivedShape()
        {
            var error = Assert.Throws<ArgumentException>(() => new Reshape((-1, -1)));
            Assert.Contains("target_shape=(-1, -1)", error.Message);
        }

        [Fact]
        public void AnInputOfAnotherSizeFailsNamingTheLayer()
        {
            var layer = new Reshape((3, 4), name: "to_grid");

            var error = Assert.Throws<ArgumentException>(() => layer.Apply(ones(2, 10)));

            Assert.Contains("'to_grid'", error.Message);
            Assert.Contains("target_shape=(3, 4)", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Reshape", "config": {"name": "reshape", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "target_shape": [-1, 2, 2]}, "registered_name": null, "build_config": {"input_shape": [null, 12]}}
                """;

            var layer = Assert.IsType<Reshape>(Layer.Deserialize(json));

            Assert.Equal(new[] { -1, 2, 2 }, layer.TargetShape.Values);
            Assert.Equal("[-1,2,2]", layer.GetConfig().Values["target_shape"]!.ToJsonString());
        }
    }
}
