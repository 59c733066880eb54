using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Attention
{
    public sealed class AttentionTests
    {
        // Keras 3's hand-worked example: two query steps, two key/value steps.
        private static Tensor Query => tensor(new float[] { 1, 0, 0, 1 }).reshape(1, 2, 2);
        private static Tensor Key => tensor(new float[] { 0, 1, 1, 0 }).reshape(1, 2, 2);
        private static Tensor Value => tensor(new float[] { 1, 2, 3, 4 }).reshape(1, 2, 2);

        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Microsoft.ML.Layers.Attention(dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 4), new(2, 3, 4) },
            ExpectedOutputShape = new Shape(2, 3, 4),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(2, 3),
        });

        [Fact]
        public void PassesTheSharedLayerCheckWithScaleConcatScoresAndDropout() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Microsoft.ML.Layers.Attention(useScale: true, scoreMode: AttentionScoreMode.Concat, dropout: 0.5, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 4), new(2, 3, 5), new(2, 3, 4) },
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(2, 3, 5),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(2, 3),
            RandomInTraining = true,
        });

        [Fact]
        public void DotScoresWeighTheValuesAsKerasWorkedExample()
        {
            var layer = new Microsoft.ML.Layers.Attention { ReturnAttentionScores = true };

            var outputs = layer.ApplyAll(new[] { Query, Value, Key });

            TensorAssert.Close(tensor(new double[] { 2.462, 3.462, 1.538, 2.538 }).reshape(1, 2, 2), outputs[0], 1e-3, 1e-3, "dot output");
            TensorAssert.Close(tensor(new double[] { 0.269, 0.731, 0.731, 0.269 }).reshape(1, 2, 2), outputs[1], 1e-3, 1e-3, "dot scores");
        }

        [Fact]
        public void ConcatScoresWeighTheValuesAsKerasWorkedExample()
        {
            var layer = new Microsoft.ML.Layers.Attention(scoreMode: AttentionScoreMode.Concat) { ReturnAttentionScores = true };

            var outputs = layer.ApplyAll(new[] { Query, Value, Key });

            TensorAssert.Close(tensor(new double[] { 1.727, 2.727, 2.272, 3.272 }).reshape(1, 2, 2), outputs[0], 1e-3, 1e-3, "concat output");
            TensorAssert.Close(tensor(new double[] { 0.636, 0.363, 0.363, 0.636 }).reshape(1, 2, 2), outputs[1], 1e-3, 1e-3, "concat scores");
        }

        [Fact]
        public void TheScaleMultipliesTheDotScores()
        {
            var layer = new Microsoft.ML.Layers.Attention(useScale: true) { ReturnAttentionScores = true };
            layer.ApplyAll(new[] { Query, Value, Key });
            layer.SetWeights(new Array[] { new float[] { 2 } });

            var scores = layer.ApplyAll(new[] { Query, Value, Key })[1];

            // Scores [[0, 1], [1, 0]] doubled: softmax([0, 2]) = [1, e²] / (1 + e²).
            double high = Math.Exp(2) / (1 + Math.Exp(2));
            TensorAssert.Close(tensor(new[] { 1 - high, high, high, 1 - high }).reshape(1, 2, 2), scores, 1e-6, 1e-6, "scaled scores");
        }

        [Fact]
        public void MaskedValueStepsGetNoWeightAndMaskedQueryStepsGiveZeros()
        {
            var layer = new Microsoft.ML.Layers.Attention { ReturnAttentionScores = true };
            var query = Query;
            var value = tensor(new float[] { 1, 1, 1, 1 }).reshape(1, 2, 2);
            var queryMask = tensor(new[] { true, false }).reshape(1, 2);
            var valueMask = tensor(new[] { true, false }).reshape(1, 2);

            var outputs = layer.ApplyAll(new[] { query, value }, masks: new Tensor?[] { queryMask, valueMask });

            TensorAssert.Close(tensor(new float[] { 1, 1, 0, 0 }).reshape(1, 2, 2), outputs[0], 1e-6, 1e-6, "masked output");
            TensorAssert.Close(tensor(new float[] { 1, 0, 1, 0 }).reshape(1, 2, 2), outputs[1], 1e-6, 1e-6, "masked scores");
            Assert.True(KerasMask.Get(outputs[0])!.equal(queryMask).all().item<bool>());
        }

        [Fact]
        public void EachSampleUsesItsOwnValueMask()
        {
            // Two samples, three query steps, four value steps: sample 0 may attend to steps 0-1, sample 1 to step 3.
            var layer = new Microsoft.ML.Layers.Attention { ReturnAttentionScores = true };
            var query = randn(2, 3, 5);
            var value = randn(2, 4, 5);
            var valueMask = tensor(new[] { true, true, false, false, false, false, false, true }).reshape(2, 4);

            var scores = layer.ApplyAll(new[] { query, value }, masks: new Tensor?[] { null, valueMask })[1];

            var expected = (query.bmm(value.transpose(1, 2)) - 1e9 * valueMask.logical_not().to(ScalarType.Float32).unsqueeze(1)).softmax(-1);
            TensorAssert.Close(expected, scores, 1e-6, 1e-6, "per-sample value masks");
            Assert.Equal(0f, scores[1, TensorIndex.Colon, TensorIndex.Slice(0, 3)].abs().max().item<float>());
        }

        [Fact]
        public void TheCausalMaskHidesLaterSteps()
        {
            var layer = new Microsoft.ML.Layers.Attention { UseCausalMask = true, ReturnAttentionScores = true };
            var x = randn(2, 4, 3);

            var scores = layer.ApplyAll(new[] { x, x })[1];

            Assert.Equal(0f, scores.triu(1).abs().max().item<float>());
            TensorAssert.Close(ones(2, 4), scores.sum(-1), 1e-6, 1e-6, "rows sum to one");
        }

        [Fact]
        public void DropoutActsOnlyInTrainingAndASeedRepeatsIt()
        {
            var x = randn(2, 5, 3);
            var plain = new Microsoft.ML.Layers.Attention().Apply(new[] { x, x });
            var first = new Microsoft.ML.Layers.Attention(dropout: 0.5, seed: 7);
            var second = new Microsoft.ML.Layers.Attention(dropout: 0.5, seed: 7);

            TensorAssert.Close(plain, first.Apply(new[] { x, x }), 0, 0, "inference ignores dropout");
            var a = first.Apply(new[] { x, x }, training: true);
            var b = second.Apply(new[] { x, x }, training: true);
            TensorAssert.Close(a, b, 0, 0, "same seed, same drops");
            Assert.False(a.allclose(plain));
        }

        [Fact]
        public void AnUnknownScoreModeIsRejectedWithTheReceivedValue()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Microsoft.ML.Layers.Attention(scoreMode: (AttentionScoreMode)5));
            Assert.Contains("score_mode=5", error.Message);
        }

        [Fact]
        public void ASingleTensorOrFourInputsFailNamingTheLayer()
        {
            var x = ones(1, 2, 2);
            var single = Assert.Throws<ArgumentException>(() => new Microsoft.ML.Layers.Attention(name: "att_single").Apply(x));
            Assert.Contains("'att_single'", single.Message);
            Assert.Contains("must be called on a list", single.Message);
            var four = Assert.Throws<ArgumentException>(() => new Microsoft.ML.Layers.Attention(name: "att_four").Apply(new[] { x, x, x, x }));
            Assert.Contains("'att_four'", four.Message);
            Assert.Contains("length 2 or 3", four.Message);
        }

        [Fact]
        public void AQueryAndKeyOfDifferentSizesFailNamingTheLayer()
        {
            var error = Assert.Throws<ArgumentException>(() => new Microsoft.ML.Layers.Attention(name: "att_dims").Apply(new[] { ones(1, 2, 3), ones(1, 4, 5) }));
            Assert.Contains("'att_dims'", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Attention", "config": {"name": "attention", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "use_scale": true, "score_mode": "concat", "dropout": 0.1},
                 "registered_name": null, "build_config": {"input_shape": [[null, 3, 4], [null, 5, 4]]}}
                """;
            var layer = Assert.IsType<Microsoft.ML.Layers.Attention>(Layer.Deserialize(json));
            Assert.Equal((AttentionScoreMode.Concat, 0.1), (layer.ScoreMode, layer.Dropout));
            Assert.Equal(new[] { "attention/scale", "attention/concat_score_weight" }, layer.Weights.Select(w => w.Path));
        }
    }
}
