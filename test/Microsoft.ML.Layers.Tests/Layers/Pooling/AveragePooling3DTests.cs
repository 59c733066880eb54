using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Pooling
{
    public sealed class AveragePooling3DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new AveragePooling3D(2, padding: Padding.Same, dataFormat: DataFormat.ChannelsFirst, dtype: dtype),
            InputShapes = new Shape[] { new(2, 2, 3, 4, 3) },
            ExpectedOutputShape = new Shape(2, 2, 2, 2, 2),
        });

        [Fact]
        public void SamePaddingAveragesOnlyTheRealCellsOfEachCube()
        {
            var pool = new AveragePooling3D(2, padding: Padding.Same);
            // (1, 3, 2, 6, 1): the cell at depth d, row h, column w holds 100 d + 6 h + w.
            using var x = arange(12, dtype: ScalarType.Float32).reshape(1, 1, 2, 6, 1) + arange(3, dtype: ScalarType.Float32).reshape(1, 3, 1, 1, 1) * 100;

            var y = pool.Apply(x);

            // Depth 3 -> 2 with one padded layer at the end: the second window has one real layer (mean 200), the first
            // two (mean 50). Each 2x2 window of rows and columns adds 3.5, 5.5 or 7.5 (0 1 6 7, 2 3 8 9, 4 5 10 11).
            Assert.Equal(new float[] { 53.5f, 55.5f, 57.5f, 203.5f, 205.5f, 207.5f }, y.data<float>().ToArray());
        }
    }
}
