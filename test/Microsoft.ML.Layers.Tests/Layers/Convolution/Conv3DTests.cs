using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static Microsoft.ML.Layers.Tests.Layers.Convolution.ConvolutionTestHelpers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Convolution
{
    public sealed class Conv3DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Conv3D(3, (2, 3, 2), strides: (1, 2, 2), padding: Padding.Same, dtype: dtype),
            InputShapes = new Shape[] { new(2, 4, 5, 6, 2) },
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(2, 4, 3, 3, 3),
        });

        [Fact]
        public void PassesTheSharedLayerCheckChannelsFirstWithGroups() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Conv3D(4, 2, dataFormat: DataFormat.ChannelsFirst, groups: 2, useBias: false, dtype: dtype),
            InputShapes = new Shape[] { new(2, 2, 3, 4, 3) },
            ExpectedTrainableWeights = 1,
            ExpectedOutputShape = new Shape(2, 4, 2, 3, 2),
        });

        [Fact]
        public void KernelInKerasLayoutGivesLibtorchsConvolutionWithThePermutedKernel()
        {
            var conv = new Conv3D(2, (2, 2, 3), useBias: false);
            using var x = Arange(1, 3, 4, 5, 3) / 100;
            conv.Apply(x);
            Assert.Equal(new long[] { 2, 2, 3, 3, 2 }, conv.Kernel!.shape);   // (k1, k2, k3, in, out)
            using var kernel = Arange(2, 2, 3, 3, 2) / 50;
            Fill(conv.Kernel, kernel);

            var y = conv.Apply(x);

            using var expected = nn.functional.conv3d(x.permute(0, 4, 1, 2, 3), kernel.permute(4, 3, 0, 1, 2)).permute(0, 2, 3, 4, 1);
            TensorAssert.Close(expected, y, 1e-5, 1e-5);
        }

        [Fact]
        public void SameWithStrideTwoPadsTheOddElementAtTheEnd()
        {
            var conv = new Conv3D(2, 2, strides: 2, padding: Padding.Same);
            using var x = randn(new long[] { 1, 3, 4, 5, 1 });

            var y = conv.Apply(x);

            // Kernel 2, stride 2: sizes 3 and 5 need one padding element (at the end), size 4 none.
            using var padded = nn.functional.pad(x.permute(0, 4, 1, 2, 3), new long[] { 0, 1, 0, 0, 0, 1 });
            using var expected = nn.functional.conv3d(padded, conv.Kernel!.permute(4, 3, 0, 1, 2), conv.Bias!, strides: new long[] { 2, 2, 2 }).permute(0, 2, 3, 4, 1);
            Assert.Equal(new long[] { 1, 2, 2, 3, 2 }, y.shape);
            TensorAssert.Close(expected, y, 1e-5, 1e-5);
        }
    }
}
