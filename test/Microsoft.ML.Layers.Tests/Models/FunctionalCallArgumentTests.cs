using System;
using System.Linq;
using System.Text.Json.Nodes;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Models
{
    /// <summary>
    /// The call arguments a Keras 3 functional config records per node: several positional tensors, <c>use_causal_mask</c>
    /// replayed onto the attention layer, and anything else refused rather than silently dropped.
    /// </summary>
    public sealed class FunctionalCallArgumentTests
    {
        /// <summary>A self-attention model's config, with its attention node rewritten by <paramref name="edit"/>.</summary>
        private static LayerConfig AttentionConfig(Action<JsonObject> edit)
        {
            var x = Input.Create(new Shape(4, 6), name: "tokens");
            var y = new MultiHeadAttention(numHeads: 2, keyDim: 3, name: "attention").Apply(new[] { x, x });
            using var model = new Model(x, y, name: "encoder");
            var config = model.GetConfig();
            var node = config.Values["layers"]!.AsArray().Single(l => (string?)l!["name"] == "attention")!["inbound_nodes"]![0]!.AsObject();
            edit(node);
            return config;
        }

        [Fact]
        public void UseCausalMaskIsReplayedOntoTheAttentionLayerFromPositionalTensors()
        {
            // Keras 3 writes mha(query, value) as two positional tensors and the flag as a keyword argument.
            var config = AttentionConfig(node =>
            {
                var tensors = node["args"]![0]!.AsArray().Select(t => t!.DeepClone()).ToArray();
                node["args"] = new JsonArray(tensors);
                node["kwargs"] = new JsonObject { ["use_causal_mask"] = true };
            });

            using var model = Model.FromConfig(config);
            var attention = (MultiHeadAttention)model.GetLayer("attention");
            var input = randn(1, 4, 6);
            var output = model.Predict(input);
            // Causal: the first step's output depends on the first step only.
            var changed = input.clone();
            changed[0, 3] = randn(6);

            Assert.True(attention.UseCausalMask);
            Assert.True(output[0, 0].allclose(model.Predict(changed)[0, 0]));
            Assert.False(output[0, 3].allclose(model.Predict(changed)[0, 3]));
        }

        [Fact]
        public void AnUnsupportedCallArgumentIsRefusedNamingItAndTheLayer()
        {
            var config = AttentionConfig(node => node["kwargs"] = new JsonObject { ["return_attention_scores"] = true });

            var error = Assert.Throws<FormatException>(() => Model.FromConfig(config));

            Assert.Contains("'return_attention_scores'", error.Message);
            Assert.Contains("layer 'attention'", error.Message);
        }

        [Fact]
        public void UseCausalMaskOnALayerWithoutItIsRefused()
        {
            var x = Input.Create(new Shape(3));
            using var model = new Model(x, new Dense(2, name: "dense").Apply(x), name: "m");
            var config = model.GetConfig();
            config.Values["layers"]!.AsArray().Single(l => (string?)l!["name"] == "dense")!["inbound_nodes"]![0]!["kwargs"] = new JsonObject { ["use_causal_mask"] = true };

            var error = Assert.Throws<FormatException>(() => Model.FromConfig(config));

            Assert.Contains("layer 'dense' (Dense) has no call argument 'use_causal_mask'", error.Message);
        }
    }
}
