using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;
using R = Microsoft.ML.Layers.Tests.Layers.Recurrent.RecurrentReference;

namespace Microsoft.ML.Layers.Tests.Layers.Recurrent
{
    public sealed class GRUTests
    {
        [Fact]
        public void ResetAfterAndResetBeforeGiveDifferentResultsForTheSameWeights()
        {
            // The same kernels and input bias; only where the reset gate applies differs (the recurrent bias is zero).
            var after = new GRU(3, resetAfter: true);
            var before = new GRU(3, resetAfter: false);
            after.EnsureBuilt(new Shape(2, 4, 2));
            before.EnsureBuilt(new Shape(2, 4, 2));
            var weights = R.RandomWeights(before);
            before.SetWeights(weights);
            var bias = new float[2, 9];
            for (int j = 0; j < 9; j++)
                bias[0, j] = (float)weights[2].GetValue(j)!;
            after.SetWeights(new[] { weights[0], weights[1], bias });
            var x = randn(2, 4, 2);

            Assert.False(after.Apply(x).allclose(before.Apply(x), rtol: 1e-3, atol: 1e-4));
        }

        [Fact]
        public void WithResetAfterMatchesLibtorchsGruAfterReorderingGatesZrhToRzn()
        {
            var gru = new GRU(4, returnSequences: true);
            gru.EnsureBuilt(new Shape(2, 7, 3));
            gru.SetWeights(R.RandomWeights(gru));
            var x = randn(2, 7, 3);
            using var reference = nn.GRU(3, 4, batchFirst: true);
            var p = reference.named_parameters().ToDictionary(n => n.name, n => n.parameter);
            // libtorch's rows are r, z, n; Keras's columns are z, r, h.
            static Tensor Reorder(Tensor t) => cat(new[] { t.narrow(-1, 4, 4), t.narrow(-1, 0, 4), t.narrow(-1, 8, 4) }, -1);
            using (no_grad())
            {
                p["weight_ih_l0"].copy_(Reorder(gru.Kernel!).t());
                p["weight_hh_l0"].copy_(Reorder(gru.RecurrentKernel!).t());
                p["bias_ih_l0"].copy_(Reorder(gru.Bias![0]));
                p["bias_hh_l0"].copy_(Reorder(gru.Bias![1]));
            }

            var (expected, _) = reference.forward(x);

            TensorAssert.Close(expected, gru.Apply(x), 1e-5, 1e-5, "libtorch GRU");
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "GRU", "config": {"name": "gru", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "return_sequences": false, "return_state": false, "go_backwards": true, "stateful": false, "unroll": false,
                 "zero_output_for_mask": false, "units": 5, "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": true,
                 "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
                 "recurrent_initializer": {"module": "keras.initializers", "class_name": "Orthogonal", "config": {"gain": 1.0, "seed": null}, "registered_name": null},
                 "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                 "kernel_regularizer": null, "recurrent_regularizer": null, "bias_regularizer": null, "activity_regularizer": null,
                 "kernel_constraint": null, "recurrent_constraint": null, "bias_constraint": null,
                 "dropout": 0.0, "recurrent_dropout": 0.0, "reset_after": false, "seed": null},
                 "registered_name": null, "build_config": {"input_shape": [null, null, 2]}}
                """;

            var gru = Assert.IsType<GRU>(Layer.Deserialize(json));

            Assert.Equal(("gru", 5, true, false), (gru.Name, gru.Units, gru.GoBackwards, gru.ResetAfter));
            Assert.Equal(new long[] { 15 }, gru.Bias!.shape);
            var kerasKeys = System.Text.Json.Nodes.JsonNode.Parse(json)!["config"]!.AsObject().Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal);
            Assert.Equal(kerasKeys, gru.GetConfig().Keys.OrderBy(k => k, StringComparer.Ordinal));
        }
    }
}
