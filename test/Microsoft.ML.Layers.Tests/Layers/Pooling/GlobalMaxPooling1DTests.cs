using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Pooling
{
    public sealed class GlobalMaxPooling1DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new GlobalMaxPooling1D(dtype: dtype),
            InputShapes = new Shape[] { new(2, 5, 3) },
            ExpectedOutputShape = new Shape(2, 3),
            // Keras 3's GlobalMaxPooling1D does not support masking: a mask is dropped with the usual warning.
            ExpectedSupportsMasking = false,
        });

        [Fact]
        public void PassesTheSharedLayerCheckChannelsFirstKeepdims() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new GlobalMaxPooling1D(dataFormat: DataFormat.ChannelsFirst, keepDims: true, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 5) },
            ExpectedOutputShape = new Shape(2, 3, 1),
        });

        [Fact]
        public void TakesTheMaximumOverStepsIgnoringAMaskLikeKeras()
        {
            var pool = new GlobalMaxPooling1D();
            using var x = tensor(new float[] { 1, -1, 7, -5, 3, 9 }).reshape(1, 3, 2);
            using var mask = tensor(new[] { true, true, false }).reshape(1, 3);

            var y = pool.Apply(x, mask: mask);

            Assert.Equal(new float[] { 7, 9 }, y.data<float>().ToArray());
        }
    }
}
