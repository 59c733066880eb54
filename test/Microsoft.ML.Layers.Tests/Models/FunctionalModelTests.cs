using System;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Models
{
    public sealed class FunctionalModelTests
    {
        [Fact]
        public void InputCreateReturnsASymbolicTensorWithAnUnknownBatch()
        {
            var input = Input.Create(20);

            Assert.True(KerasTensor.IsSymbolic(input));
            Assert.Equal(new Shape(Shape.Unknown, 20), KerasTensor.ShapeOf(input));
            var h = new Dense(32, activation: "relu").Apply(input);
            Assert.True(KerasTensor.IsSymbolic(h));
            Assert.Equal(new Shape(Shape.Unknown, 32), KerasTensor.ShapeOf(h));
        }

        [Fact]
        public void TheApiSampleModelComputesLikeItsLayers()
        {
            var inputs = Input.Create(shape: 20);
            var hidden = new Dense(32, activation: "relu");
            var head = new Dense(1);
            var outputs = head.Apply(hidden.Apply(inputs));
            var model = new Model(inputs, outputs);
            using var x = randn(7, 20);

            var y = model.Apply(x);

            Assert.Equal(hidden.Apply(x).matmul(head.Kernel!).add(head.Bias!).data<float>().ToArray(), y.data<float>().ToArray());
            Assert.Equal(4, model.Weights.Count);
        }

        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = _ =>
            {
                var a = Input.Create(3);
                var b = Input.Create(3);
                var shared = new Dense(4, activation: "tanh");
                var sum = new SumInputs().Apply(new[] { shared.Apply(a), shared.Apply(b) });
                return new Model(new[] { a, b }, new[] { new Dense(2).Apply(sum) });
            },
            InputShapes = new Shape[] { new(5, 3), new(5, 3) },
            ExpectedTrainableWeights = 4,
            ExpectedOutputShape = new Shape(5, 2),
            ExpectedSupportsMasking = true,
            BuiltAtCreation = true,
            CheckMixedPolicy = false,
            DTypeVariants = Array.Empty<TorchSharp.torch.ScalarType>(),
        });

        [Fact]
        public void ASharedLayerUsesOneSetOfWeightsForBothCalls()
        {
            var a = Input.Create(3);
            var b = Input.Create(3);
            var shared = new Dense(2);
            var model = new Model(new[] { a, b }, new[] { new SumInputs().Apply(new[] { shared.Apply(a), shared.Apply(b) }) });
            using var x1 = randn(4, 3);
            using var x2 = randn(4, 3);

            var y = model.Apply(new[] { x1, x2 });

            Assert.Equal(2, model.Weights.Count);
            var expected = shared.Apply(x1) + shared.Apply(x2);
            Assert.True(y.allclose(expected, rtol: 1e-5, atol: 1e-6));
        }

        [Fact]
        public void SeveralOutputsAreAllReturnedByApplyAll()
        {
            var input = Input.Create(3);
            var h = new Dense(4).Apply(input);
            var model = new Model(new[] { input }, new[] { new Dense(1).Apply(h), new Dense(2).Apply(h) });

            var outputs = model.ApplyAll(randn(5, 3));

            Assert.Equal(new long[] { 5, 1 }, outputs[0].shape);
            Assert.Equal(new long[] { 5, 2 }, outputs[1].shape);
        }

        [Fact]
        public void ANestedModelActsAsALayer()
        {
            var innerInput = Input.Create(3);
            var inner = new Model(innerInput, new Dense(2, activation: "relu").Apply(innerInput), name: "inner");
            var input = Input.Create(3);
            var outer = new Model(input, new Dense(1).Apply(inner.Apply(input)));

            Assert.Equal(4, outer.Weights.Count);
            Assert.Contains(inner, outer.Layers);
            using var x = randn(2, 3);
            Assert.Equal(new long[] { 2, 1 }, outer.Apply(x).shape);
        }

        [Fact]
        public void MasksFlowAlongTheGraph()
        {
            var input = Input.Create(new Shape(3, 2));
            var model = new Model(input, new MaskedSum().Apply(new FirstFeatureMasker().Apply(input)));
            using var x = tensor(new float[] { 1, 1, 0, 5, 2, 2 }, 1, 3, 2);

            Assert.Equal(new float[] { 3, 3 }, model.Apply(x).data<float>().ToArray());
        }

        [Fact]
        public void AnOutputThatNeedsAnInputNotListedIsAGraphDisconnectedError()
        {
            var a = Input.Create(3, name: "first");
            var b = Input.Create(3, name: "second");
            var sum = new SumInputs().Apply(new[] { a, b });

            var error = Assert.Throws<ArgumentException>(() => new Model(a, sum));

            Assert.Contains("Graph disconnected", error.Message);
            Assert.Contains("'second'", error.Message);
        }

        [Fact]
        public void AConcreteTensorIsNotAModelInput()
        {
            var error = Assert.Throws<ArgumentException>(() => new Model(ones(2, 3), ones(2, 3)));
            Assert.Contains("Input.Create", error.Message);
        }

        [Fact]
        public void TheConfigUsesKerasFunctionalLayout()
        {
            var input = Input.Create(3, name: "features");
            var model = new Model(input, new Dense(2, name: "head").Apply(input), name: "net");

            var json = JsonNode.Parse(model.ToJson())!;

            Assert.Equal("Functional", (string?)json["class_name"]);
            var layers = json["config"]!["layers"]!.AsArray();
            Assert.Equal(new[] { "features", "head" }, layers.Select(l => (string?)l!["name"]));
            Assert.Empty(layers[0]!["inbound_nodes"]!.AsArray());
            var history = layers[1]!["inbound_nodes"]![0]!["args"]![0]!["config"]!["keras_history"]!.AsArray();
            Assert.Equal("features", (string?)history[0]);
            Assert.Equal("[[\"features\",0,0]]", json["config"]!["input_layers"]!.ToJsonString());
            Assert.Equal("[[\"head\",0,0]]", json["config"]!["output_layers"]!.ToJsonString());
        }

        [Fact]
        public void ReadsAKeras2FunctionalConfig()
        {
            const string json = """
                {"class_name": "Model", "config": {"name": "model_1",
                  "layers": [
                    {"name": "input_1", "class_name": "InputLayer", "config": {"batch_input_shape": [null, 4], "dtype": "float32", "sparse": false, "name": "input_1"}, "inbound_nodes": []},
                    {"name": "dense_1", "class_name": "Dense", "config": {"name": "dense_1", "trainable": true, "units": 3, "activation": "relu", "use_bias": true,
                      "kernel_initializer": "glorot_uniform", "bias_initializer": "zeros", "kernel_regularizer": null, "bias_regularizer": null,
                      "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}, "inbound_nodes": [[["input_1", 0, 0, {}]]]},
                    {"name": "dense_2", "class_name": "Dense", "config": {"name": "dense_2", "trainable": true, "units": 1, "activation": "sigmoid", "use_bias": true,
                      "kernel_initializer": "glorot_uniform", "bias_initializer": "zeros", "kernel_regularizer": null, "bias_regularizer": null,
                      "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}, "inbound_nodes": [[["dense_1", 0, 0, {}]]]}],
                  "input_layers": [["input_1", 0, 0]], "output_layers": [["dense_2", 0, 0]]}}
                """;

            var model = Assert.IsType<Model>(Layer.Deserialize(json));

            Assert.Equal(new[] { "input_1", "dense_1", "dense_2" }, model.Layers.Select(l => l.Name));
            Assert.Equal(4 * 3 + 3 + 3 + 1, model.CountParams());
            Assert.Equal(new long[] { 2, 1 }, model.Apply(ones(2, 4)).shape);
        }

        [Fact]
        public void SummaryShowsWhatEachLayerIsConnectedTo()
        {
            var a = Input.Create(3, name: "left");
            var b = Input.Create(3, name: "right");
            var merged = new SumInputs(name: "merge").Apply(new[] { a, b });
            var model = new Model(new[] { a, b }, new[] { merged });

            string table = model.Summary(print: false);

            Assert.Contains("Connected to", table);
            Assert.Contains("left[0][0], right[0][0]", table);
        }
    }
}
