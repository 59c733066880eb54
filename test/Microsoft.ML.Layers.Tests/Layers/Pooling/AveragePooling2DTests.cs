using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Pooling
{
    public sealed class AveragePooling2DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new AveragePooling2D(3, strides: 2, padding: Padding.Same, dtype: dtype),
            InputShapes = new Shape[] { new(2, 6, 5, 3) },
            ExpectedOutputShape = new Shape(2, 3, 3, 3),
        });

        [Fact]
        public void PassesTheSharedLayerCheckChannelsFirstValid() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new AveragePooling2D((2, 1), dataFormat: DataFormat.ChannelsFirst, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 5, 4) },
            ExpectedOutputShape = new Shape(2, 3, 2, 4),
        });

        [Fact]
        public void SamePaddingAveragesOnlyTheRealCellsOfEachWindow()
        {
            var pool = new AveragePooling2D(2, padding: Padding.Same);
            using var x = arange(1, 10, dtype: ScalarType.Float32).reshape(1, 3, 3, 1);   // 1 2 3 / 4 5 6 / 7 8 9

            var y = pool.Apply(x);

            // (1 + 2 + 4 + 5) / 4, (3 + 6) / 2, (7 + 8) / 2, 9 / 1.
            Assert.Equal(new float[] { 3, 4.5f, 7.5f, 9 }, y.data<float>().ToArray());
        }

        [Fact]
        public void ValidPaddingAveragesWholeWindows()
        {
            var pool = new AveragePooling2D(2, strides: 1);
            using var x = arange(1, 10, dtype: ScalarType.Float32).reshape(1, 3, 3, 1);

            var y = pool.Apply(x);

            Assert.Equal(new float[] { 3, 4, 6, 7 }, y.data<float>().ToArray());
        }
    }
}
