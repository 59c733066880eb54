using Microsoft.ML.Layers.TestFramework;
using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Microsoft.ML.Layers.Import;
using Microsoft.ML.Layers.Tests.Layers.Recurrent;
using PureHDF;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Import
{
    /// <summary>
    /// Keras 3 <c>.keras</c> archives: <c>config.json</c> as Keras 3 writes it, and <c>model.weights.h5</c> with
    /// <c>layers/&lt;snake_case class&gt;[_N]/vars/&lt;i&gt;</c> (nested layers under their attribute names, which for
    /// Bidirectional sort backward before forward). The archives are written here with known weights, and the imported
    /// model's output is checked against the same maths written directly in TorchSharp.
    /// </summary>
    public sealed class Keras3ArchiveTests : WrittenKerasFiles
    {
        internal const string Float32 = """{"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}""";
        internal const string Glorot = """{"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null}""";
        internal const string Zeros = """{"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}""";
        private const string Ones = """{"module": "keras.initializers", "class_name": "Ones", "config": {}, "registered_name": null}""";

        public Keras3ArchiveTests() : base("keras3-")
        {
        }

        internal static string DenseConfig(string name, int units, string activation, string inputShape) => """
            {"module": "keras.layers", "class_name": "Dense", "config": {"name": "<<0>>", "trainable": true, "dtype": <<1>>,
             "units": <<2>>, "activation": "<<3>>", "use_bias": true, "kernel_initializer": <<4>>, "bias_initializer": <<5>>,
             "kernel_regularizer": null, "bias_regularizer": null, "kernel_constraint": null, "bias_constraint": null, "quantization_config": null},
             "registered_name": null, "build_config": {"input_shape": <<6>>}
            """.Fill(name, Float32, units, activation, Glorot, Zeros, inputShape);

        private static string KerasTensor(string layer, int node = 0) => """
            {"class_name": "__keras_tensor__", "config": {"shape": [null, 4], "dtype": "float32", "keras_history": ["<<0>>", <<1>>, 0]}}
            """.Fill(layer, node);

        private string WriteArchive(string name, string config, H5File weights) => WriteKeras3Archive(name, config, weights, "3.6.0");

        private static float[] Vector(int length, int seed, float offset = 0f)
            => Enumerable.Range(0, length).Select(i => offset + (float)(new Random(seed + i).NextDouble() - 0.5)).ToArray();

        [Fact]
        public void AFunctionalModelWithBatchNormalizationComputesKerasMaths()
        {
            string config = """
                {"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "functional", "trainable": true,
                 "layers": [
                  {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 3], "dtype": "float32", "sparse": false, "name": "input_layer"}, "registered_name": null, "name": "input_layer", "inbound_nodes": []},
                  <<0>>, "name": "dense", "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 3], "dtype": "float32", "keras_history": ["input_layer", 0, 0]}}], "kwargs": {}}]},
                  {"module": "keras.layers", "class_name": "BatchNormalization", "config": {"name": "batch_normalization", "trainable": true, "dtype": <<1>>,
                   "axis": -1, "momentum": 0.99, "epsilon": 0.001, "center": true, "scale": true, "beta_initializer": <<2>>, "gamma_initializer": <<3>>,
                   "moving_mean_initializer": <<4>>, "moving_variance_initializer": <<5>>, "beta_regularizer": null, "gamma_regularizer": null,
                   "beta_constraint": null, "gamma_constraint": null, "synchronized": false}, "registered_name": null, "build_config": {"input_shape": [null, 4]},
                   "name": "batch_normalization", "inbound_nodes": [{"args": [<<6>>], "kwargs": {"training": null, "mask": null}}]},
                  <<7>>, "name": "dense_1", "inbound_nodes": [{"args": [<<8>>], "kwargs": {}}]}
                 ],
                 "input_layers": [["input_layer", 0, 0]], "output_layers": [["dense_1", 0, 0]]},
                 "registered_name": "Functional", "build_config": {"input_shape": null}, "compile_config": null}
                """.Fill(DenseConfig("dense", 4, "relu", "[null, 3]"), Float32, Zeros, Ones, Zeros, Ones, KerasTensor("dense"), DenseConfig("dense_1", 2, "linear", "[null, 4]"), KerasTensor("batch_normalization"));
            float[,] kernel1 = Matrix(3, 4, 1), kernel2 = Matrix(4, 2, 2);
            float[] bias1 = Vector(4, 3), bias2 = Vector(2, 4), gamma = Vector(4, 5, 1f), beta = Vector(4, 6), mean = Vector(4, 7), variance = Vector(4, 8, 1f);
            var weights = new H5File
            {
                ["layers"] = new H5Group
                {
                    ["input_layer"] = new H5Group { ["vars"] = new H5Group() },
                    ["dense"] = new H5Group { ["vars"] = new H5Group { ["0"] = kernel1, ["1"] = bias1 } },
                    // Keras 3 saves trainable variables first (gamma, beta), then the moving statistics.
                    ["batch_normalization"] = new H5Group { ["vars"] = new H5Group { ["0"] = gamma, ["1"] = beta, ["2"] = mean, ["3"] = variance } },
                    ["dense_1"] = new H5Group { ["vars"] = new H5Group { ["0"] = kernel2, ["1"] = bias2 } },
                },
            };
            string path = WriteArchive("functional", config, weights);
            using var scope = NewDisposeScope();
            var x = randn(5, 3);

            using var model = KerasModel.Load(path);
            var actual = model.Predict(x);

            var hidden = nn.functional.relu(x.matmul(tensor(kernel1)) + tensor(bias1));
            var normalized = (hidden - tensor(mean)) / (tensor(variance) + 0.001).sqrt() * tensor(gamma) + tensor(beta);
            var expected = normalized.matmul(tensor(kernel2)) + tensor(bias2);
            Assert.Equal(KerasFileFormat.Keras3Archive, KerasModel.DetectFormat(path));
            TensorAssert.Close(expected, actual, 1e-5, 1e-5, "functional Dense-BatchNormalization-Dense");
        }

        [Fact]
        public void ABidirectionalLstmTakesForwardAndBackwardWeightsFromTheirOwnGroups()
        {
            string Lstm(string name, bool backwards) => """
                {"module": "keras.layers", "class_name": "LSTM", "config": {"name": "<<0>>", "trainable": true, "dtype": <<1>>,
                 "return_sequences": false, "return_state": false, "go_backwards": <<2>>, "stateful": false, "unroll": false,
                 "zero_output_for_mask": false, "units": 2, "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": true,
                 "kernel_initializer": <<3>>, "recurrent_initializer": {"module": "keras.initializers", "class_name": "Orthogonal", "config": {"gain": 1.0, "seed": null}, "registered_name": null},
                 "bias_initializer": <<4>>, "unit_forget_bias": true, "kernel_regularizer": null, "recurrent_regularizer": null, "bias_regularizer": null,
                 "activity_regularizer": null, "kernel_constraint": null, "recurrent_constraint": null, "bias_constraint": null, "dropout": 0.0,
                 "recurrent_dropout": 0.0, "seed": null}, "registered_name": null, "build_config": {"input_shape": [null, 5, 3]}}
                """.Fill(name, Float32, (backwards ? "true" : "false"), Glorot, Zeros);
            string config = """
                {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "trainable": true, "dtype": <<0>>, "layers": [
                  {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 5, 3], "dtype": "float32", "sparse": false, "ragged": false, "name": "input_layer"}, "registered_name": null},
                  {"module": "keras.layers", "class_name": "Bidirectional", "config": {"name": "bidirectional", "trainable": true, "dtype": <<1>>, "merge_mode": "concat",
                   "layer": <<2>>, "backward_layer": <<3>>}, "registered_name": null, "build_config": {"input_shape": [null, 5, 3]}},
                  <<4>>}
                 ], "build_input_shape": [null, 5, 3]}, "registered_name": null, "build_config": {"input_shape": [null, 5, 3]}, "compile_config": null}
                """.Fill(Float32, Float32, Lstm("forward_lstm", false), Lstm("backward_lstm", true), DenseConfig("dense", 1, "linear", "[null, 4]"));
            float[,] forwardKernel = Matrix(3, 8, 11), forwardRecurrent = Matrix(2, 8, 12), backwardKernel = Matrix(3, 8, 13), backwardRecurrent = Matrix(2, 8, 14), dense = Matrix(4, 1, 15);
            float[] forwardBias = Vector(8, 16), backwardBias = Vector(8, 17), denseBias = Vector(1, 18);
            static H5Group Cell(float[,] kernel, float[,] recurrent, float[] bias)
                => new() { ["vars"] = new H5Group(), ["cell"] = new H5Group { ["vars"] = new H5Group { ["0"] = kernel, ["1"] = recurrent, ["2"] = bias } } };
            var weights = new H5File
            {
                ["layers"] = new H5Group
                {
                    ["bidirectional"] = new H5Group
                    {
                        ["vars"] = new H5Group(),
                        // Written in Keras's attribute order: backward_layer before forward_layer.
                        ["backward_layer"] = Cell(backwardKernel, backwardRecurrent, backwardBias),
                        ["forward_layer"] = Cell(forwardKernel, forwardRecurrent, forwardBias),
                    },
                    ["dense"] = new H5Group { ["vars"] = new H5Group { ["0"] = dense, ["1"] = denseBias } },
                },
            };
            string path = WriteArchive("bidirectional", config, weights);
            using var scope = NewDisposeScope();
            var x = randn(2, 5, 3);

            using var model = KerasModel.Load(path);
            var actual = model.Predict(x);

            var states = RecurrentReference.Zeros(2, 2, count: 2);
            var (forward, _) = RecurrentReference.Run(x, states, RecurrentReference.Lstm(tensor(forwardKernel), tensor(forwardRecurrent), tensor(forwardBias)));
            var (backward, _) = RecurrentReference.Run(x, states, RecurrentReference.Lstm(tensor(backwardKernel), tensor(backwardRecurrent), tensor(backwardBias)), backwards: true);
            // Without return_sequences each direction returns its last output in processing order.
            var merged = cat(new[] { forward.select(1, -1), backward.select(1, -1) }, 1);
            var expected = merged.matmul(tensor(dense)) + tensor(denseBias);
            TensorAssert.Close(expected, actual, 1e-5, 1e-5, "Bidirectional(LSTM) + Dense");
        }

        [Fact]
        public void AMissingWeightsGroupNamesTheLayerAndTheExpectedPath()
        {
            string config = """
                {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "trainable": true, "dtype": <<0>>, "layers": [
                  {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 3], "dtype": "float32", "sparse": false, "name": "input_layer"}, "registered_name": null},
                  <<1>>}, <<2>>}
                 ]}, "registered_name": null}
                """.Fill(Float32, DenseConfig("dense", 2, "linear", "[null, 3]"), DenseConfig("dense_1", 2, "linear", "[null, 2]"));
            var weights = new H5File { ["layers"] = new H5Group { ["dense"] = new H5Group { ["vars"] = new H5Group { ["0"] = Matrix(3, 2, 1), ["1"] = Vector(2, 2) } } } };
            string path = WriteArchive("missing", config, weights);

            var error = Assert.Throws<KerasImportException>(() => KerasModel.Load(path));

            Assert.Equal(path, error.File);
            Assert.Equal("dense_1", error.Layer);
            Assert.Contains("no group 'layers/dense_1'", error.Message);
        }
    }

    internal static class TemplateExtensions
    {
        /// <summary>Replaces <c>&lt;&lt;i&gt;&gt;</c> with the i-th value (keeps JSON templates free of interpolation braces).</summary>
        public static string Fill(this string template, params object[] values)
        {
            for (int i = 0; i < values.Length; i++)
                template = template.Replace($"<<{i}>>", Convert.ToString(values[i], System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            return template;
        }
    }
}
