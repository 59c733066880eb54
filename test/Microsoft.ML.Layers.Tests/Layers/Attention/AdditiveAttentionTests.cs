using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Attention
{
    public sealed class AdditiveAttentionTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new AdditiveAttention(dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 4), new(2, 3, 4) },
            ExpectedTrainableWeights = 1,
            ExpectedOutputShape = new Shape(2, 3, 4),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(2, 3),
        });

        [Fact]
        public void ScoresAreTheSumOfTanhOfQueryPlusKeyAsKerasWorkedExample()
        {
            var layer = new AdditiveAttention(useScale: false) { ReturnAttentionScores = true };
            var query = tensor(new float[] { 1, 0, 0, 1 }).reshape(1, 2, 2);
            var key = tensor(new float[] { 0, 1, 1, 0 }).reshape(1, 2, 2);
            var value = tensor(new float[] { 1, 2, 3, 4 }).reshape(1, 2, 2);

            var outputs = layer.ApplyAll(new[] { query, value, key });

            Assert.Empty(layer.Weights);
            TensorAssert.Close(tensor(new double[] { 1.727, 2.727, 2.272, 3.272 }).reshape(1, 2, 2), outputs[0], 1e-3, 1e-3, "output");
            TensorAssert.Close(tensor(new double[] { 0.636, 0.363, 0.363, 0.636 }).reshape(1, 2, 2), outputs[1], 1e-3, 1e-3, "scores");
        }

        [Fact]
        public void TheScaleWeighsEachFeature()
        {
            var layer = new AdditiveAttention { ReturnAttentionScores = true };
            var query = randn(1, 2, 3);
            var key = randn(1, 4, 3);
            layer.ApplyAll(new[] { query, key });
            layer.SetWeights(new Array[] { new float[] { 1, -2, 0.5f } });

            var scores = layer.ApplyAll(new[] { query, key })[1];

            // score[i, j] = sum over f of scale[f] * tanh(query[i, f] + key[j, f]), then softmax over j.
            var scale = tensor(new float[] { 1, -2, 0.5f });
            var raw = ((query.reshape(2, 1, 3) + key.reshape(1, 4, 3)).tanh() * scale).sum(-1);
            TensorAssert.Close(raw.softmax(-1).unsqueeze(0), scores, 1e-6, 1e-6, "scaled additive scores");
            Assert.Equal(new long[] { 3 }, layer.Weights.Single().shape);
        }

        [Fact]
        public void TheConfigHasNoScoreMode()
        {
            var config = new AdditiveAttention().GetConfig();
            Assert.False(config.Values.ContainsKey("score_mode"));
            Assert.True((bool)config.Values["use_scale"]!);
        }

        [Fact]
        public void ASingleTensorFailsNamingTheLayer()
        {
            var error = Assert.Throws<ArgumentException>(() => new AdditiveAttention(name: "additive_single").Apply(ones(1, 2, 2)));
            Assert.Contains("'additive_single'", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "AdditiveAttention", "config": {"name": "additive_attention", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "use_scale": true, "dropout": 0.0},
                 "registered_name": null, "build_config": {"input_shape": [[null, 3, 8], [null, 5, 8]]}}
                """;
            var layer = Assert.IsType<AdditiveAttention>(Layer.Deserialize(json));
            Assert.Equal(new long[] { 8 }, layer.ScaleWeight!.shape);
        }
    }
}
