using System;
using System.Linq;
using Microsoft.ML.Layers.Native;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Native
{
    public sealed class OneDnnIsaGuardTests
    {
        [Fact]
        public void OnAnAffectedProcessorOneDnnSeesTheAvx2CapUnlessTheUserSetOne()
        {
            NativeBackend.EnsureLoaded();
            string? userValue = Environment.GetEnvironmentVariable(OneDnnIsaGuard.Variable)
                ?? Environment.GetEnvironmentVariable(OneDnnIsaGuard.LegacyVariable);
            string? seen = OneDnnIsaGuard.NativeValue(OneDnnIsaGuard.Variable);
            if (userValue is not null)
                Assert.Equal(Environment.GetEnvironmentVariable(OneDnnIsaGuard.Variable), seen);
            else if (OperatingSystem.IsLinux() && OneDnnIsaGuard.IsAffectedProcessor)
                Assert.Equal(OneDnnIsaGuard.SafeIsa, seen);
            else
                Assert.Null(seen);
        }

        /// <summary>
        /// The convolutions oneDNN's AVX kernels got wrong on AMD EPYC, in float32, against the same maths in float64
        /// (which libtorch computes without oneDNN): depthwise and transposed forward passes on channels-last views, and
        /// the gradient of a padded convolution with respect to its input.
        /// </summary>
        [Fact]
        public void Float32ConvolutionsAndTheirGradientsMatchFloat64()
        {
            using var scope = NewDisposeScope();
            manual_seed(7);
            for (int i = 0; i < 12; i++)
            {
                var input = randn(2, 5 + i % 4, 6, 6).permute(0, 3, 1, 2);
                var depthwise = randn(12, 1, 3, 3);
                var transposed = randn(6, 4, 3, 3);
                long stride = 1 + i % 2;
                AssertSameInFloat64(x => nn.functional.conv2d(x[0], x[1], groups: 6), input, depthwise);
                AssertSameInFloat64(x => nn.functional.conv_transpose2d(x[0], x[1], strides: new[] { stride, stride }), input, transposed);
                AssertSameInFloat64(x => InputGradient(x[0], x[1], stride), randn(2, 4, 3, 3), randn(4, 3, 3, 3));
            }
        }

        /// <summary>The gradient, with respect to its input, of a convolution with one pixel of padding, weighted by <paramref name="outputWeights"/>.</summary>
        private static Tensor InputGradient(Tensor outputWeights, Tensor kernel, long stride)
        {
            long size = 3 * stride;
            var z = zeros(new long[] { 2, 3, size, size }, dtype: kernel.dtype, requires_grad: true);
            var output = nn.functional.conv2d(nn.functional.pad(z, new long[] { 1, 1, 1, 1 }), kernel, strides: new[] { stride, stride });
            (output[.., .., ..3, ..3] * outputWeights).sum().backward();
            return z.grad!;
        }

        private static void AssertSameInFloat64(Func<Tensor[], Tensor> convolution, params Tensor[] operands)
        {
            var single = convolution(operands);
            var reference = convolution(operands.Select(t => t.to(float64)).ToArray());
            TensorAssert.Close(reference, single.to(float64), 1e-4, 1e-4, "float32 convolution against float64");
        }
    }
}
