using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Merging
{
    public sealed class MinimumTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Minimum(dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 5), new(4, 3, 5) },
            ExpectedOutputShape = new Shape(4, 3, 5),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
        });

        [Fact]
        public void TakesTheSmallestValue()
        {
            var (a, b) = (randn(2, 3), randn(2, 3));
            TensorAssert.Close(a.minimum(b), new Minimum().Apply(new[] { a, b }), 0, 0, "minimum");
        }

        [Fact]
        public void AMaskedStepNeverWins()
        {
            var one = new Minimum().Apply(new[] { MaskedExamples.First, MaskedExamples.Second }, masks: new Tensor?[] { MaskedExamples.FirstMask, null });
            var both = new Minimum().Apply(new[] { MaskedExamples.First, MaskedExamples.Second },
                masks: new Tensor?[] { MaskedExamples.FirstMask, MaskedExamples.SecondMask });

            TensorAssert.Close(MaskedExamples.Steps(0, 0, 0, 0, 1, 2, 3, 4), one, 0, 0, "first input masked");
            TensorAssert.Close(MaskedExamples.Steps(0, 0, 1, 2, 1, 2, 3, 4), both, 0, 0, "both inputs masked");
        }
    }
}
