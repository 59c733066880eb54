using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Merging
{
    public sealed class AddTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Add(dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 5), new(4, 3, 5) },
            ExpectedOutputShape = new Shape(4, 3, 5),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
        });

        [Fact]
        public void SumsEveryInput()
        {
            var (a, b, c) = (randn(2, 3), randn(2, 3), randn(2, 3));
            TensorAssert.Close(a + b + c, new Add().Apply(new[] { a, b, c }), 0, 0, "sum of three");
        }

        [Fact]
        public void MaskedStepsAreSummedLikeOthers()
        {
            var y = new Add().Apply(new[] { MaskedExamples.First, MaskedExamples.Second },
                masks: new Tensor?[] { MaskedExamples.FirstMask, MaskedExamples.SecondMask });
            TensorAssert.Close(MaskedExamples.Steps(0, 0, 1, 2, 1, 2, 6, 8), y, 0, 0, "masked sum");
            Assert.True(KerasMask.Get(y)!.equal(MaskedExamples.Mask(false, true, true, true)).all().item<bool>());
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Add", "config": {"name": "add_3", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}},
                 "registered_name": null, "build_config": {"input_shape": [[null, 8], [null, 8]]}}
                """;
            var add = Assert.IsType<Add>(Layer.Deserialize(json));
            Assert.Equal("add_3", add.Name);
            Assert.Equal(2, add.BuildShapes!.Count);
        }
    }
}
