using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Reshaping
{
    public sealed class FlattenTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Flatten(dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 2) },
            ExpectedOutputShape = new Shape(4, 6),
            // Keras's Flatten does not support masking: the mask is dropped with a warning.
        });

        [Fact]
        public void KeepsTheRowMajorOrderOfEachSample()
        {
            using var x = arange(24, dtype: ScalarType.Float32).reshape(2, 3, 4);

            var y = new Flatten().Apply(x);

            Assert.Equal(new long[] { 2, 12 }, y.shape);
            Assert.Equal(new[] { 12f, 13f, 14f }, y[1].data<float>().ToArray()[..3]);
        }

        [Fact]
        public void ChannelsFirstMovesTheChannelsLastBeforeFlattening()
        {
            // (batch, channels=2, 3): the channels-last order interleaves the channels.
            using var x = tensor(new[] { 0f, 1f, 2f, 10f, 11f, 12f }).reshape(1, 2, 3);

            var y = new Flatten(dataFormat: DataFormat.ChannelsFirst).Apply(x);

            Assert.Equal(new[] { 0f, 10f, 1f, 11f, 2f, 12f }, y.data<float>().ToArray());
        }

        [Fact]
        public void ABatchOfScalarsGetsOneFeature()
        {
            var y = new Flatten().Apply(tensor(new[] { 1f, 2f, 3f }));
            Assert.Equal(new long[] { 3, 1 }, y.shape);
        }

        [Fact]
        public void TheOutputShapeIsUnknownWhenASampleDimensionIs()
        {
            var layer = new Flatten();
            Assert.Equal(new Shape(Shape.Unknown, 640), layer.ComputeOutputShape(new Shape(Shape.Unknown, 10, 64)));
            Assert.Equal(new Shape(Shape.Unknown, Shape.Unknown), layer.ComputeOutputShape(new Shape(Shape.Unknown, Shape.Unknown, 64)));
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Flatten", "config": {"name": "flatten", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "data_format": "channels_last"}, "registered_name": null, "build_config": {"input_shape": [null, 28, 28]}}
                """;

            var layer = Assert.IsType<Flatten>(Layer.Deserialize(json));

            Assert.Equal(DataFormat.ChannelsLast, layer.DataFormat);
            Assert.Equal(new long[] { 2, 784 }, layer.Apply(ones(2, 28, 28)).shape);
        }
    }
}
