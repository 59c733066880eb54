using System;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Core
{
    public sealed class ReversibleEmbeddingTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new ReversibleEmbedding(10, 3, dtype: dtype),
            InputShapes = new Shape[] { new(4, 5) },
            InputDType = ScalarType.Int64,
            ExpectedTrainableWeights = 1,
            ExpectedOutputShape = new Shape(4, 5, 3),
            ExpectedSupportsMasking = false,
        });

        [Fact]
        public void PassesTheSharedLayerCheckUntiedWithMaskZero() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new ReversibleEmbedding(10, 3, tieWeights: false, maskZero: true, dtype: dtype),
            InputShapes = new Shape[] { new(4, 5) },
            InputDType = ScalarType.Int64,
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(4, 5, 3),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 5),
            // A forward call does not read reverse_embeddings, so one step on it leaves that weight as it is (as in Keras).
            CheckTrainingStep = false,
        });

        [Fact]
        public void ForwardIsAnEmbeddingLookup()
        {
            var layer = new ReversibleEmbedding(6, 4);
            var ids = tensor(new long[] { 1, 0, 5, 3 }).reshape(2, 2);

            var y = layer.Apply(ids);

            TensorAssert.Close(layer.Embeddings!.index_select(0, ids.flatten()).reshape(2, 2, 4), y, 0, 0, "rows");
        }

        [Fact]
        public void ReverseWithTiedWeightsMultipliesByTheTransposedEmbeddings()
        {
            var layer = new ReversibleEmbedding(6, 4);
            layer.Apply(tensor(new long[] { 1 }));
            var hidden = randn(2, 3, 4);

            var logits = layer.Reverse(hidden);

            // logits[b, t, v] = sum_d hidden[b, t, d] * embeddings[v, d]
            var e = layer.Embeddings!.detach();
            var expected = stack(Enumerable.Range(0, 6).Select(v => (hidden * e[v]).sum(-1)).ToArray(), -1);
            TensorAssert.Close(expected, logits, 1e-5, 1e-6, "tied logits");
            Assert.Null(KerasMask.Get(logits));
        }

        [Fact]
        public void ReverseUntiedUsesItsOwnWeightAndSoftCapsTheLogits()
        {
            var layer = new ReversibleEmbedding(5, 3, tieWeights: false, logitSoftCap: 2.0);
            layer.Apply(tensor(new long[] { 1 }));
            Assert.Equal(new[] { "embeddings", "reverse_embeddings" }, layer.Weights.Select(w => w.Name));
            Assert.Equal(new Shape(3, 5), layer.ReverseEmbeddings!.Shape);
            var hidden = randn(4, 3) * 3;

            var logits = layer.Reverse(hidden);

            var raw = hidden.matmul(layer.ReverseEmbeddings!.detach());
            TensorAssert.Close(tanh(raw / 2.0) * 2.0, logits, 1e-5, 1e-6, "capped logits");
            Assert.True(logits.abs().max().item<float>() < 2.0f);
        }

        [Fact]
        public void ReverseComputesInTheReverseDtype()
        {
            var layer = new ReversibleEmbedding(5, 3, reverseDtype: ScalarType.Float64);
            var hidden = randn(2, 3);

            var logits = layer.Reverse(hidden);

            Assert.Equal(ScalarType.Float64, logits.dtype);
            TensorAssert.Close(hidden.to(ScalarType.Float64).matmul(layer.Embeddings!.detach().to(ScalarType.Float64).t()), logits, 1e-12,
                1e-12, "float64 logits");
        }

        [Fact]
        public void TiedGradientsReachTheEmbeddingsFromBothDirections()
        {
            var layer = new ReversibleEmbedding(7, 4);
            var ids = tensor(new long[] { 2, 3 });
            var logits = layer.Reverse(layer.Apply(ids));

            logits.sum().backward();

            var grad = layer.Embeddings!.grad!;
            Assert.True(grad.abs().sum().item<float>() > 0);
            // Rows never looked up still get a gradient from the reverse projection.
            Assert.True(grad[0].abs().sum().item<float>() > 0);
        }

        [Fact]
        public void ReverseRefusesSymbolicInputsAndWrongSizes()
        {
            var layer = new ReversibleEmbedding(5, 3, name: "tied");
            var symbolic = Input.Create(new Shape(4, 3));

            var recorded = Assert.Throws<ArgumentException>(() => layer.Reverse(symbolic));
            Assert.Contains("'tied'", recorded.Message);
            Assert.Contains("reverse=True", recorded.Message);
            var size = Assert.Throws<ArgumentException>(() => layer.Reverse(randn(2, 4)));
            Assert.Contains("output_dim=3", size.Message);
            Assert.Throws<ArgumentOutOfRangeException>(() => new ReversibleEmbedding(5, 3, logitSoftCap: 0));
        }

        [Fact]
        public void ConfigHasKerasKeysAndReadsAKeras3Config()
        {
            var layer = new ReversibleEmbedding(10, 4, tieWeights: false, reverseDtype: ScalarType.Float32, logitSoftCap: 30.0);
            var config = JsonNode.Parse(layer.ToJson())!["config"]!;
            Assert.Equal(new[] { "name", "trainable", "dtype", "input_dim", "output_dim", "embeddings_initializer", "embeddings_regularizer",
                "activity_regularizer", "embeddings_constraint", "mask_zero", "tie_weights", "reverse_dtype", "logit_soft_cap" },
                config.AsObject().Select(p => p.Key));
            Assert.Equal("float32", (string?)config["reverse_dtype"]);

            const string keras = """
                {"module": "keras.layers", "class_name": "ReversibleEmbedding", "config": {"name": "reversible_embedding", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "input_dim": 100, "output_dim": 32,
                 "embeddings_initializer": {"module": "keras.initializers", "class_name": "RandomUniform",
                   "config": {"seed": null, "minval": -0.05, "maxval": 0.05}, "registered_name": null},
                 "embeddings_regularizer": null, "activity_regularizer": null, "embeddings_constraint": null, "mask_zero": false,
                 "tie_weights": false, "reverse_dtype": null, "logit_soft_cap": 30.0},
                 "registered_name": null, "build_config": {"input_shape": [null, 8]}}
                """;
            var read = Assert.IsType<ReversibleEmbedding>(Layer.Deserialize(keras));
            Assert.False(read.TieWeights);
            Assert.Equal(30.0, read.LogitSoftCap);
            Assert.Null(read.ReverseDtype);
            Assert.Equal(new long[] { 32, 100 }, read.ReverseEmbeddings!.shape);
        }
    }
}
