using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Pooling
{
    public sealed class MaxPooling2DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new MaxPooling2D((2, 3), strides: (1, 2), dtype: dtype),
            InputShapes = new Shape[] { new(2, 5, 7, 3) },
            ExpectedOutputShape = new Shape(2, 4, 3, 3),
        });

        [Fact]
        public void PassesTheSharedLayerCheckChannelsFirstSame() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new MaxPooling2D(3, strides: 2, padding: Padding.Same, dataFormat: DataFormat.ChannelsFirst, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 6, 5) },
            ExpectedOutputShape = new Shape(2, 3, 3, 3),
        });

        [Fact]
        public void TakesEachWindowsMaximumWithSamePaddingAtTheEnd()
        {
            var pool = new MaxPooling2D(2, padding: Padding.Same);
            using var x = arange(1, 10, dtype: ScalarType.Float32).reshape(1, 3, 3, 1);   // 1 2 3 / 4 5 6 / 7 8 9

            var y = pool.Apply(x);

            Assert.Equal(new long[] { 1, 2, 2, 1 }, y.shape);
            Assert.Equal(new float[] { 5, 6, 8, 9 }, y.data<float>().ToArray());
        }

        [Fact]
        public void PoolsEachChannelSeparatelyInEitherLayout()
        {
            using var x = randn(2, 4, 6, 3);
            var last = new MaxPooling2D((2, 3));
            var first = new MaxPooling2D((2, 3), dataFormat: DataFormat.ChannelsFirst);

            var y = last.Apply(x);

            // Channel by channel, window by window.
            using var expected = x.reshape(2, 2, 2, 2, 3, 3).amax(new long[] { 2, 4 });
            Assert.True(expected.equal(y).all().item<bool>());
            Assert.True(first.Apply(x.permute(0, 3, 1, 2)).equal(y.permute(0, 3, 1, 2)).all().item<bool>());
        }

        [Theory]
        [InlineData("pool_size")]
        [InlineData("strides")]
        [InlineData("padding")]
        [InlineData("data_format")]
        public void RejectsBadArgumentsWithTheReceivedValue(string argument)
        {
            var (create, expected) = BadArgument(argument);

            var error = Assert.ThrowsAny<ArgumentException>(create);

            Assert.Contains(expected, error.Message);
        }

        private static (Action Create, string Expected) BadArgument(string argument) => argument switch
        {
            "pool_size" => (() => new MaxPooling2D((2, 0)), "pool_size=(2, 0)"),
            "strides" => (() => new MaxPooling2D(2, strides: -1), "strides=-1"),
            "padding" => (() => new MaxPooling2D(2, padding: Padding.Causal), "padding='causal'"),
            _ => (() => new MaxPooling2D(2, dataFormat: (DataFormat)7), "data_format=7"),
        };

        [Fact]
        public void AnInputSmallerThanTheWindowFailsNamingTheLayer()
        {
            var pool = new MaxPooling2D(3, name: "coarse");

            var error = Assert.Throws<ArgumentException>(() => pool.Apply(ones(1, 2, 5, 1)));

            Assert.Contains("'coarse'", error.Message);
            Assert.Contains("zero or negative", error.Message);
        }

        [Fact]
        public void AnInputOfAnotherRankFailsNamingTheLayer()
        {
            var pool = new MaxPooling2D(2, name: "pool_a");

            var error = Assert.Throws<ArgumentException>(() => pool.Apply(ones(1, 4, 4)));

            Assert.Contains("'pool_a'", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "MaxPooling2D", "config": {"name": "max_pooling2d", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "pool_size": [2, 2], "padding": "valid", "strides": [2, 2], "data_format": "channels_last"},
                 "registered_name": null}
                """;

            var pool = Assert.IsType<MaxPooling2D>(Layer.Deserialize(json));

            Assert.Equal(("max_pooling2d", new IntTuple(2, 2), new IntTuple(2, 2), Padding.Valid), (pool.Name, pool.PoolSize, pool.Strides, pool.Padding));
            Assert.Equal(new long[] { 1, 13, 13, 8 }, pool.Apply(ones(1, 26, 26, 8)).shape);
            Assert.Equal(new[] { "name", "trainable", "dtype", "pool_size", "padding", "strides", "data_format" }, pool.GetConfig().Keys);
        }
    }
}
