using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Reshaping
{
    public sealed class UpSampling1DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new UpSampling1D(3, dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 2) },
            ExpectedOutputShape = new Shape(4, 9, 2),
        });

        [Fact]
        public void RepeatsEachStep()
        {
            using var x = tensor(new[] { 0f, 1f, 2f, 3f, 4f, 5f }).reshape(1, 2, 3);

            var y = new UpSampling1D(2).Apply(x);

            Assert.Equal(new[] { 0f, 1f, 2f, 0f, 1f, 2f, 3f, 4f, 5f, 3f, 4f, 5f }, y.data<float>().ToArray());
        }

        [Fact]
        public void RejectsANonPositiveSizeWithTheReceivedValue()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new UpSampling1D(0));
            Assert.Contains("size=0", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "UpSampling1D", "config": {"name": "up_sampling1d", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "size": 4}, "registered_name": null}
                """;

            Assert.Equal(4, Assert.IsType<UpSampling1D>(Layer.Deserialize(json)).Size);
        }
    }
}
