using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Pooling
{
    public sealed class GlobalAveragePooling1DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new GlobalAveragePooling1D(dtype: dtype),
            InputShapes = new Shape[] { new(2, 5, 3) },
            ExpectedOutputShape = new Shape(2, 3),
            ExpectedSupportsMasking = true,
        });

        [Fact]
        public void PassesTheSharedLayerCheckChannelsFirstKeepdims() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new GlobalAveragePooling1D(dataFormat: DataFormat.ChannelsFirst, keepDims: true, dtype: dtype),
            // The check's mask covers the first two axes, so steps and channels have one size here.
            InputShapes = new Shape[] { new(2, 4, 4) },
            ExpectedOutputShape = new Shape(2, 4, 1),
            ExpectedSupportsMasking = true,
        });

        [Fact]
        public void MaskedStepsAreLeftOutOfTheMean()
        {
            var pool = new GlobalAveragePooling1D();
            using var x = tensor(new float[] { 1, 10, 2, 20, 6, 60, 100, 1000, 4, 40, 8, 80, 3, 30, 5, 50 }).reshape(2, 4, 2);
            using var mask = tensor(new[] { true, true, true, false, false, true, true, true }).reshape(2, 4);

            var y = pool.Apply(x, mask: mask);

            // Row 0: steps 0..2 -> (1 + 2 + 6) / 3, (10 + 20 + 60) / 3; row 1: steps 1..3 -> (8 + 3 + 5) / 3, (80 + 30 + 50) / 3.
            Assert.Equal(new float[] { 3, 30, 16f / 3, 160f / 3 }, y.data<float>().ToArray());
            Assert.Null(KerasMask.Get(y));
        }

        [Fact]
        public void MaskedStepsAreLeftOutEvenWhenTheyHoldNaN()
        {
            var pool = new GlobalAveragePooling1D(dataFormat: DataFormat.ChannelsFirst, keepDims: true);
            using var x = tensor(new float[] { 1, 3, float.NaN }).reshape(1, 1, 3);

            var y = pool.Apply(x, mask: tensor(new[] { true, true, false }).reshape(1, 3));

            Assert.Equal(new long[] { 1, 1, 1 }, y.shape);
            Assert.Equal(2f, y.item<float>());
        }

        [Fact]
        public void TakesTheMaskOfThePreviousLayer()
        {
            var pool = new GlobalAveragePooling1D();
            var x = tensor(new float[] { 2, 4, 9 }).reshape(1, 3, 1);
            KerasMask.Set(x, tensor(new[] { true, true, false }).reshape(1, 3));

            Assert.Equal(3f, pool.Apply(x).item<float>());
        }

        [Fact]
        public void WithoutAMaskIsThePlainMean()
        {
            using var x = randn(3, 4, 5);

            Assert.True(x.mean(new long[] { 1 }).allclose(new GlobalAveragePooling1D().Apply(x)));
        }
    }
}
