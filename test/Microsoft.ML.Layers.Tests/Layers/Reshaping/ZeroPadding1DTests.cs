using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Reshaping
{
    public sealed class ZeroPadding1DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new ZeroPadding1D((1, 2), dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 2) },
            ExpectedOutputShape = new Shape(4, 6, 2),
        });

        [Fact]
        public void AddsZeroStepsAtBothEnds()
        {
            using var x = tensor(new[] { 1f, 2f, 3f, 4f }).reshape(1, 2, 2);

            var y = new ZeroPadding1D((1, 2)).Apply(x);

            Assert.Equal(new[] { 0f, 0f, 1f, 2f, 3f, 4f, 0f, 0f, 0f, 0f }, y.data<float>().ToArray());
        }

        [Fact]
        public void ChannelsFirstPadsTheLastAxis()
        {
            using var x = tensor(new[] { 1f, 2f, 3f, 4f }).reshape(1, 2, 2);   // (batch, features, steps)

            var y = new ZeroPadding1D(1, dataFormat: DataFormat.ChannelsFirst).Apply(x);

            Assert.Equal(new[] { 0f, 1f, 2f, 0f, 0f, 3f, 4f, 0f }, y.data<float>().ToArray());
        }

        [Fact]
        public void RejectsThreeValuesWithTheReceivedValue()
        {
            var error = Assert.Throws<ArgumentException>(() => new ZeroPadding1D(new[] { 1, 2, 3 }));
            Assert.Contains("padding=(1, 2, 3)", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "ZeroPadding1D", "config": {"name": "zero_padding1d", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "padding": [2, 1], "data_format": "channels_last"}, "registered_name": null}
                """;

            Assert.Equal((2, 1), Assert.IsType<ZeroPadding1D>(Layer.Deserialize(json)).Padding);
        }
    }
}
