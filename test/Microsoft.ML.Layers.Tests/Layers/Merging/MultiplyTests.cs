using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Merging
{
    public sealed class MultiplyTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Multiply(dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 5), new(4, 3, 5) },
            ExpectedOutputShape = new Shape(4, 3, 5),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
        });

        [Fact]
        public void MultipliesEveryInput()
        {
            var (a, b, c) = (randn(2, 3), randn(2, 3), randn(2, 3));
            TensorAssert.Close(a * b * c, new Multiply().Apply(new[] { a, b, c }), 1e-7, 1e-7, "product of three");
        }

        [Fact]
        public void AMaskedStepCountsAsOne()
        {
            var y = new Multiply().Apply(new[] { MaskedExamples.First, MaskedExamples.Second }, masks: new Tensor?[] { MaskedExamples.FirstMask, null });
            TensorAssert.Close(MaskedExamples.Steps(0, 0, 0, 0, 1, 2, 9, 16), y, 0, 0, "one input masked");
            Assert.Null(KerasMask.Get(y));
        }

        [Fact]
        public void WhenEveryInputIsMaskedStepsMaskedEverywhereAreZero()
        {
            var first = MaskedExamples.Steps(5, 5, 1, 2, 7, 7, 3, 4);
            var second = MaskedExamples.Steps(6, 6, 8, 8, 1, 2, 3, 4);
            var y = new Multiply().Apply(new[] { first, second }, masks: new Tensor?[] { MaskedExamples.FirstMask, MaskedExamples.SecondMask });
            TensorAssert.Close(MaskedExamples.Steps(0, 0, 1, 2, 1, 2, 9, 16), y, 0, 0, "both inputs masked");
        }
    }
}
