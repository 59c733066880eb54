using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Pooling
{
    public sealed class GlobalAveragePooling3DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new GlobalAveragePooling3D(dataFormat: DataFormat.ChannelsFirst, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 4, 2, 3) },
            ExpectedOutputShape = new Shape(2, 3),
        });

        [Fact]
        public void PassesTheSharedLayerCheckWithKeepDims() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new GlobalAveragePooling3D(keepDims: true, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 4, 2, 5) },
            ExpectedOutputShape = new Shape(2, 1, 1, 1, 5),
        });

        [Fact]
        public void AveragesAllPositionsPerChannel()
        {
            // channel 0: 1 3 5 ... 15 (mean 8), channel 1: 2 4 ... 16 (mean 9).
            using var x = arange(1, 17, dtype: ScalarType.Float32).reshape(1, 2, 2, 2, 2);

            var y = new GlobalAveragePooling3D().Apply(x);
            var first = new GlobalAveragePooling3D(DataFormat.ChannelsFirst, keepDims: true).Apply(x.permute(0, 4, 1, 2, 3));

            Assert.Equal(new float[] { 8, 9 }, y.data<float>().ToArray());
            Assert.Equal(new long[] { 1, 2, 1, 1, 1 }, first.shape);
            Assert.Equal(new float[] { 8, 9 }, first.data<float>().ToArray());
        }

        [Theory]
        [InlineData(DataFormat.ChannelsLast, false, new long[] { 4, 6 })]
        [InlineData(DataFormat.ChannelsLast, true, new long[] { 4, 1, 1, 1, 6 })]
        [InlineData(DataFormat.ChannelsFirst, false, new long[] { 4, 2 })]
        [InlineData(DataFormat.ChannelsFirst, true, new long[] { 4, 2, 1, 1, 1 })]
        public void InfersTheOutputShape(DataFormat dataFormat, bool keepDims, long[] expected)
        {
            var pool = new GlobalAveragePooling3D(dataFormat, keepDims);

            Assert.Equal(new Shape(expected), pool.ComputeOutputShape(new Shape(4, 2, 3, 5, 6)));
            Assert.Equal(expected, pool.Apply(randn(new long[] { 4, 2, 3, 5, 6 })).shape);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "GlobalAveragePooling3D", "config": {"name": "gap3", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "data_format": "channels_first", "keepdims": true}, "registered_name": null}
                """;

            var pool = Assert.IsType<GlobalAveragePooling3D>(Layer.Deserialize(json));

            Assert.Equal(("gap3", DataFormat.ChannelsFirst, true), (pool.Name, pool.DataFormat, pool.KeepDims));
            Assert.Equal(new[] { "name", "trainable", "dtype", "data_format", "keepdims" }, pool.GetConfig().Keys);
            Assert.IsType<GlobalAveragePooling3D>(Layer.Deserialize(json.Replace("\"GlobalAveragePooling3D\"", "\"GlobalAvgPool3D\"",
                StringComparison.Ordinal)));
        }
    }
}
