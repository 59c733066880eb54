using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Core
{
    public sealed class ActivationLayerTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new ActivationLayer("tanh", dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 2) },
            ExpectedOutputShape = new Shape(4, 3, 2),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
        });

        [Fact]
        public void AppliesTheActivationElementWise()
        {
            var y = new ActivationLayer("relu").Apply(tensor(new[] { -3f, -1f, 0f, 2f }).reshape(1, 4));

            Assert.Equal(new[] { 0f, 0f, 0f, 2f }, y.data<float>().ToArray());
        }

        [Fact]
        public void IsNamedAndSerializedAsKerasActivation()
        {
            var layer = new ActivationLayer("sigmoid");

            var json = System.Text.Json.Nodes.JsonNode.Parse(layer.ToJson())!;

            Assert.StartsWith("activation", layer.Name, StringComparison.Ordinal);
            Assert.DoesNotContain("layer", layer.Name, StringComparison.Ordinal);
            Assert.Equal("Activation", (string?)json["class_name"]);
            Assert.Equal("sigmoid", (string?)json["config"]!["activation"]);
        }

        [Fact]
        public void RejectsAnUnknownActivationWithTheReceivedName()
        {
            var error = Assert.Throws<ArgumentException>(() => new ActivationLayer("nope"));
            Assert.Contains("activation='nope'", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Activation", "config": {"name": "act", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "activation": "softmax"}, "registered_name": null, "build_config": {"input_shape": [null, 3]}}
                """;

            var layer = Assert.IsType<ActivationLayer>(Layer.Deserialize(json));

            Assert.Equal(("act", "softmax"), (layer.Name, layer.Activation.Name));
            var y = layer.Apply(tensor(new[] { 1f, 2f, 3f }).reshape(1, 3));
            Assert.True(y.sum().allclose(tensor(1f)));
        }
    }
}
