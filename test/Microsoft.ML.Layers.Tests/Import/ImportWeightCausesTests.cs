using Microsoft.ML.Layers.TestFramework;
using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Layers.Import;
using PureHDF;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Import
{
    /// <summary>
    /// Weight layouts of real files that used to fail or, worse, load wrongly (issue 16), one fixture per cause, written
    /// here in the exact layout Keras wrote: a <c>.keras</c> saved on Windows (group names joined with backslashes,
    /// keras-team/keras#18528), a tf.keras <c>.h5</c> with a nested model (its weights all trainable first, then all
    /// non-trainable), Keras 3.14's MultiHeadAttention (sub-layer groups without the leading underscore, new config keys),
    /// and a file holding a user's own layer. Each imported model is checked against the same maths written directly in
    /// TorchSharp.
    /// </summary>
    public sealed class ImportWeightCausesTests : WrittenKerasFiles
    {
        private const string Float32 = Keras3ArchiveTests.Float32;
        private const string Glorot = Keras3ArchiveTests.Glorot;
        private const string Zeros = Keras3ArchiveTests.Zeros;

        public ImportWeightCausesTests() : base("import-causes-")
        {
        }

        private static string Dense(string name, int units, string activation, string inputShape)
            => Keras3ArchiveTests.DenseConfig(name, units, activation, inputShape) + "}";

        private static float[] Vector(int length, int seed, float offset = 0f)
            => Enumerable.Range(0, length).Select(i => offset + (float)(new Random(seed * 100 + i).NextDouble() - 0.5)).ToArray();

        private static float[,,] Cube(int a, int b, int c, int seed)
        {
            var flat = Matrix(a * b, c, seed);
            var cube = new float[a, b, c];
            for (int i = 0; i < a * b; i++)
            {
                for (int j = 0; j < c; j++)
                    cube[i / b, i % b, j] = flat[i, j];
            }
            return cube;
        }

        // ----- A .keras saved on Windows ----------------------------------------------------------------------------

        [Fact]
        public void AnArchiveSavedOnWindowsWithBackslashGroupNamesLoads()
        {
            string config = """
                {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "trainable": true, "dtype": <<0>>, "layers": [
                  {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 3], "dtype": "float32", "sparse": false, "name": "input_layer"}, "registered_name": null},
                  <<1>>, <<2>>
                 ], "build_input_shape": [null, 3]}, "registered_name": null, "build_config": {"input_shape": [null, 3]}, "compile_config": null}
                """.Fill(Float32, Dense("dense", 4, "relu", "[null, 3]"), Dense("dense_1", 2, "linear", "[null, 4]"));
            float[,] kernel1 = Matrix(3, 4, 1), kernel2 = Matrix(4, 2, 2);
            float[] bias1 = Vector(4, 3), bias2 = Vector(2, 4);
            // Keras 3 on Windows joined its weight paths with os.path.join: h5py then created one group per full path at
            // the root, named with backslashes ('layers\dense'), holding 'vars'; a path that ends in vars is one name too.
            var weights = new H5File
            {
                ["layers\\dense"] = new H5Group { ["vars"] = new H5Group { ["0"] = kernel1, ["1"] = bias1 } },
                ["layers\\dense_1\\vars"] = new H5Group { ["0"] = kernel2, ["1"] = bias2 },
                ["optimizer\\vars"] = new H5Group(),
            };
            string path = WriteKeras3Archive("windows", config, weights, "3.3.3");
            using var scope = NewDisposeScope();
            var x = randn(5, 3);

            using var model = KerasModel.Load(path);
            var actual = model.Predict(x);

            var expected = nn.functional.relu(x.matmul(tensor(kernel1)) + tensor(bias1)).matmul(tensor(kernel2)) + tensor(bias2);
            TensorAssert.Close(expected, actual, 1e-5, 1e-5, "Windows-saved Dense-Dense");
        }

        // ----- A nested model in a tf.keras .h5 ---------------------------------------------------------------------

        private const string TfKerasNestedConfig = """
            {"class_name": "Sequential", "config": {"name": "outer", "layers": [
              {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 3], "dtype": "float32", "sparse": false, "ragged": false, "name": "input_1"}},
              {"class_name": "Sequential", "config": {"name": "inner", "layers": [
                {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 3], "dtype": "float32", "sparse": false, "ragged": false, "name": "dense_input"}},
                {"class_name": "Dense", "config": {"name": "dense", "trainable": true, "dtype": "float32", "units": 4, "activation": "relu", "use_bias": true,
                 "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}}, "bias_initializer": {"class_name": "Zeros", "config": {}},
                 "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}},
                {"class_name": "BatchNormalization", "config": {"name": "batch_normalization", "trainable": true, "dtype": "float32", "axis": [1],
                 "momentum": 0.99, "epsilon": 0.001, "center": true, "scale": true, "beta_initializer": {"class_name": "Zeros", "config": {}},
                 "gamma_initializer": {"class_name": "Ones", "config": {}}, "moving_mean_initializer": {"class_name": "Zeros", "config": {}},
                 "moving_variance_initializer": {"class_name": "Ones", "config": {}}, "beta_regularizer": null, "gamma_regularizer": null,
                 "beta_constraint": null, "gamma_constraint": null}},
                {"class_name": "Dense", "config": {"name": "dense_1", "trainable": true, "dtype": "float32", "units": 4, "activation": "linear", "use_bias": true,
                 "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}}, "bias_initializer": {"class_name": "Zeros", "config": {}},
                 "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}}
              ]}},
              {"class_name": "Dense", "config": {"name": "dense_2", "trainable": true, "dtype": "float32", "units": 2, "activation": "linear", "use_bias": true,
               "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}}, "bias_initializer": {"class_name": "Zeros", "config": {}},
               "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}}
            ]}}
            """;

        /// <summary>
        /// tf.keras's <c>save_weights_to_hdf5_group</c> writes a nested model as one group whose <c>weight_names</c> are its
        /// <c>trainable_weights + non_trainable_weights</c>: both Dense layers' and the batch normalization's gamma and beta
        /// first, the moving statistics last. With <paramref name="layerNamedWeights"/> false the names carry no layer name
        /// (only tf.keras's order places them).
        /// </summary>
        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void ANestedModelInATfKerasH5TakesItsTrainableWeightsFirst(bool layerNamedWeights)
        {
            float[,] kernel1 = Matrix(3, 4, 11), kernel2 = Matrix(4, 4, 12), kernel3 = Matrix(4, 2, 13);
            float[] bias1 = Vector(4, 14), bias2 = Vector(4, 15), bias3 = Vector(2, 16);
            float[] gamma = Vector(4, 17, 1f), beta = Vector(4, 18), mean = Vector(4, 19), variance = Vector(4, 20, 1f);
            var inner = new (string Name, object Value)[]
            {
                ("dense/kernel:0", kernel1), ("dense/bias:0", bias1), ("batch_normalization/gamma:0", gamma),
                ("batch_normalization/beta:0", beta), ("dense_1/kernel:0", kernel2), ("dense_1/bias:0", bias2),
                ("batch_normalization/moving_mean:0", mean), ("batch_normalization/moving_variance:0", variance),
            };
            var innerGroup = new H5Group();
            var innerNames = inner.Select((w, i) => layerNamedWeights ? w.Name : $"variable_{i}:0").ToArray();
            for (int i = 0; i < inner.Length; i++)
            {
                var parts = innerNames[i].Split('/');
                var group = innerGroup;
                foreach (var part in parts[..^1])
                {
                    if (!group.ContainsKey(part))
                        group[part] = new H5Group();
                    group = (H5Group)group[part];
                }
                group[parts[^1]] = inner[i].Value;
            }
            innerGroup.Attributes["weight_names"] = innerNames;
            var outerDense = new H5Group { ["dense_2"] = new H5Group { ["kernel:0"] = kernel3, ["bias:0"] = bias3 } };
            outerDense.Attributes["weight_names"] = new[] { "dense_2/kernel:0", "dense_2/bias:0" };
            var input = new H5Group();
            input.Attributes["weight_names"] = Array.Empty<float>();
            var modelWeights = new H5Group { ["input_1"] = input, ["inner"] = innerGroup, ["dense_2"] = outerDense };
            modelWeights.Attributes["layer_names"] = new[] { "input_1", "inner", "dense_2" };
            modelWeights.Attributes["backend"] = "tensorflow";
            modelWeights.Attributes["keras_version"] = "2.12.0";
            var file = new H5File { ["model_weights"] = modelWeights };
            file.Attributes["model_config"] = TfKerasNestedConfig;
            file.Attributes["keras_version"] = "2.12.0";
            file.Attributes["backend"] = "tensorflow";
            string path = Path.Combine(Folder, $"nested-{layerNamedWeights}.h5");
            file.Write(path);
            using var scope = NewDisposeScope();
            var x = randn(5, 3);

            using var model = KerasModel.Load(path);
            var actual = model.Predict(x);

            var hidden = nn.functional.relu(x.matmul(tensor(kernel1)) + tensor(bias1));
            var normalized = (hidden - tensor(mean)) / (tensor(variance) + 0.001).sqrt() * tensor(gamma) + tensor(beta);
            var expected = (normalized.matmul(tensor(kernel2)) + tensor(bias2)).matmul(tensor(kernel3)) + tensor(bias3);
            TensorAssert.Close(expected, actual, 1e-5, 1e-5, "tf.keras nested Sequential(Dense, BatchNormalization, Dense) + Dense");
        }

        // ----- MultiHeadAttention from Keras 3.14 -------------------------------------------------------------------

        private static string AttentionModel(string useGate) => """
            {"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "encoder", "trainable": true,
             "layers": [
              {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 4, 6], "dtype": "float32", "sparse": false, "name": "input_layer"},
               "registered_name": null, "name": "input_layer", "inbound_nodes": []},
              {"module": "keras.layers", "class_name": "MultiHeadAttention", "config": {"name": "multi_head_attention", "trainable": true, "dtype": <<0>>,
               "num_heads": 2, "key_dim": 3, "value_dim": 3, "dropout": 0.0, "use_bias": true, "output_shape": null, "attention_axes": [1],
               "use_gate": <<1>>, "kernel_initializer": <<2>>, "bias_initializer": <<3>>, "kernel_regularizer": null, "bias_regularizer": null,
               "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null, "seed": null,
               "query_shape": [null, 4, 6], "value_shape": [null, 4, 6], "key_shape": [null, 4, 6]},
               "registered_name": null, "build_config": {"shapes_dict": {"query_shape": [null, 4, 6], "value_shape": [null, 4, 6]}},
               "name": "multi_head_attention", "inbound_nodes": [{"args": [<<4>>, <<4>>], "kwargs": {}}]}
             ],
             "input_layers": [["input_layer", 0, 0]], "output_layers": [["multi_head_attention", 0, 0]]},
             "registered_name": "Functional", "build_config": {"input_shape": null}, "compile_config": null}
            """.Fill(Float32, useGate, Glorot, Zeros,
                """{"class_name": "__keras_tensor__", "config": {"shape": [null, 4, 6], "dtype": "float32", "keras_history": ["input_layer", 0, 0]}}""");

        private sealed record AttentionWeights(float[,,] Query, float[,] QueryBias, float[,,] Key, float[,] KeyBias, float[,,] Value,
            float[,] ValueBias, float[,,] Output, float[] OutputBias)
        {
            public static AttentionWeights Draw() => new(Cube(6, 2, 3, 31), Matrix(2, 3, 32), Cube(6, 2, 3, 33), Matrix(2, 3, 34),
                Cube(6, 2, 3, 35), Matrix(2, 3, 36), Cube(2, 3, 6, 37), Vector(6, 38));

            /// <summary>Scaled dot-product attention over 2 heads of size 3, written directly in TorchSharp.</summary>
            public Tensor Expected(Tensor x)
            {
                Tensor Project(float[,,] kernel, float[,] bias)   // (b, t, 6) -> (b, heads, t, 3)
                    => (x.matmul(tensor(kernel).reshape(6, 6)) + tensor(bias).reshape(6)).reshape(x.shape[0], 4, 2, 3).permute(0, 2, 1, 3);
                var q = Project(Query, QueryBias);
                var k = Project(Key, KeyBias);
                var v = Project(Value, ValueBias);
                var probabilities = (q.matmul(k.transpose(2, 3)) / Math.Sqrt(3)).softmax(-1);
                var heads = probabilities.matmul(v).permute(0, 2, 1, 3).reshape(x.shape[0], 4, 6);
                return heads.matmul(tensor(Output).reshape(6, 6)) + tensor(OutputBias);
            }

            public H5Group Group(string[] names)
            {
                static H5Group Vars(object kernel, object bias) => new() { ["vars"] = new H5Group { ["0"] = kernel, ["1"] = bias } };
                // Written in the attribute names' alphabetical order, as h5py lists them: key before output before query.
                return new H5Group
                {
                    ["vars"] = new H5Group(),
                    ["dropout_layer"] = new H5Group { ["vars"] = new H5Group() },
                    [names[1]] = Vars(Key, KeyBias),
                    [names[3]] = Vars(Output, OutputBias),
                    [names[0]] = Vars(Query, QueryBias),
                    ["softmax"] = new H5Group { ["vars"] = new H5Group() },
                    [names[2]] = Vars(Value, ValueBias),
                };
            }
        }

        private static readonly string[] Keras314Names = { "query_dense", "key_dense", "value_dense", "output_dense" };

        private static readonly string[] Unknown = { "einsum_dense_a", "einsum_dense_b", "einsum_dense_c", "einsum_dense_d" };

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void AKeras314MultiHeadAttentionMapsItsProjectionsByName(bool savedOnWindows)
        {
            var w = AttentionWeights.Draw();
            var weights = new H5File
            {
                ["layers"] = new H5Group
                {
                    ["input_layer"] = new H5Group { ["vars"] = new H5Group() },
                    ["multi_head_attention"] = w.Group(Keras314Names),
                },
            };
            if (savedOnWindows)
            {
                // The same tree with each path below the root flattened into one backslash-joined group name.
                weights = new H5File();
                weights["layers\\input_layer"] = new H5Group { ["vars"] = new H5Group() };
                weights["layers\\multi_head_attention"] = new H5Group { ["vars"] = new H5Group() };
                foreach (var (name, value) in w.Group(Keras314Names).Where(p => p.Key != "vars"))
                    weights[$"layers\\multi_head_attention\\{name}"] = value;
            }
            string path = WriteKeras3Archive($"mha-{savedOnWindows}", AttentionModel("false"), weights, "3.14.0");
            using var scope = NewDisposeScope();
            var x = randn(3, 4, 6);

            using var model = KerasModel.Load(path);
            var actual = model.Predict(x);

            TensorAssert.Close(w.Expected(x), actual, 1e-5, 1e-5, "Keras 3.14 MultiHeadAttention");
        }

        [Fact]
        public void SubLayerGroupsWhoseNamesDoNotIdentifyTheWeightsFailNamingTheLayerAndTheCandidates()
        {
            var w = AttentionWeights.Draw();
            var weights = new H5File
            {
                ["layers"] = new H5Group { ["multi_head_attention"] = w.Group(Unknown) },
            };
            string path = WriteKeras3Archive("mha-unknown", AttentionModel("false"), weights, "3.14.0");

            var error = Assert.Throws<KerasImportException>(() => KerasModel.Load(path));

            Assert.Equal("multi_head_attention", error.Layer);
            Assert.Equal(path, error.File);
            foreach (var candidate in Unknown)
                Assert.Contains($"'{candidate}'", error.Message);
            Assert.Contains("never assigned by guessed order", error.Message);
        }

        [Fact]
        public void AGatedMultiHeadAttentionIsRefusedNamingTheArgument()
        {
            var weights = new H5File
            {
                ["layers"] = new H5Group { ["multi_head_attention"] = AttentionWeights.Draw().Group(Keras314Names) },
            };
            string path = WriteKeras3Archive("mha-gate", AttentionModel("true"), weights, "3.14.0");

            var error = Assert.Throws<KerasImportException>(() => KerasModel.Load(path));

            Assert.Equal("multi_head_attention", error.Layer);
            Assert.Contains("use_gate=true", error.Message);
        }

        [Fact]
        public void MultiHeadAttentionReadsTheBuildKeysOfOtherKerasVersionsAndWritesItsOwnConfig()
        {
            var config = LayerConfig.FromJson(System.Text.Json.Nodes.JsonNode.Parse(AttentionModel("false"))!["config"]!["layers"]![1]!);
            var fresh = new MultiHeadAttention(numHeads: 2, keyDim: 3, valueDim: 3, attentionAxes: new[] { 1 },
                name: "multi_head_attention");

            using var mha = Assert.IsType<MultiHeadAttention>(Layer.Deserialize(config));

            Assert.Equal((2, 3, 3), (mha.NumHeads, mha.KeyDim, mha.ValueDim));
            Assert.Equal(fresh.GetConfig().ToJson().ToJsonString(), mha.GetConfig().ToJson().ToJsonString());
        }

        // ----- A user's own layer -----------------------------------------------------------------------------------

        [Fact]
        public void AFileWithAUsersOwnRegisteredLayerLoads()
        {
            // Keras 3 writes a user's class with its Python module and registered name; the class name finds the .NET layer.
            string config = """
                {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "trainable": true, "dtype": <<0>>, "layers": [
                  {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 5, 3], "dtype": "float32", "sparse": false, "name": "input_layer"}, "registered_name": null},
                  <<1>>,
                  {"module": "__main__", "class_name": "PositionalEncoding", "config": {"name": "positional_encoding", "trainable": true, "dtype": <<0>>,
                   "sequence_length": 5, "d_model": 4}, "registered_name": "PositionalEncoding", "build_config": {"input_shape": [null, 5, 4]}},
                  <<2>>
                 ], "build_input_shape": [null, 5, 3]}, "registered_name": null, "build_config": {"input_shape": [null, 5, 3]}, "compile_config": null}
                """.Fill(Float32, Dense("dense", 4, "linear", "[null, 5, 3]"), Dense("dense_1", 2, "linear", "[null, 5, 4]"));
            float[,] kernel1 = Matrix(3, 4, 41), kernel2 = Matrix(4, 2, 42);
            float[] bias1 = Vector(4, 43), bias2 = Vector(2, 44);
            var weights = new H5File
            {
                ["layers"] = new H5Group
                {
                    ["dense"] = new H5Group { ["vars"] = new H5Group { ["0"] = kernel1, ["1"] = bias1 } },
                    ["positional_encoding"] = new H5Group { ["vars"] = new H5Group() },
                    ["dense_1"] = new H5Group { ["vars"] = new H5Group { ["0"] = kernel2, ["1"] = bias2 } },
                },
            };
            string path = WriteKeras3Archive("custom", config, weights, "3.6.0");
            using var scope = NewDisposeScope();
            var x = randn(2, 5, 3);

            using var model = KerasModel.Load(path);
            var actual = model.Predict(x);

            var expected = WithPositionalEncoding(x, kernel1, bias1, kernel2, bias2);
            Assert.IsType<PositionalEncoding>(model.Layers[1]);
            TensorAssert.Close(expected, actual, 1e-5, 1e-5, "Dense + PositionalEncoding + Dense");
        }

        /// <summary>tf.keras wrote a class registered with <c>register_keras_serializable()</c> as <c>Custom&gt;PositionalEncoding</c>;
        /// the .NET class registered as <c>PositionalEncoding</c> is found by its class name.</summary>
        [Fact]
        public void ATfKerasH5WithAUsersOwnPackagedClassLoads()
        {
            static string TfDense(string name, int units) => """
                {"class_name": "Dense", "config": {"name": "<<0>>", "trainable": true, "dtype": "float32", "units": <<1>>, "activation": "linear",
                 "use_bias": true, "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}}, "bias_initializer": {"class_name": "Zeros", "config": {}},
                 "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}}
                """.Fill(name, units);
            string config = """
                {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
                  {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 5, 3], "dtype": "float32", "sparse": false, "ragged": false, "name": "input_1"}},
                  <<0>>,
                  {"class_name": "Custom>PositionalEncoding", "config": {"name": "positional_encoding", "trainable": true, "dtype": "float32", "sequence_length": 5, "d_model": 4}},
                  <<1>>
                ]}}
                """.Fill(TfDense("dense", 4), TfDense("dense_1", 2));
            float[,] kernel1 = Matrix(3, 4, 51), kernel2 = Matrix(4, 2, 52);
            float[] bias1 = Vector(4, 53), bias2 = Vector(2, 54);
            H5Group Layer(string name, params (string Name, object Value)[] weights)
            {
                var inner = new H5Group();
                foreach (var (weightName, value) in weights)
                    inner[weightName] = value;
                var group = weights.Length == 0 ? new H5Group() : new H5Group { [name] = inner };
                group.Attributes["weight_names"] = weights.Length == 0 ? Array.Empty<float>() : weights.Select(w => $"{name}/{w.Name}").ToArray();
                return group;
            }
            var modelWeights = new H5Group
            {
                ["dense"] = Layer("dense", ("kernel:0", kernel1), ("bias:0", bias1)),
                ["positional_encoding"] = Layer("positional_encoding"),
                ["dense_1"] = Layer("dense_1", ("kernel:0", kernel2), ("bias:0", bias2)),
            };
            modelWeights.Attributes["layer_names"] = new[] { "dense", "positional_encoding", "dense_1" };
            modelWeights.Attributes["keras_version"] = "2.12.0";
            var file = new H5File { ["model_weights"] = modelWeights };
            file.Attributes["model_config"] = config;
            file.Attributes["keras_version"] = "2.12.0";
            file.Attributes["backend"] = "tensorflow";
            string path = Path.Combine(Folder, "custom-tfkeras.h5");
            file.Write(path);
            using var scope = NewDisposeScope();
            var x = randn(2, 5, 3);

            using var model = KerasModel.Load(path);
            var actual = model.Predict(x);

            Assert.IsType<PositionalEncoding>(model.Layers[1]);
            TensorAssert.Close(WithPositionalEncoding(x, kernel1, bias1, kernel2, bias2), actual, 1e-5, 1e-5, "tf.keras Dense + Custom>PositionalEncoding + Dense");
        }

        /// <summary>Dense, then the sinusoidal table added, then Dense; the table worked by hand for d_model = 4:
        /// PE[pos, 2i] = sin(pos / 10000^(2i/4)), PE[pos, 2i+1] = cos(pos / 10000^(2i/4)).</summary>
        private static Tensor WithPositionalEncoding(Tensor x, float[,] kernel1, float[] bias1, float[,] kernel2, float[] bias2)
        {
            var table = new float[5, 4];
            for (int pos = 0; pos < 5; pos++)
            {
                table[pos, 0] = (float)Math.Sin(pos);
                table[pos, 1] = (float)Math.Cos(pos);
                table[pos, 2] = (float)Math.Sin(pos / 100.0);
                table[pos, 3] = (float)Math.Cos(pos / 100.0);
            }
            return (x.matmul(tensor(kernel1)) + tensor(bias1) + tensor(table)).matmul(tensor(kernel2)) + tensor(bias2);
        }
    }
}
