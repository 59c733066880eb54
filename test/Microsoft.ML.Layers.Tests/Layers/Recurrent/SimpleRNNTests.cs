using System;
using System.Linq;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Recurrent
{
    public sealed class SimpleRNNTests
    {
        [Fact]
        public void TwoStepsMatchAHandWorkedExample()
        {
            // h1 = tanh(1·0.5 + 0·0.8 + 0.1) = tanh(0.6); h2 = tanh(-1·0.5 + h1·0.8 + 0.1).
            var rnn = new SimpleRNN(1, returnSequences: true);
            rnn.EnsureBuilt(new Shape(1, 2, 1));
            rnn.SetWeights(new Array[] { new[,] { { 0.5f } }, new[,] { { 0.8f } }, new[] { 0.1f } });

            var y = rnn.Apply(tensor(new float[] { 1, -1 }, 1, 2, 1)).data<float>().ToArray();

            double h1 = Math.Tanh(0.6);
            Assert.Equal(h1, y[0], 6);
            Assert.Equal(Math.Tanh(-0.5 + h1 * 0.8 + 0.1), y[1], 6);
        }

        [Fact]
        public void AnInputOfRankTwoFailsNamingTheLayer()
        {
            var rnn = new SimpleRNN(2, name: "encoder");

            var error = Assert.Throws<ArgumentException>(() => rnn.Apply(ones(4, 3)));

            Assert.Contains("'encoder'", error.Message);
            Assert.Contains("ndim=3", error.Message);
        }

        [Fact]
        public void AnInputWithOtherFeaturesThanTheBuildOnesFailsNamingTheLayer()
        {
            var rnn = new SimpleRNN(2, name: "encoder");
            rnn.Apply(ones(1, 3, 4));

            var error = Assert.Throws<ArgumentException>(() => rnn.Apply(ones(1, 3, 5)));

            Assert.Contains("'encoder'", error.Message);
            Assert.Contains("value 4", error.Message);
        }

        [Fact]
        public void ReadsAKeras3ConfigWhichHasNoSeed()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "SimpleRNN", "config": {"name": "simple_rnn", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "return_sequences": false, "return_state": true, "go_backwards": false, "stateful": false, "unroll": false,
                 "zero_output_for_mask": false, "units": 6, "activation": "relu", "use_bias": false,
                 "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
                 "recurrent_initializer": {"module": "keras.initializers", "class_name": "Orthogonal", "config": {"gain": 1.0, "seed": null}, "registered_name": null},
                 "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                 "kernel_regularizer": {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.01}, "registered_name": null},
                 "recurrent_regularizer": null, "bias_regularizer": null, "activity_regularizer": null,
                 "kernel_constraint": null, "recurrent_constraint": null, "bias_constraint": null,
                 "dropout": 0.1, "recurrent_dropout": 0.0},
                 "registered_name": null, "build_config": {"input_shape": [null, 3, 2]}}
                """;

            var rnn = Assert.IsType<SimpleRNN>(Layer.Deserialize(json));

            Assert.Equal(("simple_rnn", 6, "relu", true, false, 0.1), (rnn.Name, rnn.Units, rnn.Activation.Name, rnn.ReturnState, rnn.UseBias, rnn.Dropout));
            Assert.NotNull(rnn.KernelRegularizer);
            Assert.Equal(2, rnn.Weights.Count);
            var kerasKeys = System.Text.Json.Nodes.JsonNode.Parse(json)!["config"]!.AsObject().Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal);
            Assert.Equal(kerasKeys, rnn.GetConfig().Keys.OrderBy(k => k, StringComparer.Ordinal));
        }
    }
}
