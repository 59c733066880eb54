using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Reshaping
{
    public sealed class RepeatVectorTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new RepeatVector(3, dtype: dtype),
            InputShapes = new Shape[] { new(4, 2) },
            ExpectedOutputShape = new Shape(4, 3, 2),
        });

        [Fact]
        public void RepeatsEachSampleVector()
        {
            using var x = tensor(new[] { 1f, 2f, 3f, 4f }).reshape(2, 2);

            var y = new RepeatVector(3).Apply(x);

            Assert.Equal(new[] { 1f, 2f, 1f, 2f, 1f, 2f, 3f, 4f, 3f, 4f, 3f, 4f }, y.data<float>().ToArray());
        }

        [Fact]
        public void RejectsANegativeCountWithTheReceivedValue()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RepeatVector(-2));
            Assert.Contains("n=-2", error.Message);
        }

        [Fact]
        public void AnInputOfAnotherRankFailsNamingTheLayer()
        {
            var error = Assert.Throws<ArgumentException>(() => new RepeatVector(2, name: "rep").Apply(ones(2, 3, 4)));
            Assert.Contains("'rep'", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "RepeatVector", "config": {"name": "repeat_vector", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "n": 5}, "registered_name": null}
                """;

            Assert.Equal(5, Assert.IsType<RepeatVector>(Layer.Deserialize(json)).N);
        }
    }
}
