using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Core
{
    public sealed class IdentityTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Identity(dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 2) },
            ExpectedOutputShape = new Shape(4, 3, 2),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
        });

        [Fact]
        public void ReturnsTheInputValuesAsAnotherTensor()
        {
            using var x = randn(2, 3);
            var y = new Identity().Apply(x);

            Assert.True(y.equal(x).all().item<bool>());
            Assert.NotSame(x, y);
        }

        [Fact]
        public void PassesTheMaskThroughWithoutTouchingTheInputsMask()
        {
            using var x = randn(2, 3, 1);
            using var mask = tensor(new[] { true, false, true, true, true, false }).reshape(2, 3);

            var y = new Identity().Apply(x, mask: mask);

            Assert.True(KerasMask.Get(y)!.equal(mask).all().item<bool>());
            Assert.Null(KerasMask.Get(x));
        }
    }
}
