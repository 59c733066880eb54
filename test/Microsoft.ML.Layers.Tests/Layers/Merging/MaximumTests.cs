using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Merging
{
    public sealed class MaximumTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Maximum(dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 5), new(4, 3, 5) },
            ExpectedOutputShape = new Shape(4, 3, 5),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
        });

        [Fact]
        public void TakesTheLargestValue()
        {
            var (a, b, c) = (randn(2, 3), randn(2, 3), randn(2, 3));
            TensorAssert.Close(a.maximum(b).maximum(c), new Maximum().Apply(new[] { a, b, c }), 0, 0, "maximum of three");
        }

        [Fact]
        public void AMaskedStepNeverWins()
        {
            var first = MaskedExamples.Steps(0, 0, -1, -2, 0, 0, -3, -4);
            var second = MaskedExamples.Steps(0, 0, 0, 0, -1, -2, -3, -4);

            var one = new Maximum().Apply(new[] { first, second }, masks: new Tensor?[] { MaskedExamples.FirstMask, null });
            var both = new Maximum().Apply(new[] { first, second }, masks: new Tensor?[] { MaskedExamples.FirstMask, MaskedExamples.SecondMask });

            TensorAssert.Close(MaskedExamples.Steps(0, 0, 0, 0, -1, -2, -3, -4), one, 0, 0, "first input masked");
            TensorAssert.Close(MaskedExamples.Steps(0, 0, -1, -2, -1, -2, -3, -4), both, 0, 0, "both inputs masked");
            Assert.True(KerasMask.Get(both)!.equal(MaskedExamples.Mask(false, true, true, true)).all().item<bool>());
        }
    }
}
