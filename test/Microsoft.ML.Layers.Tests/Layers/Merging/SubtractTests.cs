using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Merging
{
    public sealed class SubtractTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Subtract(dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 5), new(4, 3, 5) },
            ExpectedOutputShape = new Shape(4, 3, 5),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
        });

        [Fact]
        public void SubtractsTheSecondInputFromTheFirst()
        {
            var y = new Subtract().Apply(new[] { MaskedExamples.First, MaskedExamples.Second }, masks: new Tensor?[] { MaskedExamples.FirstMask, null });
            TensorAssert.Close(MaskedExamples.Steps(0, 0, 1, 2, -1, -2, 0, 0), y, 0, 0, "difference");
            Assert.Null(KerasMask.Get(y));
        }

        [Theory]
        [InlineData(1)]
        [InlineData(3)]
        public void OtherThanTwoInputsFailNamingTheLayer(int count)
        {
            var inputs = new Tensor[count];
            for (int i = 0; i < count; i++)
                inputs[i] = ones(2, 3);
            var error = Assert.Throws<ArgumentException>(() => new Subtract(name: "sub_count").Apply(inputs));
            Assert.Contains("'sub_count'", error.Message);
            Assert.Contains("exactly 2 inputs", error.Message);
        }
    }
}
