using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Pooling
{
    public sealed class GlobalAveragePooling2DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new GlobalAveragePooling2D(dataFormat: DataFormat.ChannelsFirst, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 4, 5) },
            ExpectedOutputShape = new Shape(2, 3),
        });

        [Fact]
        public void AveragesAllPositionsPerChannel()
        {
            using var x = arange(1, 9, dtype: ScalarType.Float32).reshape(1, 2, 2, 2);   // channel 0: 1 3 5 7, channel 1: 2 4 6 8

            var y = new GlobalAveragePooling2D(keepDims: true).Apply(x);

            Assert.Equal(new long[] { 1, 1, 1, 2 }, y.shape);
            Assert.Equal(new float[] { 4, 5 }, y.data<float>().ToArray());
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "GlobalAveragePooling2D", "config": {"name": "gap", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "data_format": "channels_last", "keepdims": false}, "registered_name": null}
                """;

            var pool = Assert.IsType<GlobalAveragePooling2D>(Layer.Deserialize(json));

            Assert.Equal(("gap", DataFormat.ChannelsLast, false), (pool.Name, pool.DataFormat, pool.KeepDims));
            Assert.Equal(new[] { "name", "trainable", "dtype", "data_format", "keepdims" }, pool.GetConfig().Keys);
        }
    }
}
