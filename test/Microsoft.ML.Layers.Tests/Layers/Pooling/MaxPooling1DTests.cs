using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Pooling
{
    public sealed class MaxPooling1DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new MaxPooling1D(3, strides: 2, padding: Padding.Same, dtype: dtype),
            InputShapes = new Shape[] { new(2, 6, 3) },
            ExpectedOutputShape = new Shape(2, 3, 3),
        });

        [Fact]
        public void SamePaddingNeverWinsTheMaximum()
        {
            var pool = new MaxPooling1D(2, padding: Padding.Same);

            var y = pool.Apply(tensor(new float[] { -1, -2, -3 }).reshape(1, 3, 1));

            // Windows [-1, -2] and [-3, padding]: the padded cell is ignored, not a zero.
            Assert.Equal(new float[] { -1, -3 }, y.data<float>().ToArray());
        }

        [Fact]
        public void StridesDefaultToThePoolSize()
        {
            var pool = new MaxPooling1D(2);

            var y = pool.Apply(tensor(new float[] { 1, 5, 2, 4, 3 }).reshape(1, 5, 1));

            Assert.Equal(new IntTuple(2), pool.Strides);
            Assert.Equal(new float[] { 5, 4 }, y.data<float>().ToArray());   // valid: the fifth step is dropped
        }
    }
}
