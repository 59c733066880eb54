using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Pooling
{
    public sealed class GlobalMaxPooling3DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new GlobalMaxPooling3D(keepDims: true, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 4, 2, 3) },
            ExpectedOutputShape = new Shape(2, 1, 1, 1, 3),
        });

        [Fact]
        public void PassesTheSharedLayerCheckChannelsFirst() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new GlobalMaxPooling3D(DataFormat.ChannelsFirst, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 4, 2, 5) },
            ExpectedOutputShape = new Shape(2, 3),
        });

        [Fact]
        public void TakesTheMaximumOverAllPositionsPerChannel()
        {
            using var x = randn(new long[] { 2, 3, 4, 2, 5 });

            var last = new GlobalMaxPooling3D().Apply(x);
            var first = new GlobalMaxPooling3D(dataFormat: DataFormat.ChannelsFirst).Apply(x);
            var kept = new GlobalMaxPooling3D(dataFormat: DataFormat.ChannelsFirst, keepDims: true).Apply(x);

            Assert.True(x.reshape(2, 24, 5).max(1).values.equal(last).all().item<bool>());
            Assert.True(x.reshape(2, 3, 40).max(2).values.equal(first).all().item<bool>());
            Assert.Equal(new long[] { 2, 3, 1, 1, 1 }, kept.shape);
            Assert.Equal(new Shape(Shape.Unknown, 3, 1, 1, 1), new GlobalMaxPooling3D(DataFormat.ChannelsFirst, keepDims: true)
                .ComputeOutputShape(new Shape(Shape.Unknown, 3, Shape.Unknown, 2, 5)));
        }

        [Fact]
        public void ReadsAKeras3ConfigUnderBothNames()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "GlobalMaxPool3D", "config": {"name": "gmp3", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "data_format": "channels_last", "keepdims": false}, "registered_name": null}
                """;

            var pool = Assert.IsType<GlobalMaxPooling3D>(Layer.Deserialize(json));

            Assert.Equal(("gmp3", DataFormat.ChannelsLast, false), (pool.Name, pool.DataFormat, pool.KeepDims));
            Assert.Equal(new[] { "name", "trainable", "dtype", "data_format", "keepdims" }, pool.GetConfig().Keys);
            Assert.Equal(new long[] { 3, 4 }, pool.Apply(randn(new long[] { 3, 2, 2, 2, 4 })).shape);
        }
    }
}
