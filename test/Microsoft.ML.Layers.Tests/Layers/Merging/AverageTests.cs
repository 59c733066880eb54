using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Merging
{
    public sealed class AverageTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Average(dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 5), new(4, 3, 5) },
            ExpectedOutputShape = new Shape(4, 3, 5),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
        });

        [Fact]
        public void AveragesEveryInputIncludingMaskedSteps()
        {
            var y = new Average().Apply(new[] { MaskedExamples.First, MaskedExamples.Second }, masks: new Tensor?[] { MaskedExamples.FirstMask, null });
            TensorAssert.Close(MaskedExamples.Steps(0, 0, 0.5f, 1, 0.5f, 1, 3, 4), y, 0, 0, "mean of two");
        }

        [Fact]
        public void DividesByTheNumberOfInputs()
        {
            var y = new Average().Apply(new[] { tensor(new float[] { 3 }).reshape(1, 1), tensor(new float[] { 6 }).reshape(1, 1), tensor(new float[] { 0 }).reshape(1, 1) });
            Assert.Equal(3f, y.item<float>());
        }
    }
}
