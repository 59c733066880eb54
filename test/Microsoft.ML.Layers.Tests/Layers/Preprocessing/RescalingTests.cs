using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Preprocessing
{
    public sealed class RescalingTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Rescaling(1 / 127.5, -1, dtype: dtype),
            InputShapes = new Shape[] { new(2, 4, 3, 2) },
            ExpectedOutputShape = new Shape(2, 4, 3, 2),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(2, 4),
        });

        [Fact]
        public void MapsByteImagesToMinusOneToOneInFloat32()
        {
            // x / 127.5 - 1: 0 -> -1, 51 -> -0.6, 127.5 would be 0, 255 -> 1.
            using var x = tensor(new byte[] { 0, 51, 255 }).reshape(1, 3);

            var y = new Rescaling(1 / 127.5, offset: -1).Apply(x);

            Assert.Equal(ScalarType.Float32, y.dtype);
            TensorAssert.Close(new[] { -1f, -0.6f, 1f }, y.data<float>().ToArray(), 0, 1e-6);
        }

        [Fact]
        public void ScalesWithoutOffsetByDefault()
        {
            var y = new Rescaling(1 / 255.0).Apply(tensor(new[] { 0f, 127.5f, 255f }));
            TensorAssert.Close(new[] { 0f, 0.5f, 1f }, y.data<float>().ToArray(), 0, 1e-7);
        }

        [Fact]
        public void ComputesInTheLayersDType()
        {
            var y = new Rescaling(0.5, 0.25, dtype: ScalarType.Float64).Apply(tensor(new[] { 3, 5 }));
            Assert.Equal(ScalarType.Float64, y.dtype);
            Assert.Equal(new[] { 1.75, 2.75 }, y.data<double>().ToArray());
        }

        [Theory]
        [InlineData(double.NaN, 0, "scale")]
        [InlineData(1, double.PositiveInfinity, "offset")]
        public void RejectsANonFiniteArgumentNamingIt(double scale, double offset, string argument)
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Rescaling(scale, offset));
            Assert.Equal(argument, error.ParamName);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Rescaling", "config": {"name": "rescaling", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "scale": 0.00392156862745098, "offset": 0.0}, "registered_name": null}
                """;

            var layer = Assert.IsType<Rescaling>(Layer.Deserialize(json));

            Assert.Equal((1 / 255.0, 0.0, "rescaling"), (layer.Scale, layer.Offset, layer.Name));
        }

        [Fact]
        public void ReadsATfKeras2Config()
        {
            const string json = """
                {"class_name": "Rescaling", "config": {"name": "rescaling_1", "trainable": true, "dtype": "float32",
                 "scale": 0.00784313725490196, "offset": -1}}
                """;

            var layer = Assert.IsType<Rescaling>(Layer.Deserialize(json));

            Assert.Equal((2 / 255.0, -1.0), (layer.Scale, layer.Offset));
        }

        [Fact]
        public void RefusesAPerChannelScaleArray()
        {
            const string json = """
                {"class_name": "Rescaling", "config": {"name": "rescaling", "trainable": true, "dtype": "float32",
                 "scale": {"class_name": "__numpy__", "config": {"value": [0.1, 0.2, 0.3], "dtype": "float32"}}, "offset": 0.0}}
                """;

            var error = Assert.Throws<FormatException>(() => Layer.Deserialize(json));

            Assert.Contains("scale", error.Message);
        }
    }
}
