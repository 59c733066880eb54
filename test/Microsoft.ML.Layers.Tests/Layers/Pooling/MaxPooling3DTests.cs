using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Pooling
{
    public sealed class MaxPooling3DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new MaxPooling3D((2, 2, 3), strides: 2, padding: Padding.Same, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 4, 5, 2) },
            ExpectedOutputShape = new Shape(2, 2, 2, 3, 2),
        });

        [Fact]
        public void TakesTheMaximumOfEachCube()
        {
            var pool = new MaxPooling3D();
            using var x = arange(16, dtype: ScalarType.Float32).reshape(1, 2, 2, 4, 1);

            var y = pool.Apply(x);

            // Cube 1: x[.., .., 0..2] holds 0, 1, 4, 5, 8, 9, 12, 13; cube 2 adds 2 to each.
            Assert.Equal(new float[] { 13, 15 }, y.data<float>().ToArray());
        }
    }
}
