using System;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Attention
{
    public sealed class GroupQueryAttentionTests
    {
        /// <summary>
        /// Grouped-query attention written out head by head on the layer's weights (Keras's layouts): query head n reads key/value
        /// head n / (query heads / key-value heads); scores softmax(q k / sqrt(head_dim)) over the source steps, a boolean mask
        /// (false: no attention), and the output projection summed over the heads.
        /// </summary>
        private static (Tensor Output, Tensor Scores) Expected(GroupQueryAttention layer, Tensor query, Tensor value, Tensor? key = null,
            Tensor? mask = null)
        {
            key ??= value;
            var w = layer.Weights.ToDictionary(p => p.Name, p => p.detach());
            int group = layer.NumQueryHeads / layer.NumKeyValueHeads;
            var output = w["attention_output/bias"].expand(query.shape[0], query.shape[1], query.shape[2]).clone();
            var allScores = new Tensor[layer.NumQueryHeads];
            for (int n = 0; n < layer.NumQueryHeads; n++)
            {
                int g = n / group;
                var q = query.matmul(w["query/kernel"].select(1, n)) + w["query/bias"][n];     // (b, T, h)
                var k = key.matmul(w["key/kernel"].select(1, g)) + w["key/bias"][g];           // (b, S, h)
                var v = value.matmul(w["value/kernel"].select(1, g)) + w["value/bias"][g];     // (b, S, h)
                var logits = q.matmul(k.transpose(1, 2)) / Math.Sqrt(layer.HeadDim);           // (b, T, S)
                if (mask is not null)
                    logits = logits.masked_fill(mask.logical_not(), double.NegativeInfinity);
                var scores = logits.softmax(-1);
                allScores[n] = scores;
                output = output + scores.matmul(v).matmul(w["attention_output/kernel"][n]);
            }
            return (output, stack(allScores, 1));
        }

        private static GroupQueryAttention Built(int queryHeads, int kvHeads, Tensor query, Tensor value, int headDim = 3)
        {
            var layer = new GroupQueryAttention(headDim, queryHeads, kvHeads, biasInitializer: "random_normal");
            layer.Apply(new[] { query, value });
            return layer;
        }

        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new GroupQueryAttention(headDim: 2, numQueryHeads: 4, numKeyValueHeads: 2, biasInitializer: "random_normal",
                dtype: dtype),
            InputShapes = new Shape[] { new(2, 4, 6), new(2, 4, 6) },
            ExpectedTrainableWeights = 8,
            ExpectedOutputShape = new Shape(2, 4, 6),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(2, 4),
        });

        [Fact]
        public void PassesTheSharedLayerCheckWithAKeyAndDropout() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new GroupQueryAttention(headDim: 3, numQueryHeads: 3, numKeyValueHeads: 1, dropout: 0.3, useBias: false,
                dtype: dtype),
            InputShapes = new Shape[] { new(2, 4, 6), new(2, 4, 6), new(2, 4, 7) },
            ExpectedTrainableWeights = 4,
            ExpectedOutputShape = new Shape(2, 4, 6),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(2, 4),
            RandomInTraining = true,
        });

        [Theory]
        [InlineData(4, 2, false)]
        [InlineData(4, 2, true)]
        [InlineData(6, 1, false)]
        [InlineData(6, 3, true)]
        [InlineData(2, 2, false)]
        public void MatchesTheHeadByHeadComputation(int queryHeads, int kvHeads, bool returnScores)
        {
            manual_seed(queryHeads * 10 + kvHeads);
            var query = randn(2, 4, 5);
            var value = randn(2, 6, 5);
            var layer = Built(queryHeads, kvHeads, query, value);

            var (output, scores) = layer.Attend(query, value, returnAttentionScores: returnScores);

            var (expectedOutput, expectedScores) = Expected(layer, query, value);
            TensorAssert.Close(expectedOutput, output, 1e-5, 1e-5, "output");
            if (returnScores)
                TensorAssert.Close(expectedScores, scores!, 1e-5, 1e-6, "scores (batch, query heads, T, S)");
            else
                Assert.Null(scores);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void CombinesTheCausalTheExplicitAndTheInputMasks(bool returnScores)
        {
            manual_seed(3);
            var x = randn(2, 5, 4);
            var key = randn(2, 5, 3);
            var layer = new GroupQueryAttention(2, 4, 2, biasInitializer: "random_normal");
            layer.Apply(new[] { x, x, key });
            // Every query step may attend to step 0, so that no row is fully masked.
            var attentionMask = rand(2, 5, 5).gt(0.3).logical_or(arange(5).eq(0));
            var valueMask = tensor(new[] { true, true, true, true, false, true, true, true, true, true }).reshape(2, 5);

            var (output, _) = layer.Attend(x, x, key, attentionMask: attentionMask, useCausalMask: true, returnAttentionScores: returnScores,
                valueMask: valueMask);

            var causal = ones(5, 5, dtype: ScalarType.Bool).tril();
            var mask = attentionMask.logical_and(causal).logical_and(valueMask.unsqueeze(1));
            TensorAssert.Close(Expected(layer, x, x, key, mask).Output, output, 1e-5, 1e-5, "masked output");
        }

        [Fact]
        public void WithAsManyKeyValueHeadsAsQueryHeadsItIsMultiHeadAttention()
        {
            manual_seed(4);
            var query = randn(2, 3, 6);
            var value = randn(2, 4, 6);
            var gqa = Built(3, 3, query, value, headDim: 2);
            var mha = new MultiHeadAttention(numHeads: 3, keyDim: 2);
            mha.Apply(new[] { query, value });
            mha.SetWeights(gqa.GetWeights());

            TensorAssert.Close(mha.Apply(new[] { query, value }), gqa.Apply(new[] { query, value }), 1e-5, 1e-6, "same layer");
        }

        [Fact]
        public void HasKerasWeightNamesAndLayouts()
        {
            var layer = new GroupQueryAttention(headDim: 4, numQueryHeads: 6, numKeyValueHeads: 2);
            layer.EnsureBuilt(new[] { new Shape(Shape.Unknown, 3, 8), new Shape(Shape.Unknown, 5, 8), new Shape(Shape.Unknown, 5, 7) });

            Assert.Equal(new[] { "query/kernel", "query/bias", "key/kernel", "key/bias", "value/kernel", "value/bias",
                "attention_output/kernel", "attention_output/bias" }, layer.Weights.Select(w => w.Name));
            Assert.Equal(new[] { new Shape(8, 6, 4), new Shape(6, 4), new Shape(7, 2, 4), new Shape(2, 4), new Shape(8, 2, 4),
                new Shape(2, 4), new Shape(6, 4, 8), new Shape(8) }, layer.Weights.Select(w => w.Shape));
        }

        [Fact]
        public void ArgumentErrorsFollowKeras()
        {
            var groups = Assert.Throws<ArgumentException>(() => new GroupQueryAttention(2, 4, 3, name: "gqa"));
            Assert.Contains("'gqa'", groups.Message);
            Assert.Contains("divisible", groups.Message);
            Assert.Throws<ArgumentOutOfRangeException>(() => new GroupQueryAttention(0, 4, 2));
            var flash = Assert.Throws<ArgumentException>(() => new GroupQueryAttention(2, 4, 2, dropout: 0.1, flashAttention: true));
            Assert.Contains("flash attention", flash.Message);

            var layer = new GroupQueryAttention(2, 4, 2, flashAttention: true);
            var x = randn(1, 3, 4);
            Assert.Equal(new long[] { 1, 3, 4 }, layer.Apply(new[] { x, x }).shape);
            var scores = Assert.Throws<ArgumentException>(() => layer.Attend(x, x, returnAttentionScores: true));
            Assert.Contains("Returning attention scores is not supported", scores.Message);
            Assert.Throws<ArgumentException>(() => layer.Apply(x));
        }

        [Fact]
        public void ConfigHasKerasKeysAndReadsAKeras3Config()
        {
            var layer = new GroupQueryAttention(8, 4, 2, dropout: 0.1, useBias: false, seed: 3);
            var json = JsonNode.Parse(layer.ToJson())!;
            Assert.Equal("GroupedQueryAttention", (string?)json["class_name"]);
            Assert.Equal(new[] { "name", "trainable", "dtype", "head_dim", "num_query_heads", "num_key_value_heads", "use_bias", "dropout",
                "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer",
                "kernel_constraint", "bias_constraint", "seed" }, json["config"]!.AsObject().Select(p => p.Key));

            const string keras = """
                {"module": "keras.layers", "class_name": "GroupedQueryAttention", "config": {"name": "grouped_query_attention",
                 "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "head_dim": 4, "num_query_heads": 4, "num_key_value_heads": 2, "use_bias": true, "dropout": 0.0,
                 "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
                 "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                 "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null,
                 "bias_constraint": null, "seed": null},
                 "registered_name": null}
                """;
            var read = Assert.IsType<GroupQueryAttention>(Layer.Deserialize(keras));
            Assert.Equal((4, 4, 2), (read.HeadDim, read.NumQueryHeads, read.NumKeyValueHeads));
            var x = randn(2, 3, 8);
            Assert.Equal(new long[] { 2, 3, 8 }, read.Apply(new[] { x, x }).shape);
        }

        [Fact]
        public void CausalSelfAttentionWorksInAFunctionalModel()
        {
            var input = Input.Create(new Shape(5, 4));
            var gqa = new GroupQueryAttention(2, 4, 2) { UseCausalMask = true };
            var model = new Model(new[] { input }, new[] { gqa.Apply(new[] { input, input }) });
            var x = randn(2, 5, 4);

            var y = model.Apply(x);

            var causal = ones(5, 5, dtype: ScalarType.Bool).tril().unsqueeze(0);
            TensorAssert.Close(Expected(gqa, x, x, mask: causal).Output, y, 1e-5, 1e-5, "causal output");
        }
    }
}
