using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Merging
{
    public sealed class ConcatenateTests
    {
        [Fact]
        public void ConcatenatesAlongTheAxis()
        {
            var a = tensor(new float[,] { { 1, 2 } });
            var b = tensor(new float[,] { { 3 } });
            var y = new Concatenate().Apply(new[] { a, b });
            Assert.Equal(new float[] { 1, 2, 3 }, y.data<float>().ToArray());
        }

        [Fact]
        public void ConcatenatingStepsConcatenatesTheirMasksWithOnesForUnmaskedInputs()
        {
            var y = new Concatenate(axis: 1).Apply(new[] { MaskedExamples.First, MaskedExamples.Second }, masks: new Tensor?[] { MaskedExamples.FirstMask, null });

            Assert.Equal(new long[] { 1, 8, 2 }, y.shape);
            var expectedMask = tensor(new[] { false, true, false, true, true, true, true, true }).reshape(1, 8);
            Assert.True(KerasMask.Get(y)!.equal(expectedMask).all().item<bool>());
        }

        [Fact]
        public void ConcatenatingFeaturesOrsTheMasks()
        {
            var y = new Concatenate(axis: 2).Apply(new[] { MaskedExamples.First, MaskedExamples.Second },
                masks: new Tensor?[] { MaskedExamples.FirstMask, MaskedExamples.SecondMask });

            TensorAssert.Close(tensor(new float[] { 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 1, 2, 3, 4, 3, 4 }).reshape(1, 4, 4), y, 0, 0, "features");
            Assert.True(KerasMask.Get(y)!.equal(MaskedExamples.Mask(false, true, true, true)).all().item<bool>());
        }

        [Fact]
        public void NoMaskWhenNoInputHasOne()
        {
            var y = new Concatenate().Apply(new[] { ones(2, 3), ones(2, 1) });
            Assert.Null(KerasMask.Get(y));
        }

        [Fact]
        public void MismatchedSizesOffTheAxisFailNamingTheLayer()
        {
            var error = Assert.Throws<ArgumentException>(() => new Concatenate(axis: 1, name: "concat_sizes").Apply(new[] { ones(2, 3, 4), ones(2, 3, 5) }));
            Assert.Contains("'concat_sizes'", error.Message);
            Assert.Contains("matching shapes except for the concatenation axis", error.Message);
        }

        [Fact]
        public void ComputesTheOutputShapeWithUnknownSizes()
        {
            var layer = new Concatenate(axis: 1);
            Assert.Equal(new Shape(Shape.Unknown, 5, 3), layer.ComputeOutputShape(new Shape[] { new(Shape.Unknown, 2, 3), new(Shape.Unknown, 3, 3) }));
            Assert.Equal(new Shape(Shape.Unknown, Shape.Unknown, 3), layer.ComputeOutputShape(new Shape[] { new(Shape.Unknown, 2, 3), new(Shape.Unknown, Shape.Unknown, 3) }));
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Concatenate", "config": {"name": "concatenate_1", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "axis": 1},
                 "registered_name": null, "build_config": {"input_shape": [[null, 2, 3], [null, 4, 3]]}}
                """;
            var concat = Assert.IsType<Concatenate>(Layer.Deserialize(json));
            Assert.Equal(1, concat.Axis);
            Assert.Equal(new long[] { 5, 6, 3 }, concat.Apply(new[] { ones(5, 2, 3), ones(5, 4, 3) }).shape);
        }
    }
}
