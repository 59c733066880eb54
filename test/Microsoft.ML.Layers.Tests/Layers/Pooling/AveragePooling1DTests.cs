using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Pooling
{
    public sealed class AveragePooling1DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new AveragePooling1D(2, strides: 2, padding: Padding.Same, dtype: dtype),
            InputShapes = new Shape[] { new(2, 5, 3) },
            ExpectedOutputShape = new Shape(2, 3, 3),
        });

        [Fact]
        public void SamePaddingExcludesPaddedCellsFromTheMean()
        {
            var pool = new AveragePooling1D(2, padding: Padding.Same);

            var y = pool.Apply(tensor(new float[] { 1, 2, 3, 4, 5 }).reshape(1, 5, 1));

            // Windows [1, 2], [3, 4], [5, padding]: the last mean is 5, not 2.5 (TensorFlow's divisor).
            Assert.Equal(new float[] { 1.5f, 3.5f, 5 }, y.data<float>().ToArray());
        }

        [Fact]
        public void SamePaddingWithOverlappingWindowsDividesByTheRealCellsOnBothEnds()
        {
            var pool = new AveragePooling1D(4, strides: 1, padding: Padding.Same, dataFormat: DataFormat.ChannelsFirst);

            var y = pool.Apply(tensor(new float[] { 1, 2, 3, 4 }).reshape(1, 1, 4));

            // Total padding 3: one in front, two behind. Windows: [p, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, p], [3, 4, p, p].
            Assert.Equal(new float[] { 2, 2.5f, 3, 3.5f }, y.data<float>().ToArray());
        }
    }
}
