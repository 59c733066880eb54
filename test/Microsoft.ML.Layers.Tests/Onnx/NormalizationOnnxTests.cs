using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Onnx
{
    /// <summary>Batch, layer (with its rms_scaling), RMS, group and unit normalization exported to ONNX with primitive
    /// operators and run in ONNX Runtime at opset 17 and 12, with random weights and statistics and inputs far from zero mean
    /// and unit variance.</summary>
    public class NormalizationOnnxTests
    {
        private static Tensor Sample(params long[] shape)
        {
            manual_seed(21);
            return randn(shape) * 3 + 1.5;
        }

        [Theory]
        [InlineData(-1, true, true)]
        [InlineData(-1, false, false)]
        [InlineData(-1, true, false)]
        [InlineData(-1, false, true)]
        [InlineData(1, true, true)]
        [InlineData(2, true, true)]
        public void BatchNormalizationUsesTheMovingStatistics(int axis, bool center, bool scale)
            => LayerOnnx.Matches(new BatchNormalization(axis: axis, epsilon: 0.05, center: center, scale: scale), Sample(4, 3, 5, 6));

        [Fact]
        public void BatchNormalizationOnFeatures()
            => LayerOnnx.Matches(new BatchNormalization(epsilon: 0.3), Sample(5, 7));

        [Theory]
        [InlineData(new[] { -1 }, true, true, false)]
        [InlineData(new[] { -1 }, false, false, false)]
        [InlineData(new[] { -1 }, true, false, false)]
        [InlineData(new[] { 2, 3 }, true, true, false)]
        [InlineData(new[] { 1 }, true, true, false)]
        [InlineData(new[] { 1, 3 }, true, true, false)]
        [InlineData(new[] { 3, 1 }, false, true, false)]
        [InlineData(new[] { -1 }, true, true, true)]
        [InlineData(new[] { 1, 2 }, true, true, true)]
        [InlineData(new[] { -1 }, false, false, true)]
        public void LayerNormalizationOverAnyAxes(int[] axis, bool center, bool scale, bool rmsScaling)
            => LayerOnnx.Matches(new LayerNormalization(axis, epsilon: 0.02, center: center, scale: scale, rmsScaling: rmsScaling),
                Sample(3, 4, 5, 6));

        [Theory]
        [InlineData(new[] { -1 })]
        [InlineData(new[] { 2, 3 })]
        [InlineData(new[] { 1 })]
        [InlineData(new[] { 3, 1 })]
        [InlineData(new[] { 1, -1 })]
        public void RMSNormalizationOverAnyAxes(int[] axis)
            => LayerOnnx.Matches(new RMSNormalization(axis, epsilon: 0.02), Sample(3, 4, 5, 6));

        [Fact]
        public void RMSNormalizationWithTheDefaultEpsilon()
        {
            LayerOnnx.Matches(new RMSNormalization(), Sample(3, 7, 4));
            LayerOnnx.Matches(new RMSNormalization(), zeros(2, 4));
        }

        [Theory]
        [InlineData(2, -1, true, true)]
        [InlineData(3, -1, false, false)]
        [InlineData(6, -1, true, true)]
        [InlineData(1, -1, true, true)]
        [InlineData(2, 1, true, true)]
        [InlineData(3, 1, true, false)]
        public void GroupNormalizationPerGroup(int groups, int axis, bool center, bool scale)
        {
            var shape = axis == 1 ? new long[] { 3, 6, 4, 5 } : new long[] { 3, 4, 5, 6 };
            LayerOnnx.Matches(new GroupNormalization(groups, axis, epsilon: 0.01, center: center, scale: scale), Sample(shape));
        }

        [Fact]
        public void GroupNormalizationOnSequences()
            => LayerOnnx.Matches(new GroupNormalization(2, epsilon: 0.01), Sample(3, 7, 4));

        [Fact]
        public void UnitNormalizationOverAnyAxes()
        {
            LayerOnnx.Matches(new UnitNormalization(), Sample(3, 4, 5));
            LayerOnnx.Matches(new UnitNormalization(new[] { 1, 2 }), Sample(3, 4, 5));
            LayerOnnx.Matches(new UnitNormalization(1), Sample(3, 4, 5));
            LayerOnnx.Matches(new UnitNormalization(), zeros(2, 4));
        }
    }
}
