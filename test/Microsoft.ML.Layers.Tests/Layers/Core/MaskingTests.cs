using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Core
{
    public sealed class MaskingTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Masking(dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 2) },
            ExpectedOutputShape = new Shape(4, 3, 2),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
        });

        [Fact]
        public void MasksAndZeroesTheStepsWhoseFeaturesAllEqualTheMaskValue()
        {
            // Steps: [1, 1] (kept), [-1, -1] (masked), [-1, 2] (kept: one feature differs).
            using var x = tensor(new[] { 1f, 1f, -1f, -1f, -1f, 2f }).reshape(1, 3, 2);

            var y = new Masking(maskValue: -1).Apply(x);

            Assert.Equal(new[] { 1f, 1f, 0f, 0f, -1f, 2f }, y.data<float>().ToArray());
            Assert.Equal(new[] { true, false, true }, KerasMask.Get(y)!.data<bool>().ToArray());
        }

        [Fact]
        public void ReplacesAnIncomingMask()
        {
            using var x = tensor(new[] { 0f, 0f, 3f, 4f }).reshape(1, 2, 2);
            using var incoming = tensor(new[] { true, false }).reshape(1, 2);

            var y = new Masking().Apply(x, mask: incoming);

            Assert.Equal(new[] { false, true }, KerasMask.Get(y)!.data<bool>().ToArray());
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Masking", "config": {"name": "masking", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "mask_value": -1.0}, "registered_name": null, "build_config": {"input_shape": [null, 5, 2]}}
                """;

            var layer = Assert.IsType<Masking>(Layer.Deserialize(json));

            Assert.Equal(-1.0, layer.MaskValue);
        }
    }
}
