using System;
using Microsoft.ML.Layers.Infrastructure;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Merging
{
    /// <summary>The behaviour every merge layer shares through the Merge base class.</summary>
    public sealed class MergeTests
    {
        [Fact]
        public void CallingAMergeLayerOnASingleTensorFailsAskingForAList()
        {
            var error = Assert.Throws<ArgumentException>(() => new Add(name: "add_single").Apply(ones(2, 3)));
            Assert.Contains("'add_single'", error.Message);
            Assert.Contains("A merge layer should be called on a list of inputs", error.Message);
        }

        [Fact]
        public void InputsOfLowerRankAreExpandedAfterTheBatchAxis()
        {
            var a = randn(2, 3);
            var b = randn(2, 4, 3);

            var y = new Add().Apply(new[] { a, b });

            TensorAssert.Close(a.unsqueeze(1) + b, y, 0, 0, "rank expansion");
            Assert.Equal(new Shape(2, 4, 3), new Add().ComputeOutputShape(new Shape[] { new(2, 3), new(2, 4, 3) }));
        }

        [Fact]
        public void SizeOneAxesBroadcast()
        {
            var a = randn(2, 1, 3);
            var b = randn(2, 4, 3);
            var y = new Multiply().Apply(new[] { a, b });
            TensorAssert.Close(a * b, y, 0, 0, "broadcast");
        }

        [Fact]
        public void IncompatibleShapesFailNamingTheLayer()
        {
            var error = Assert.Throws<ArgumentException>(() => new Add(name: "add_shapes").Apply(new[] { ones(2, 3), ones(2, 4) }));
            Assert.Contains("'add_shapes'", error.Message);
            Assert.Contains("Inputs have incompatible shapes. Received shapes (3,) and (4,)", error.Message);
        }

        [Fact]
        public void DifferentBatchSizesFailNamingTheLayer()
        {
            var error = Assert.Throws<ArgumentException>(() => new Maximum(name: "max_batch").Apply(new[] { ones(2, 3), ones(5, 3) }));
            Assert.Contains("'max_batch'", error.Message);
            Assert.Contains("different batch sizes", error.Message);
        }

        [Fact]
        public void ALaterCallWithIncompatibleShapesAlsoFailsNamingTheLayer()
        {
            var add = new Add(name: "add_later");
            add.Apply(new[] { ones(2, 3), ones(2, 3) });
            var error = Assert.Throws<ArgumentException>(() => add.Apply(new[] { ones(2, 3), ones(2, 5) }));
            Assert.Contains("'add_later'", error.Message);
        }

        [Fact]
        public void TheOutputHasNoMaskUnlessEveryInputHasOne()
        {
            var y = new Average().Apply(new[] { MaskedExamples.First, MaskedExamples.Second }, masks: new Tensor?[] { MaskedExamples.FirstMask, null });
            Assert.Null(KerasMask.Get(y));
        }

        [Fact]
        public void TheOutputMaskIsTheOrOfTheInputMasks()
        {
            var y = new Average().Apply(new[] { MaskedExamples.First, MaskedExamples.Second },
                masks: new Tensor?[] { MaskedExamples.FirstMask, MaskedExamples.SecondMask });
            Assert.True(KerasMask.Get(y)!.equal(MaskedExamples.Mask(false, true, true, true)).all().item<bool>());
        }

        [Fact]
        public void MasksAttachedByThePreviousLayerAreUsed()
        {
            var first = MaskedExamples.First;
            var second = MaskedExamples.Second;
            KerasMask.Set(first, MaskedExamples.FirstMask);
            KerasMask.Set(second, MaskedExamples.SecondMask);

            var y = new Multiply().Apply(new[] { first, second });

            TensorAssert.Close(MaskedExamples.Steps(0, 0, 1, 2, 1, 2, 9, 16), y, 0, 0, "masked product from attached masks");
        }
    }
}
