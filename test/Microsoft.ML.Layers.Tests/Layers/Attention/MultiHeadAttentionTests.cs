using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Regularizers;
using Microsoft.ML.Layers.TestFramework;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Attention
{
    public sealed class MultiHeadAttentionTests
    {
        /// <summary>
        /// Multi-head attention written directly with einsum on the layer's weights (Keras's layouts): projections, scaled
        /// dot products, an optional boolean mask (false: no attention), softmax over the value steps, output projection.
        /// </summary>
        private static (Tensor Output, Tensor Scores) Expected(MultiHeadAttention mha, Tensor query, Tensor value, Tensor? key = null, Tensor? mask = null)
        {
            key ??= value;
            var w = mha.Weights.ToDictionary(p => p.Name);
            var q = einsum("btd,dnh->btnh", query, w["query/kernel"]) + w["query/bias"];
            var k = einsum("bsd,dnh->bsnh", key, w["key/kernel"]) + w["key/bias"];
            var v = einsum("bsd,dnh->bsnh", value, w["value/kernel"]) + w["value/bias"];
            var logits = einsum("btnh,bsnh->bnts", q, k) / Math.Sqrt(mha.KeyDim);
            if (mask is not null)
                logits = logits.masked_fill(mask.unsqueeze(1).logical_not(), double.NegativeInfinity);
            var scores = logits.softmax(-1);
            var heads = einsum("bnts,bsnh->btnh", scores, v);
            return (einsum("btnh,nhd->btd", heads, w["attention_output/kernel"]) + w["attention_output/bias"], scores);
        }

        private static MultiHeadAttention Built(int heads, int keyDim, Tensor query, Tensor value, int? valueDim = null)
        {
            var mha = new MultiHeadAttention(heads, keyDim, valueDim: valueDim, biasInitializer: "random_normal");
            mha.Apply(new[] { query, value });
            return mha;
        }

        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new MultiHeadAttention(numHeads: 2, keyDim: 3, biasInitializer: "random_normal", dtype: dtype),
            InputShapes = new Shape[] { new(2, 4, 6), new(2, 4, 5) },
            ExpectedTrainableWeights = 8,
            ExpectedOutputShape = new Shape(2, 4, 6),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(2, 4),
        });

        [Fact]
        public void PassesTheSharedLayerCheckWithKeyDropoutAndOutputShape() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new MultiHeadAttention(numHeads: 3, keyDim: 2, valueDim: 4, dropout: 0.3, outputShape: (2, 3), dtype: dtype),
            InputShapes = new Shape[] { new(2, 4, 6), new(2, 4, 5), new(2, 4, 7) },
            ExpectedTrainableWeights = 8,
            ExpectedOutputShape = new Shape(2, 4, 2, 3),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(2, 4),
            RandomInTraining = true,
        });

        [Fact]
        public void WeightsHaveKerasNamesLayoutsAndOrder()
        {
            var mha = new MultiHeadAttention(numHeads: 2, keyDim: 3, valueDim: 4, name: "mha");
            mha.Apply(new[] { randn(1, 5, 6), randn(1, 7, 8), randn(1, 7, 9) });

            var expected = new (string, long[])[]
            {
                ("mha/query/kernel", new long[] { 6, 2, 3 }), ("mha/query/bias", new long[] { 2, 3 }),
                ("mha/key/kernel", new long[] { 9, 2, 3 }), ("mha/key/bias", new long[] { 2, 3 }),
                ("mha/value/kernel", new long[] { 8, 2, 4 }), ("mha/value/bias", new long[] { 2, 4 }),
                ("mha/attention_output/kernel", new long[] { 2, 4, 6 }), ("mha/attention_output/bias", new long[] { 6 }),
            };
            Assert.Equal(expected.Select(e => e.Item1), mha.Weights.Select(w => w.Path));
            Assert.All(expected.Zip(mha.Weights), pair => Assert.Equal(pair.First.Item2, pair.Second.shape));
        }

        [Fact]
        public void WithoutBiasOnlyTheFourKernelsExist()
        {
            var mha = new MultiHeadAttention(numHeads: 2, keyDim: 3, useBias: false);
            var x = randn(2, 3, 4);
            var y = mha.Apply(new[] { x, x });
            Assert.Equal(4, mha.Weights.Count);
            Assert.Equal(new long[] { 2, 3, 4 }, y.shape);
        }

        [Fact]
        public void MatchesTheMathsWrittenWithEinsum()
        {
            var query = randn(2, 4, 6);
            var value = randn(2, 5, 3);
            var mha = Built(heads: 2, keyDim: 3, query, value, valueDim: 4);

            var y = mha.Apply(new[] { query, value });

            TensorAssert.Close(Expected(mha, query, value).Output, y, 1e-5, 1e-5, "scaled dot-product path");
        }

        [Fact]
        public void ReturnedScoresComeFromTheEinsumPathAndMatchTheMaths()
        {
            var query = randn(2, 4, 6);
            var value = randn(2, 5, 3);
            var key = randn(2, 5, 7);
            var mha = new MultiHeadAttention(numHeads: 3, keyDim: 2, biasInitializer: "random_normal") { ReturnAttentionScores = true };

            var outputs = mha.ApplyAll(new[] { query, value, key });

            var (output, scores) = Expected(mha, query, value, key);
            Assert.Equal(2, outputs.Count);
            Assert.Equal(new long[] { 2, 3, 4, 5 }, outputs[1].shape);
            TensorAssert.Close(output, outputs[0], 1e-5, 1e-5, "output");
            TensorAssert.Close(scores, outputs[1], 1e-6, 1e-6, "scores");
            Assert.Equal(outputs[0].shape, mha.Apply(new[] { query, value, key }).shape);
        }

        [Fact]
        public void TheCausalMaskHidesLaterStepsOnBothPaths()
        {
            var x = randn(2, 5, 4);
            var mha = Built(heads: 2, keyDim: 3, x, x);
            var causal = ones(5, 5, dtype: ScalarType.Bool).tril().unsqueeze(0);
            var (expected, expectedScores) = Expected(mha, x, x, mask: causal);

            mha.UseCausalMask = true;
            var y = mha.Apply(new[] { x, x });
            var (withScores, scores) = mha.Attend(x, x, returnAttentionScores: true);

            TensorAssert.Close(expected, y, 1e-5, 1e-5, "causal output");
            TensorAssert.Close(expected, withScores, 1e-5, 1e-5, "causal output with scores");
            TensorAssert.Close(expectedScores, scores!, 1e-6, 1e-6, "causal scores");
            Assert.Equal(0f, scores!.triu(1).abs().max().item<float>());
        }

        [Fact]
        public void PaddingMasksOfTheInputsKeepPaddedValueStepsOut()
        {
            var query = randn(2, 3, 4);
            var value = randn(2, 5, 4);
            var mha = Built(heads: 2, keyDim: 2, query, value);
            var queryMask = tensor(new[] { true, true, true, true, true, false }).reshape(2, 3);
            var valueMask = tensor(new[] { true, true, true, false, false, true, true, true, true, true }).reshape(2, 5);
            KerasMask.Set(query, queryMask);
            KerasMask.Set(value, valueMask);

            var y = mha.Apply(new[] { query, value });
            var (_, scores) = mha.Attend(query, value, returnAttentionScores: true);

            // Keras: query mask [B, T, 1] AND value mask [B, 1, S].
            var mask = queryMask.unsqueeze(-1).logical_and(valueMask.unsqueeze(1));
            var (expected, expectedScores) = Expected(mha, query, value, mask: mask);
            TensorAssert.Close(expected[0], y[0], 1e-5, 1e-5, "sample 0");
            TensorAssert.Close(expected[1, TensorIndex.Slice(0, 2)], y[1, TensorIndex.Slice(0, 2)], 1e-5, 1e-5, "sample 1, unpadded queries");
            Assert.Equal(0f, scores![0, TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(3, 5)].abs().max().item<float>());
            TensorAssert.Close(expectedScores[0], scores[0], 1e-6, 1e-6, "scores of sample 0");
            Assert.True(KerasMask.Get(y)!.equal(queryMask).all().item<bool>());
        }

        [Fact]
        public void AQueryStepThatMayAttendToNothingFollowsKerasOnEachPath()
        {
            var query = randn(1, 2, 4);
            var value = randn(1, 3, 4);
            var mha = Built(heads: 2, keyDim: 2, query, value);
            var queryMask = tensor(new[] { true, false }).reshape(1, 2);
            var w = mha.Weights.ToDictionary(p => p.Name);

            // Scaled dot-product path: the padded query's attention row is uniform (every logit gets the same large negative).
            var fused = mha.Attend(query, value, queryMask: queryMask).Output;
            var v = einsum("bsd,dnh->bsnh", value, w["value/kernel"]) + w["value/bias"];
            var uniform = einsum("bsnh,nhd->bd", v / 3, w["attention_output/kernel"]) + w["attention_output/bias"];
            TensorAssert.Close(uniform[0], fused[0, 1], 1e-5, 1e-5, "uniform attention on the fused path");

            // Einsum path (scores returned): Keras's masked softmax zeroes the row, so only the output bias is left.
            var (explicitOutput, scores) = mha.Attend(query, value, queryMask: queryMask, returnAttentionScores: true);
            Assert.Equal(0f, scores![0, TensorIndex.Colon, 1].abs().max().item<float>());
            TensorAssert.Close(w["attention_output/bias"], explicitOutput[0, 1], 1e-6, 1e-6, "zero attention on the einsum path");
        }

        [Fact]
        public void AnExplicitAttentionMaskIsAndedWithTheInputMasks()
        {
            var x = randn(1, 3, 4);
            var mha = Built(heads: 1, keyDim: 4, x, x);
            var attentionMask = tensor(new[] { true, false, true, true, true, false, true, true, true }).reshape(1, 3, 3);
            var valueMask = tensor(new[] { true, true, false }).reshape(1, 3);

            var (output, scores) = mha.Attend(x, x, attentionMask: attentionMask, valueMask: valueMask, returnAttentionScores: true);
            var fused = mha.Attend(x, x, attentionMask: attentionMask, valueMask: valueMask).Output;

            var mask = attentionMask.logical_and(valueMask.unsqueeze(1));
            var (expected, expectedScores) = Expected(mha, x, x, mask: mask);
            TensorAssert.Close(expectedScores, scores!, 1e-6, 1e-6, "scores");
            TensorAssert.Close(expected, output, 1e-5, 1e-5, "einsum path");
            TensorAssert.Close(expected, fused, 1e-5, 1e-5, "fused path");
        }

        [Fact]
        public void TwoAttentionAxesAttendOverBothLikeOneFlattenedAxis()
        {
            var x = randn(2, 2, 3, 4);
            var mha = new MultiHeadAttention(numHeads: 2, keyDim: 3, attentionAxes: new[] { 1, 2 }, biasInitializer: "random_normal");
            var y = mha.Apply(new[] { x, x });

            var flat = new MultiHeadAttention(numHeads: 2, keyDim: 3);
            flat.Apply(new[] { x.reshape(2, 6, 4), x.reshape(2, 6, 4) });
            flat.SetWeights(mha.GetWeights());
            var expected = flat.Apply(new[] { x.reshape(2, 6, 4), x.reshape(2, 6, 4) }).reshape(2, 2, 3, 4);

            TensorAssert.Close(expected, y, 1e-5, 1e-5, "attention over axes (1, 2)");
            Assert.Equal("[1,2]", mha.GetConfig().Values["attention_axes"]!.ToJsonString());
        }

        [Fact]
        public void TheBuiltConfigRecordsTheResolvedAttentionAxesAndValueDim()
        {
            var mha = new MultiHeadAttention(numHeads: 2, keyDim: 3);
            Assert.Null(mha.GetConfig().Values["attention_axes"]);
            Assert.Equal(3, (int)mha.GetConfig().Values["value_dim"]!);

            mha.Apply(new[] { ones(1, 2, 4), ones(1, 2, 4) });

            Assert.Equal("[1]", mha.GetConfig().Values["attention_axes"]!.ToJsonString());
        }

        [Fact]
        public void TheActivityRegularizerPenalizesEachOfTheFourProjections()
        {
            var mha = new MultiHeadAttention(numHeads: 2, keyDim: 3, activityRegularizer: Regularizer.L2(0.01));
            var x = randn(2, 3, 4);
            mha.Apply(new[] { x, x });

            Assert.Equal(4, mha.Losses.Count);
            Assert.Null(mha.ActivityRegularizer);
            Assert.NotNull(mha.GetConfig().Values["activity_regularizer"]);
        }

        [Fact]
        public void DropoutActsOnlyInTrainingAndASeedRepeatsIt()
        {
            var x = randn(2, 4, 3);
            var first = new MultiHeadAttention(numHeads: 2, keyDim: 2, dropout: 0.5, seed: 3);
            var second = new MultiHeadAttention(numHeads: 2, keyDim: 2, dropout: 0.5, seed: 3);
            var inference = first.Apply(new[] { x, x });
            second.Apply(new[] { x, x });
            second.SetWeights(first.GetWeights());

            var a = first.Apply(new[] { x, x }, training: true);
            var b = second.Apply(new[] { x, x }, training: true);

            TensorAssert.Close(Expected(first, x, x).Output, inference, 1e-5, 1e-5, "inference has no dropout");
            TensorAssert.Close(a, b, 0, 0, "same seed, same drops");
            Assert.False(a.allclose(inference));
        }

        [Fact]
        public void BadSizesAreRejectedWithTheReceivedValue()
        {
            Assert.Contains("num_heads=0", Assert.Throws<ArgumentOutOfRangeException>(() => new MultiHeadAttention(0, 2)).Message);
            Assert.Contains("key_dim=-1", Assert.Throws<ArgumentOutOfRangeException>(() => new MultiHeadAttention(2, -1)).Message);
            Assert.Contains("dropout=1", Assert.Throws<ArgumentOutOfRangeException>(() => new MultiHeadAttention(2, 2, dropout: 1)).Message);
        }

        [Fact]
        public void ASingleTensorFailsNamingTheLayer()
        {
            var error = Assert.Throws<ArgumentException>(() => new MultiHeadAttention(2, 2, name: "mha_single").Apply(ones(1, 2, 3)));
            Assert.Contains("'mha_single'", error.Message);
            Assert.Contains("list of inputs", error.Message);
        }

        [Fact]
        public void ValueAndKeyOfDifferentLengthsFailNamingTheLayer()
        {
            var error = Assert.Throws<ArgumentException>(() => new MultiHeadAttention(2, 2, name: "mha_steps").Apply(new[] { ones(1, 2, 3), ones(1, 4, 3), ones(1, 5, 3) }));
            Assert.Contains("'mha_steps'", error.Message);
            Assert.Contains("All dimensions of `value` and `key`, except the last one, must be equal", error.Message);
        }

        [Fact]
        public void AQueryWithOtherFeaturesThanTheBuildOnesFailsNamingTheLayer()
        {
            var mha = new MultiHeadAttention(2, 2, name: "mha_features");
            mha.Apply(new[] { ones(1, 2, 3), ones(1, 2, 3) });
            var error = Assert.Throws<ArgumentException>(() => mha.Apply(new[] { ones(1, 2, 5), ones(1, 2, 3) }));
            Assert.Contains("'mha_features'", error.Message);
            Assert.Contains("query_shape=(1, 2, 5)", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "MultiHeadAttention", "config": {"name": "multi_head_attention", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "num_heads": 4, "key_dim": 8, "value_dim": 8, "dropout": 0.1, "use_bias": true, "output_shape": null, "attention_axes": [1],
                 "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
                 "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                 "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null,
                 "bias_constraint": null, "seed": null},
                 "registered_name": null, "build_config": {"input_shape": [[null, 10, 16], [null, 12, 16]]}}
                """;

            var mha = Assert.IsType<MultiHeadAttention>(Layer.Deserialize(json));

            Assert.Equal((4, 8, 0.1), (mha.NumHeads, mha.KeyDim, mha.Dropout));
            Assert.Equal(new long[] { 16, 4, 8 }, mha.Weights[0].shape);
            Assert.Equal(new long[] { 4, 8, 16 }, mha.Weights[6].shape);
            Assert.Equal(new long[] { 3, 10, 16 }, mha.Apply(new[] { randn(3, 10, 16), randn(3, 12, 16) }).shape);
        }
    }
}
