using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Pooling
{
    public sealed class GlobalMaxPooling2DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new GlobalMaxPooling2D(keepDims: true, dtype: dtype),
            InputShapes = new Shape[] { new(2, 4, 5, 3) },
            ExpectedOutputShape = new Shape(2, 1, 1, 3),
        });

        [Fact]
        public void TakesTheMaximumOverAllPositionsPerChannel()
        {
            using var x = randn(2, 3, 4, 5);

            var last = new GlobalMaxPooling2D().Apply(x);
            var first = new GlobalMaxPooling2D(dataFormat: DataFormat.ChannelsFirst).Apply(x);

            Assert.True(x.reshape(2, 12, 5).max(1).values.equal(last).all().item<bool>());
            Assert.True(x.reshape(2, 3, 20).max(2).values.equal(first).all().item<bool>());
        }
    }
}
