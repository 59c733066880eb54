using System.Linq;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Engine
{
    public sealed class DTypeTests
    {
        [Theory]
        [InlineData(ScalarType.Float64)]
        [InlineData(ScalarType.Float16)]
        [InlineData(ScalarType.BFloat16)]
        public void WeightsAndOutputsUseTheLayersDType(ScalarType dtype)
        {
            var layer = new SimpleDense(3, dtype: dtype);

            var y = layer.Apply(ones(2, 4));

            Assert.Equal(dtype, y.dtype);
            Assert.All(layer.Weights, w => Assert.Equal(dtype, w.dtype));
            Assert.Equal(DTypes.ToKerasName(dtype), (string?)layer.GetConfig().Values["dtype"]);
        }

        [Fact]
        public void AMixedPolicyKeepsFloat32WeightsComputesInHalfAndTrainsTheFloat32Weights()
        {
            var layer = new SimpleDense(3);
            layer.DTypePolicy = new DTypePolicy("mixed_float16");
            using var x = randn(5, 4);

            var y = layer.Apply(x);
            y.to(ScalarType.Float32).sum().backward();

            Assert.Equal(ScalarType.Float16, y.dtype);
            Assert.All(layer.Weights, w => Assert.Equal(ScalarType.Float32, w.dtype));
            var kernelGradient = layer.Weights[0].grad!;
            Assert.Equal(ScalarType.Float32, kernelGradient.dtype);
            // d(sum(xW + b))/dW[i, j] = sum over the batch of x[:, i].
            var expected = x.sum(dim: 0).unsqueeze(1).expand(4, 3);
            Assert.True(kernelGradient.allclose(expected, rtol: 1e-2, atol: 1e-2));
        }

        [Fact]
        public void AMixedPolicyRoundTripsThroughTheConfig()
        {
            var layer = new GatedBlock(2);
            layer.DTypePolicy = new DTypePolicy("mixed_bfloat16");

            var copy = Layer.Deserialize(layer.GetConfig());

            Assert.Equal("mixed_bfloat16", copy.DTypePolicy.Name);
            Assert.Equal("mixed_bfloat16", (string?)copy.GetConfig().Values["dtype"]);
        }

        [Fact]
        public void TheGlobalPolicyAppliesToLayersCreatedAfterItIsSet()
        {
            var previous = DTypePolicy.Global;
            try
            {
                DTypePolicy.Global = new DTypePolicy("float64");
                var layer = new SimpleDense(1);
                Assert.Equal(ScalarType.Float64, layer.DType);
            }
            finally
            {
                DTypePolicy.Global = previous;
            }
        }

        [Fact]
        public void AnUnknownDTypeNameFailsWithTheReceivedValue()
        {
            var error = Assert.Throws<System.ArgumentException>(() => new DTypePolicy("float31"));
            Assert.Contains("dtype='float31'", error.Message);
        }
    }
}
