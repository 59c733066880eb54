using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;
using R = Microsoft.ML.Layers.Tests.Layers.Recurrent.RecurrentReference;

namespace Microsoft.ML.Layers.Tests.Layers.Recurrent
{
    public sealed class LSTMTests
    {
        [Fact]
        public void UnitForgetBiasStartsTheForgetGateBiasAtOne()
        {
            var lstm = new LSTM(2);
            lstm.EnsureBuilt(new Shape(1, 1, 3));
            Assert.Equal(new float[] { 0, 0, 1, 1, 0, 0, 0, 0 }, lstm.Bias!.data<float>().ToArray());

            var plain = new LSTM(2, unitForgetBias: false, biasInitializer: "ones");
            plain.EnsureBuilt(new Shape(1, 1, 3));
            Assert.All(plain.Bias!.data<float>().ToArray(), v => Assert.Equal(1f, v));
        }

        [Fact]
        public void OneUnitTwoStepsMatchAHandWorkedExampleInGateOrderIfco()
        {
            // One input, one unit. Kernel columns are the gates i, f, c, o; the recurrent kernel and bias are chosen so that
            // every gate is identifiable.
            var lstm = new LSTM(1, returnSequences: true);
            lstm.EnsureBuilt(new Shape(1, 2, 1));
            float[] k = { 0.5f, -1f, 2f, 1f }, u = { 0.3f, 0.2f, -0.4f, 0.1f }, b = { 0.1f, 0.2f, 0.3f, -0.2f };
            lstm.SetWeights(new Array[] { new[,] { { k[0], k[1], k[2], k[3] } }, new[,] { { u[0], u[1], u[2], u[3] } }, b });
            var y = lstm.Apply(tensor(new float[] { 1f, -2f }, 1, 2, 1)).data<float>().ToArray();

            static double S(double v) => 1 / (1 + Math.Exp(-v));
            double h = 0, c = 0;
            var expected = new double[2];
            double[] xs = { 1, -2 };
            for (int t = 0; t < 2; t++)
            {
                double x = xs[t];
                double i = S(x * k[0] + h * u[0] + b[0]);
                double f = S(x * k[1] + h * u[1] + b[1]);
                double g = Math.Tanh(x * k[2] + h * u[2] + b[2]);
                double o = S(x * k[3] + h * u[3] + b[3]);
                c = f * c + i * g;
                h = o * Math.Tanh(c);
                expected[t] = h;
            }
            Assert.Equal(expected[0], y[0], 5);
            Assert.Equal(expected[1], y[1], 5);
        }

        [Fact]
        public void ReturnStateGivesTheLastOutputThenHAndC()
        {
            var lstm = new LSTM(3, returnState: true);
            var x = randn(2, 4, 3);

            var all = lstm.ApplyAll(x);
            var first = lstm.Apply(x);

            Assert.Equal(3, all.Count);
            Assert.Equal(new long[] { 2, 3 }, all[0].shape);
            Assert.True(all[0].equal(all[1]).all().item<bool>(), "the output is the final h");
            Assert.NotSame(all[0], all[1]);
            Assert.False(all[1].equal(all[2]).all().item<bool>());
            Assert.True(first.equal(all[0]).all().item<bool>(), "Apply gives the first output");
        }

        [Fact]
        public void MatchesLibtorchsOwnLstmWhichUsesTheSameGateOrder()
        {
            // libtorch's LSTM (gates i, f, g, o) with weight_ih = kernelᵀ, weight_hh = recurrent_kernelᵀ, bias_ih = bias, bias_hh = 0.
            var lstm = new LSTM(4, returnSequences: true);
            lstm.EnsureBuilt(new Shape(2, 7, 3));
            lstm.SetWeights(R.RandomWeights(lstm));
            var x = randn(2, 7, 3);
            using var reference = nn.LSTM(3, 4, batchFirst: true);
            var p = reference.named_parameters().ToDictionary(n => n.name, n => n.parameter);
            using (no_grad())
            {
                p["weight_ih_l0"].copy_(lstm.Kernel!.t());
                p["weight_hh_l0"].copy_(lstm.RecurrentKernel!.t());
                p["bias_ih_l0"].copy_(lstm.Bias!);
                p["bias_hh_l0"].zero_();
            }

            var (expected, _, _) = reference.forward(x);

            TensorAssert.Close(expected, lstm.Apply(x), 1e-5, 1e-5, "libtorch LSTM");
        }

        [Fact]
        public void RejectsANonPositiveUnitCountWithTheReceivedValue()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new LSTM(0));
            Assert.Contains("units=0", error.Message);
        }

        [Fact]
        public void RejectsADropoutOutsideZeroToOneWithTheReceivedValue()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new LSTM(2, recurrentDropout: 1.5));
            Assert.Contains("recurrent_dropout=1.5", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "LSTM", "config": {"name": "lstm_3", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "return_sequences": true, "return_state": false, "go_backwards": false, "stateful": false, "unroll": false,
                 "zero_output_for_mask": false, "units": 4, "activation": "tanh", "recurrent_activation": "hard_sigmoid", "use_bias": true,
                 "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
                 "recurrent_initializer": {"module": "keras.initializers", "class_name": "Orthogonal", "config": {"gain": 1.0, "seed": null}, "registered_name": null},
                 "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                 "unit_forget_bias": true, "kernel_regularizer": null, "recurrent_regularizer": null, "bias_regularizer": null,
                 "activity_regularizer": null, "kernel_constraint": null, "recurrent_constraint": null, "bias_constraint": null,
                 "dropout": 0.0, "recurrent_dropout": 0.25, "seed": 7},
                 "registered_name": null, "build_config": {"input_shape": [null, 10, 3]}}
                """;

            var lstm = Assert.IsType<LSTM>(Layer.Deserialize(json));

            Assert.Equal(("lstm_3", 4, true), (lstm.Name, lstm.Units, lstm.ReturnSequences));
            Assert.Equal(("tanh", "hard_sigmoid", 0.25, 7L), (lstm.Activation.Name, lstm.RecurrentActivation.Name, lstm.RecurrentDropout, lstm.Seed!.Value));
            Assert.Equal(1, lstm.Implementation);
            Assert.True(lstm.Built);
            Assert.Equal(new long[] { 3, 16 }, lstm.Kernel!.shape);
            var kerasKeys = System.Text.Json.Nodes.JsonNode.Parse(json)!["config"]!.AsObject().Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal);
            Assert.Equal(kerasKeys, lstm.GetConfig().Keys.OrderBy(k => k, StringComparer.Ordinal));
        }
    }
}
