using Microsoft.ML.Layers.TestFramework;
using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Layers.Import;
using Microsoft.ML.Layers.Tests.Layers.Recurrent;
using PureHDF;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Import
{
    /// <summary>
    /// Keras 1 files (no <c>keras_version</c> attribute): Keras 1 class and argument names, and LSTM weights stored per gate
    /// (W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o, b_o) joined in Keras 2's i, f, c, o order. The file is
    /// written here in Keras 1's layout; the expected output is the LSTM and Dense maths written directly in TorchSharp.
    /// </summary>
    public sealed class Keras1ImportTests : WrittenKerasFiles
    {
        public Keras1ImportTests() : base("keras1-")
        {
        }

        private const string Config = """
            {"class_name": "Sequential", "config": [
              {"class_name": "LSTM", "config": {"name": "lstm_1", "trainable": true, "batch_input_shape": [null, 4, 3], "input_dtype": "float32",
               "return_sequences": false, "go_backwards": false, "stateful": false, "unroll": false, "consume_less": "cpu", "output_dim": 2,
               "init": "glorot_uniform", "inner_init": "orthogonal", "forget_bias_init": "one", "activation": "tanh", "inner_activation": "sigmoid",
               "W_regularizer": null, "U_regularizer": null, "b_regularizer": null, "dropout_W": 0.0, "dropout_U": 0.0}},
              {"class_name": "Dense", "config": {"name": "dense_1", "trainable": true, "output_dim": 1, "init": "glorot_uniform", "activation": "linear",
               "W_regularizer": null, "b_regularizer": null, "activity_regularizer": null, "W_constraint": null, "b_constraint": null, "bias": true, "input_dim": null}}
            ]}
            """;

        [Fact]
        public void AKeras1LstmWithGateWiseWeightsComputesKerasMaths()
        {
            // Per gate g in Keras 1's order i, c, f, o: W (3 x 2), U (2 x 2), b (2).
            string[] gates = { "i", "c", "f", "o" };
            var w = gates.ToDictionary(g => g, g => Matrix(3, 2, g[0]));
            var u = gates.ToDictionary(g => g, g => Matrix(2, 2, g[0] + 100));
            var b = gates.ToDictionary(g => g, g => Enumerable.Range(0, 2).Select(k => (float)(g[0] % 7 - 3 + k) / 10f).ToArray());
            float[,] denseKernel = Matrix(2, 1, 7);
            float[] denseBias = { 0.25f };

            var lstmGroup = new H5Group();
            var names = gates.SelectMany(g => new[] { $"lstm_1_W_{g}", $"lstm_1_U_{g}", $"lstm_1_b_{g}" }).ToArray();
            foreach (var g in gates)
            {
                lstmGroup[$"lstm_1_W_{g}"] = w[g];
                lstmGroup[$"lstm_1_U_{g}"] = u[g];
                lstmGroup[$"lstm_1_b_{g}"] = b[g];
            }
            lstmGroup.Attributes["weight_names"] = names;
            var denseGroup = new H5Group { ["dense_1_W"] = denseKernel, ["dense_1_b"] = denseBias };
            denseGroup.Attributes["weight_names"] = new[] { "dense_1_W", "dense_1_b" };
            var weights = new H5Group { ["lstm_1"] = lstmGroup, ["dense_1"] = denseGroup };
            weights.Attributes["layer_names"] = new[] { "lstm_1", "dense_1" };
            var file = new H5File { ["model_weights"] = weights };
            file.Attributes["model_config"] = Config;
            string path = Path.Combine(Folder, "keras1.h5");
            file.Write(path);

            using var scope = NewDisposeScope();
            using var model = KerasModel.Load(path);
            var x = randn(2, 4, 3);
            var actual = model.Predict(x);

            // Keras 2's LSTM kernel is [W_i | W_f | W_c | W_o] (and likewise U and b).
            Tensor Join(Func<string, Tensor> part, int axis) => cat(new[] { "i", "f", "c", "o" }.Select(part).ToArray(), axis);
            var kernel = Join(g => tensor(w[g]), 1);
            var recurrent = Join(g => tensor(u[g]), 1);
            var bias = Join(g => tensor(b[g]), 0);
            var (outputs, _) = RecurrentReference.Run(x, RecurrentReference.Zeros(2, 2, count: 2), RecurrentReference.Lstm(kernel, recurrent, bias));
            var expected = outputs.select(1, -1).matmul(tensor(denseKernel)) + tensor(denseBias);
            TensorAssert.Close(expected, actual, 1e-5, 1e-5, "Keras 1 LSTM + Dense");
            var lstm = Assert.IsType<LSTM>(model.Layers[0]);
            Assert.Equal((2, true), (lstm.Units, lstm.UnitForgetBias));
        }

        [Fact]
        public void Keras1TheanoOrderedConvolutionsAreRefusedNamingTheArgument()
        {
            const string json = """
                {"class_name": "Sequential", "config": [{"class_name": "Convolution2D", "config": {"name": "convolution2d_1", "nb_filter": 4,
                  "nb_row": 3, "nb_col": 3, "init": "glorot_uniform", "activation": "relu", "border_mode": "valid", "subsample": [1, 1],
                  "dim_ordering": "th", "W_regularizer": null, "b_regularizer": null, "activity_regularizer": null, "W_constraint": null,
                  "b_constraint": null, "bias": true, "batch_input_shape": [null, 1, 8, 8], "input_dtype": "float32", "trainable": true}}]}
                """;

            var error = Assert.Throws<KerasImportException>(() => KerasModel.FromJson(json));

            Assert.Equal(("convolution2d_1", "dim_ordering"), (error.Layer, error.Argument));
        }

        [Fact]
        public void Keras1TensorFlowOrderedConvolutionsMapToConv2D()
        {
            const string json = """
                {"class_name": "Sequential", "config": [{"class_name": "Convolution2D", "config": {"name": "convolution2d_1", "nb_filter": 4,
                  "nb_row": 3, "nb_col": 2, "init": "glorot_uniform", "activation": "relu", "border_mode": "same", "subsample": [2, 1],
                  "dim_ordering": "tf", "W_regularizer": null, "b_regularizer": null, "activity_regularizer": null, "W_constraint": null,
                  "b_constraint": null, "bias": true, "batch_input_shape": [null, 8, 8, 1], "input_dtype": "float32", "trainable": true}}]}
                """;

            using var model = KerasModel.FromJson(json);

            var conv = Assert.IsType<Conv2D>(model.Layers[0]);
            Assert.Equal(new[] { 3, 2 }, conv.KernelSize.Values);
            Assert.Equal(new[] { 2, 1 }, conv.Strides.Values);
            Assert.Equal((Padding.Same, DataFormat.ChannelsLast, 4), (conv.Padding, conv.DataFormat, conv.Filters));
            Assert.Equal(new long[] { 2, 4, 8, 4 }, model.Predict(randn(2, 8, 8, 1)).shape);
        }
    }
}
