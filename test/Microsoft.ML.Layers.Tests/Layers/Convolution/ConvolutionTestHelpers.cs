using System.Linq;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Convolution
{
    /// <summary>Small tensor builders for the convolution and pooling tests.</summary>
    internal static class ConvolutionTestHelpers
    {
        /// <summary>0, 1, 2, ... in a float32 tensor of the given shape.</summary>
        public static Tensor Arange(params long[] shape) => arange(shape.Aggregate(1L, (a, b) => a * b), dtype: ScalarType.Float32).reshape(shape);

        /// <summary>Overwrites a built layer's weight with given values (same shape).</summary>
        public static void Fill(Parameter weight, Tensor values)
        {
            using var noGrad = no_grad();
            weight.copy_(values);
        }
    }
}
