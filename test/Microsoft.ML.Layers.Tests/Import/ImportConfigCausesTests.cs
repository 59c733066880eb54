using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using Microsoft.ML.Layers.Import;
using Microsoft.ML.Layers.TestFramework;
using PureHDF;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Import
{
    /// <summary>
    /// The config causes of issue 16 (real files that failed to load), one fixture each, written here in the exact layouts Keras
    /// writes: call kwargs <c>training: false</c>, Keras 3.13+'s <c>InputLayer</c> <c>optional: false</c>, tf.keras's
    /// <c>groups: 1</c> on DepthwiseConv2D and Conv2DTranspose, Keras 3.15's initializer <c>input_axes</c>/<c>output_axes</c>,
    /// optional booleans written as null, an architecture saved as a JSON string, and Keras 2's node index 1 for a nested
    /// model. Each model's output is checked against the same maths written directly in TorchSharp; each refusal names the
    /// file, the layer and the argument.
    /// </summary>
    public sealed class ImportConfigCausesTests : WrittenKerasFiles
    {
        private const string Float32 = """{"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}""";
        private const string Zeros = """{"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}""";
        private const string Ones = """{"module": "keras.initializers", "class_name": "Ones", "config": {}, "registered_name": null}""";
        private const string Glorot = """{"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null}""";

        public ImportConfigCausesTests() : base("import-causes-")
        {
        }

        // ----------------------------------------------------------------------------------------------------------------
        // Writers.

        private static string Dense3(string name, int units, string activation, int inputs, string kernelInitializer = Glorot) => """
            {"module": "keras.layers", "class_name": "Dense", "config": {"name": "<<0>>", "trainable": true, "dtype": <<1>>,
             "units": <<2>>, "activation": "<<3>>", "use_bias": true, "kernel_initializer": <<4>>, "bias_initializer": <<5>>,
             "kernel_regularizer": null, "bias_regularizer": null, "kernel_constraint": null, "bias_constraint": null, "quantization_config": null},
             "registered_name": null, "build_config": {"input_shape": [null, <<6>>]}
            """.Fill(name, Float32, units, activation, kernelInitializer, Zeros, inputs);

        private static string History(string layer, int node, int width) => """
            {"class_name": "__keras_tensor__", "config": {"shape": [null, <<2>>], "dtype": "float32", "keras_history": ["<<0>>", <<1>>, 0]}}
            """.Fill(layer, node, width);

        /// <summary>A Keras 3 <c>.keras</c> zip: metadata.json, config.json and model.weights.h5.</summary>
        private string WriteArchive(string name, string config, H5File weights, string kerasVersion)
        {
            string h5 = Path.Combine(Folder, name + ".weights.h5");
            weights.Write(h5);
            string path = Path.Combine(Folder, name + ".keras");
            using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
            {
                using (var writer = new StreamWriter(zip.CreateEntry("metadata.json").Open()))
                    writer.Write("""{"keras_version": "<<0>>", "date_saved": "2026-11-25@10:00:00"}""".Fill(kerasVersion));
                using (var writer = new StreamWriter(zip.CreateEntry("config.json").Open()))
                    writer.Write(config);
                zip.CreateEntryFromFile(h5, "model.weights.h5");
            }
            return path;
        }

        /// <summary>A tf.keras <c>save_weights("w.h5")</c> file: <c>layer_names</c>, and per layer its <c>weight_names</c>.</summary>
        private string WriteLegacyWeights(string name, params (string Layer, (string Name, Array Value)[] Weights)[] layers)
        {
            var root = new H5File();
            foreach (var (layer, weights) in layers)
            {
                var group = new H5Group();
                foreach (var (weightName, value) in weights)
                {
                    var parts = weightName.Split('/');
                    var parent = group;
                    foreach (var part in parts[..^1])
                    {
                        if (!parent.TryGetValue(part, out var child))
                            parent[part] = child = new H5Group();
                        parent = (H5Group)child;
                    }
                    parent[parts[^1]] = value;
                }
                group.Attributes["weight_names"] = weights.Select(w => w.Name).ToArray();
                root[layer] = group;
            }
            root.Attributes["layer_names"] = layers.Select(l => l.Layer).ToArray();
            root.Attributes["backend"] = "tensorflow";
            root.Attributes["keras_version"] = "2.15.0";
            string path = Path.Combine(Folder, name + ".h5");
            root.Write(path);
            return path;
        }

        private static float[] Vector(int length, int seed)
            => Enumerable.Range(0, length).Select(i => (float)(new Random(seed * 31 + i).NextDouble() - 0.5)).ToArray();

        private static float[,,,] Kernel4(int a, int b, int c, int d, int seed)
        {
            var random = new Random(seed);
            var values = new float[a, b, c, d];
            for (int i = 0; i < a; i++)
                for (int j = 0; j < b; j++)
                    for (int k = 0; k < c; k++)
                        for (int l = 0; l < d; l++)
                            values[i, j, k, l] = (float)(random.NextDouble() - 0.5);
            return values;
        }

        private static Tensor Linear(Tensor x, float[,] kernel, float[] bias) => x.matmul(tensor(kernel)) + tensor(bias);

        // ----------------------------------------------------------------------------------------------------------------
        // 1. Call kwargs: training false (and mask null) replayed as inference; anything else refused naming layer and kwarg.

        private static string TrainingFalseModel(string batchNormKwargs) => """
            {"module": "keras", "class_name": "Functional", "config": {"name": "functional", "trainable": true,
             "layers": [
              {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 3], "dtype": "float32", "sparse": false, "name": "input_layer"}, "registered_name": null, "name": "input_layer", "inbound_nodes": []},
              <<0>>, "name": "dense", "inbound_nodes": [{"args": [<<1>>], "kwargs": {}}]},
              {"module": "keras.layers", "class_name": "BatchNormalization", "config": {"name": "batch_normalization", "trainable": true, "dtype": <<2>>,
               "axis": -1, "momentum": 0.99, "epsilon": 0.001, "center": true, "scale": true, "beta_initializer": <<3>>, "gamma_initializer": <<4>>,
               "moving_mean_initializer": <<3>>, "moving_variance_initializer": <<4>>, "beta_regularizer": null, "gamma_regularizer": null,
               "beta_constraint": null, "gamma_constraint": null, "synchronized": false}, "registered_name": null, "build_config": {"input_shape": [null, 4]},
               "name": "batch_normalization", "inbound_nodes": [{"args": [<<5>>], "kwargs": <<6>>}]},
              <<7>>, "name": "dense_1", "inbound_nodes": [{"args": [<<8>>], "kwargs": {}}]}
             ],
             "input_layers": [["input_layer", 0, 0]], "output_layers": [["dense_1", 0, 0]]},
             "registered_name": "Functional", "build_config": {"input_shape": null}, "compile_config": null}
            """.Fill(Dense3("dense", 4, "relu", 3), History("input_layer", 0, 3), Float32, Zeros, Ones, History("dense", 0, 4), batchNormKwargs,
                Dense3("dense_1", 2, "linear", 4), History("batch_normalization", 0, 4));

        [Fact]
        public void ACallRecordedWithTrainingFalseIsReplayedInInferenceEvenWhenTheModelTrains()
        {
            float[,] kernel1 = Matrix(3, 4, 1), kernel2 = Matrix(4, 2, 2);
            float[] bias1 = Vector(4, 3), bias2 = Vector(2, 4), gamma = Vector(4, 5).Select(v => v + 1).ToArray(), beta = Vector(4, 6);
            float[] mean = Vector(4, 7), variance = Vector(4, 8).Select(v => v + 1).ToArray();
            var weights = new H5File
            {
                ["layers"] = new H5Group
                {
                    ["input_layer"] = new H5Group { ["vars"] = new H5Group() },
                    ["dense"] = new H5Group { ["vars"] = new H5Group { ["0"] = kernel1, ["1"] = bias1 } },
                    ["batch_normalization"] = new H5Group { ["vars"] = new H5Group { ["0"] = gamma, ["1"] = beta, ["2"] = mean, ["3"] = variance } },
                    ["dense_1"] = new H5Group { ["vars"] = new H5Group { ["0"] = kernel2, ["1"] = bias2 } },
                },
            };
            string path = WriteArchive("training_false", TrainingFalseModel("""{"training": false, "mask": null}"""), weights, "3.8.0");
            using var scope = NewDisposeScope();
            var x = randn(6, 3);

            using var model = KerasModel.Load(path);
            var inference = model.Predict(x);
            Tensor training;
            using (no_grad())
                training = model.Apply(x, training: true);

            var hidden = nn.functional.relu(Linear(x, kernel1, bias1));
            var normalized = (hidden - tensor(mean)) / (tensor(variance) + 0.001).sqrt() * tensor(gamma) + tensor(beta);
            var expected = normalized.matmul(tensor(kernel2)) + tensor(bias2);
            TensorAssert.Close(expected, inference, 1e-5, 1e-5, "training=false node, inference");
            // As in Keras, the recorded training=False wins over the model's training=True: batch statistics are never used.
            TensorAssert.Close(expected, training, 1e-5, 1e-5, "training=false node, model called with training=true");
            // And the model's own config keeps the recorded call argument, so a saved and reloaded copy replays it too.
            Assert.Contains("\"kwargs\":{\"training\":false}", model.GetConfig().ToJson().ToJsonString().Replace(" ", "", StringComparison.Ordinal));
            string saved = Path.Combine(Folder, "training_false.zip");
            model.Save(saved);
            using var reloaded = Model.Load(saved);
            using (no_grad())
                TensorAssert.Close(expected, reloaded.Apply(x, training: true), 1e-5, 1e-5, "saved and reloaded, training=true");
        }

        [Theory]
        [InlineData("""{"training": true}""", "training")]
        [InlineData("""{"mask": [[true, false]]}""", "mask")]
        [InlineData("""{"training": false, "scale": 2.0}""", "scale")]
        public void ACallArgumentThatIsNotInferenceIsRefusedNamingTheLayerAndTheArgument(string kwargs, string argument)
        {
            var weights = new H5File { ["layers"] = new H5Group() };
            string path = WriteArchive("kwargs_" + argument, TrainingFalseModel(kwargs), weights, "3.8.0");

            var error = Assert.Throws<KerasImportException>(() => KerasModel.Load(path));

            Assert.Equal((path, "batch_normalization", argument), (error.File, error.Layer, error.Argument));
            Assert.Contains($"the call argument '{argument}'", error.Message);
        }

        [Fact]
        public void AKeras2CallRecordedWithTrainingFalseLoadsToo()
        {
            // tf.keras writes a call's kwargs as the fourth element of each inbound entry.
            string json = """
                {"class_name": "Functional", "config": {"name": "model", "layers": [
                  {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 3], "dtype": "float32", "sparse": false, "ragged": false, "name": "input_1"}, "name": "input_1", "inbound_nodes": []},
                  {"class_name": "Dropout", "config": {"name": "dropout", "trainable": true, "dtype": "float32", "rate": 0.5, "noise_shape": null, "seed": null}, "name": "dropout", "inbound_nodes": [[["input_1", 0, 0, {"training": false}]]]},
                  {"class_name": "Dense", "config": {"name": "dense", "trainable": true, "dtype": "float32", "units": 2, "activation": "linear", "use_bias": true,
                   "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}}, "bias_initializer": {"class_name": "Zeros", "config": {}},
                   "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null},
                   "name": "dense", "inbound_nodes": [[["dropout", 0, 0, {}]]]}],
                 "input_layers": [["input_1", 0, 0]], "output_layers": [["dense", 0, 0]]}, "keras_version": "2.15.0", "backend": "tensorflow"}
                """;
            float[,] kernel = Matrix(3, 2, 9);
            float[] bias = Vector(2, 10);
            string jsonPath = Path.Combine(Folder, "keras2_training_false.json");
            File.WriteAllText(jsonPath, json);
            string weightsPath = WriteLegacyWeights("keras2_training_false", ("input_1", Array.Empty<(string, Array)>()),
                ("dropout", Array.Empty<(string, Array)>()), ("dense", new (string, Array)[] { ("dense/kernel:0", kernel), ("dense/bias:0", bias) }));
            using var scope = NewDisposeScope();
            var x = randn(50, 3);

            using var model = KerasModel.Load(jsonPath, weightsPath);
            Tensor training;
            using (no_grad())
                training = model.Apply(x, training: true);

            // Dropout recorded with training=False never drops, even when the model is called in training mode.
            TensorAssert.Close(Linear(x, kernel, bias), training, 1e-5, 1e-5, "Keras 2 Dropout(training=False)");
        }

        // ----------------------------------------------------------------------------------------------------------------
        // 2. Keras 3.13+ InputLayer: "optional": false.

        private static string OptionalInputModel(string optional) => """
            {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "trainable": true, "dtype": <<0>>, "layers": [
              {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 8], "dtype": "float32", "sparse": false, "optional": <<1>>, "name": "input_layer"}, "registered_name": null},
              <<2>>}
             ], "build_input_shape": [null, 8]}, "registered_name": null, "build_config": {"input_shape": [null, 8]}, "compile_config": null}
            """.Fill(Float32, optional, Dense3("dense", 2, "softmax", 8));

        [Fact]
        public void AKeras313InputLayerWithOptionalFalseLoads()
        {
            float[,] kernel = Matrix(8, 2, 11);
            float[] bias = Vector(2, 12);
            var weights = new H5File { ["layers"] = new H5Group { ["dense"] = new H5Group { ["vars"] = new H5Group { ["0"] = kernel, ["1"] = bias } } } };
            string path = WriteArchive("optional_false", OptionalInputModel("false"), weights, "3.13.0");
            using var scope = NewDisposeScope();
            var x = randn(4, 8);

            using var model = KerasModel.Load(path);

            TensorAssert.Close(Linear(x, kernel, bias).softmax(1), model.Predict(x), 1e-5, 1e-5, "InputLayer(optional=false) + Dense");
        }

        [Fact]
        public void AnOptionalInputIsRefusedNamingTheArgument()
        {
            string path = WriteArchive("optional_true", OptionalInputModel("true"), new H5File { ["layers"] = new H5Group() }, "3.13.0");

            var error = Assert.Throws<KerasImportException>(() => KerasModel.Load(path));

            Assert.Equal((path, "input_layer", "optional"), (error.File, error.Layer, error.Argument));
            Assert.Contains("optional=true", error.Message);
        }

        // ----------------------------------------------------------------------------------------------------------------
        // 3. tf.keras's groups: 1 on DepthwiseConv2D and Conv2DTranspose.

        private static string GroupsModel(int depthwiseGroups) => """
            {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
              {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 5, 5, 2], "dtype": "float32", "sparse": false, "ragged": false, "name": "input_1"}},
              {"class_name": "DepthwiseConv2D", "config": {"name": "depthwise_conv2d", "trainable": true, "dtype": "float32", "kernel_size": [3, 3],
               "strides": [1, 1], "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1], "groups": <<0>>, "activation": "linear",
               "use_bias": true, "bias_initializer": {"class_name": "Zeros", "config": {}}, "bias_regularizer": null, "activity_regularizer": null,
               "bias_constraint": null, "depth_multiplier": 2, "depthwise_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
               "depthwise_regularizer": null, "depthwise_constraint": null}},
              {"class_name": "Conv2DTranspose", "config": {"name": "conv2d_transpose", "trainable": true, "dtype": "float32", "filters": 3,
               "kernel_size": [2, 2], "strides": [1, 1], "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1,
               "activation": "relu", "use_bias": true, "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
               "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null, "bias_regularizer": null,
               "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null, "output_padding": null}}
             ]}, "keras_version": "2.15.0", "backend": "tensorflow"}
            """.Fill(depthwiseGroups);

        [Fact]
        public void GroupsOneOnDepthwiseConv2DAndConv2DTransposeIsAccepted()
        {
            float[,,,] depthwise = Kernel4(3, 3, 2, 2, 21), transpose = Kernel4(2, 2, 3, 4, 22);
            float[] depthwiseBias = Vector(4, 23), transposeBias = Vector(3, 24);
            string jsonPath = Path.Combine(Folder, "groups.json");
            File.WriteAllText(jsonPath, GroupsModel(1));
            string weightsPath = WriteLegacyWeights("groups",
                ("depthwise_conv2d", new (string, Array)[] { ("depthwise_conv2d/depthwise_kernel:0", depthwise), ("depthwise_conv2d/bias:0", depthwiseBias) }),
                ("conv2d_transpose", new (string, Array)[] { ("conv2d_transpose/kernel:0", transpose), ("conv2d_transpose/bias:0", transposeBias) }));
            using var scope = NewDisposeScope();
            var x = randn(2, 5, 5, 2);

            using var model = KerasModel.Load(jsonPath, weightsPath);
            var actual = model.Predict(x);

            // Depthwise: Keras (kh, kw, in, multiplier) → torch (in * multiplier, 1, kh, kw), output channel c * multiplier + m.
            var nchw = x.permute(0, 3, 1, 2);
            var depthwiseWeight = tensor(depthwise).permute(2, 3, 0, 1).reshape(4, 1, 3, 3);
            var h = nn.functional.conv2d(nchw, depthwiseWeight, tensor(depthwiseBias), groups: 2);
            // Transposed: Keras (kh, kw, filters, in) → torch (in, filters, kh, kw).
            var transposeWeight = tensor(transpose).permute(3, 2, 0, 1);
            var y = nn.functional.relu(nn.functional.conv_transpose2d(h, transposeWeight, tensor(transposeBias)));
            var expected = y.permute(0, 2, 3, 1);
            Assert.Equal(new long[] { 2, 4, 4, 3 }, actual.shape);
            TensorAssert.Close(expected, actual, 1e-5, 1e-5, "DepthwiseConv2D(groups=1) + Conv2DTranspose(groups=1)");
        }

        [Fact]
        public void OtherGroupsOnDepthwiseConv2DAreRefusedNamingTheValue()
        {
            var error = Assert.Throws<KerasImportException>(() => KerasModel.FromJson(GroupsModel(2)));

            Assert.Equal(("depthwise_conv2d", "groups"), (error.Layer, error.Argument));
            Assert.Contains("received groups=2", error.Message);
        }

        // ----------------------------------------------------------------------------------------------------------------
        // 4. Keras 3.15 initializers: input_axes / output_axes.

        private static string InitializerModel(string kernelInitializer) => """
            {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "trainable": true, "dtype": <<0>>, "layers": [
              {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 3], "dtype": "float32", "sparse": false, "optional": false, "name": "input_layer"}, "registered_name": null},
              <<1>>}
             ], "build_input_shape": [null, 3]}, "registered_name": null, "build_config": {"input_shape": [null, 3]}, "compile_config": null}
            """.Fill(Float32, Dense3("dense", 2, "linear", 3, kernelInitializer));

        [Fact]
        public void Keras315InitializerAxesLoad()
        {
            const string initializer = """{"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null, "input_axes": null, "output_axes": null}, "registered_name": null}""";
            float[,] kernel = Matrix(3, 2, 31);
            float[] bias = Vector(2, 32);
            var weights = new H5File { ["layers"] = new H5Group { ["dense"] = new H5Group { ["vars"] = new H5Group { ["0"] = kernel, ["1"] = bias } } } };
            string path = WriteArchive("initializer_axes", InitializerModel(initializer), weights, "3.15.0");
            using var scope = NewDisposeScope();
            var x = randn(4, 3);

            using var model = KerasModel.Load(path);

            TensorAssert.Close(Linear(x, kernel, bias), model.Predict(x), 1e-5, 1e-5, "Dense with a Keras 3.15 initializer");
        }

        [Theory]
        [InlineData("\"fan_axes\": 3", "fan_axes")]
        [InlineData("\"input_axes\": [0]", "input_axes")]
        public void AnInitializerArgumentThatIsNotSupportedNamesTheInitializerNotTheLayer(string entry, string key)
        {
            string initializer = """{"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null, <<0>>}, "registered_name": null}""".Fill(entry);
            string path = WriteArchive("initializer_" + key, InitializerModel(initializer), new H5File { ["layers"] = new H5Group() }, "3.15.0");

            var error = Assert.Throws<KerasImportException>(() => KerasModel.Load(path));

            Assert.Equal((path, "dense", "kernel_initializer." + key), (error.File, error.Layer, error.Argument));
            Assert.Contains($"the GlorotUniform initializer's argument '{key}'", error.Message);
            Assert.DoesNotContain("Dense argument", error.Message);
        }

        // ----------------------------------------------------------------------------------------------------------------
        // 5. Optional booleans written as null read as false.

        [Fact]
        public void OptionalBooleansWrittenAsNullReadAsFalse()
        {
            string json = """
                {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
                  {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4], "dtype": "int32", "sparse": false, "ragged": false, "name": "input_1"}},
                  {"class_name": "Embedding", "config": {"name": "embedding", "trainable": true, "dtype": "float32", "input_dim": 5, "output_dim": 3,
                   "embeddings_initializer": {"class_name": "RandomUniform", "config": {"minval": -0.05, "maxval": 0.05, "seed": null}},
                   "embeddings_regularizer": null, "activity_regularizer": null, "embeddings_constraint": null, "mask_zero": null, "input_length": null}},
                  {"class_name": "GlobalAveragePooling1D", "config": {"name": "global_average_pooling1d", "trainable": true, "dtype": "float32", "data_format": "channels_last", "keepdims": false}},
                  {"class_name": "Dense", "config": {"name": "dense", "trainable": true, "dtype": "float32", "units": 2, "activation": "linear", "use_bias": true,
                   "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}}, "bias_initializer": {"class_name": "Zeros", "config": {}},
                   "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}}
                 ]}, "keras_version": "2.15.0", "backend": "tensorflow"}
                """;
            float[,] embeddings = Matrix(5, 3, 41), kernel = Matrix(3, 2, 42);
            float[] bias = Vector(2, 43);
            string jsonPath = Path.Combine(Folder, "null_booleans.json");
            File.WriteAllText(jsonPath, json);
            string weightsPath = WriteLegacyWeights("null_booleans", ("embedding", new (string, Array)[] { ("embedding/embeddings:0", embeddings) }),
                ("global_average_pooling1d", Array.Empty<(string, Array)>()),
                ("dense", new (string, Array)[] { ("dense/kernel:0", kernel), ("dense/bias:0", bias) }));
            using var scope = NewDisposeScope();
            var ids = tensor(new long[,] { { 0, 1, 0, 4 }, { 2, 0, 0, 3 } });

            using var model = KerasModel.Load(jsonPath, weightsPath);
            var actual = model.Predict(ids);

            // mask_zero=null is false: the zeros are averaged like any other id (a mask would leave them out).
            var pooled = tensor(embeddings).index_select(0, ids.flatten()).reshape(2, 4, 3).mean(new long[] { 1 });
            TensorAssert.Close(Linear(pooled, kernel, bias), actual, 1e-5, 1e-5, "Embedding(mask_zero=null) + pooling + Dense");
            Assert.False(Assert.IsType<Embedding>(model.Layers[0]).MaskZero);

            string lstm = """
                {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
                  {"class_name": "LSTM", "config": {"name": "lstm", "batch_input_shape": [null, 3, 2], "units": 2, "unit_forget_bias": null, "return_sequences": null}}
                 ]}, "keras_version": "2.15.0", "backend": "tensorflow"}
                """;
            using var recurrent = KerasModel.FromJson(lstm);
            var layer = Assert.IsType<LSTM>(recurrent.Layers[0]);
            Assert.Equal((false, false), (layer.UnitForgetBias, layer.ReturnSequences));
        }

        // ----------------------------------------------------------------------------------------------------------------
        // 6. An architecture saved as a JSON string: json.dump(model.to_json(), f).

        private const string Keras2Mlp = """
            {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
              {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4], "dtype": "float32", "sparse": false, "ragged": false, "name": "dense_input"}},
              {"class_name": "Dense", "config": {"name": "dense", "trainable": true, "dtype": "float32", "units": 3, "activation": "relu", "use_bias": true,
               "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}}, "bias_initializer": {"class_name": "Zeros", "config": {}},
               "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}},
              {"class_name": "Dense", "config": {"name": "dense_1", "trainable": true, "dtype": "float32", "units": 1, "activation": "sigmoid", "use_bias": true,
               "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}}, "bias_initializer": {"class_name": "Zeros", "config": {}},
               "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}}
             ]}, "keras_version": "2.15.0", "backend": "tensorflow"}
            """;

        [Fact]
        public void AnArchitectureSavedAsAJsonStringLoads()
        {
            // json.dump(model.to_json(), f) writes one JSON string literal whose text is the architecture.
            string jsonPath = Path.Combine(Folder, "model_string.json");
            File.WriteAllText(jsonPath, JsonSerializer.Serialize(Keras2Mlp));
            Assert.StartsWith("\"{", File.ReadAllText(jsonPath), StringComparison.Ordinal);
            float[,] kernel1 = Matrix(4, 3, 51), kernel2 = Matrix(3, 1, 52);
            float[] bias1 = Vector(3, 53), bias2 = Vector(1, 54);
            string weightsPath = WriteLegacyWeights("model_string",
                ("dense", new (string, Array)[] { ("dense/kernel:0", kernel1), ("dense/bias:0", bias1) }),
                ("dense_1", new (string, Array)[] { ("dense_1/kernel:0", kernel2), ("dense_1/bias:0", bias2) }));
            using var scope = NewDisposeScope();
            var x = randn(5, 4);

            using var model = KerasModel.Load(jsonPath, weightsPath);
            using var untrained = KerasModel.FromJson(File.ReadAllText(jsonPath));

            var expected = nn.functional.sigmoid(Linear(nn.functional.relu(Linear(x, kernel1, bias1)), kernel2, bias2));
            TensorAssert.Close(expected, model.Predict(x), 1e-5, 1e-5, "JSON-string architecture + weights");
            Assert.Equal(new long[] { 5, 1 }, untrained.Predict(x).shape);
            Assert.Equal(KerasFileFormat.ConfigJson, KerasModel.DetectFormat(jsonPath));
        }

        [Theory]
        [InlineData("42")]
        [InlineData("[1, 2]")]
        [InlineData("\"not an architecture\"")]
        [InlineData("\"[1, 2]\"")]
        [InlineData("\"{\\\"class_name\\\": \\\"Sequential\\\", \\\"config\\\": 7}\"")]
        [InlineData("{\"class_name\": \"Functional\", \"config\": {\"name\": \"m\", \"layers\": [], \"input_layers\": [[\"x\", 0, 0]], \"output_layers\": []}}")]
        public void AnArchitectureThatIsNoModelFailsAsAnImportErrorNamingTheFile(string text)
        {
            string jsonPath = Path.Combine(Folder, "bad.json");
            File.WriteAllText(jsonPath, text);
            string weightsPath = WriteLegacyWeights("bad", ("dense", Array.Empty<(string, Array)>()));

            var error = Assert.Throws<KerasImportException>(() => KerasModel.Load(jsonPath, weightsPath));
            var fromJson = Assert.Throws<KerasImportException>(() => KerasModel.FromJson(text));

            Assert.Equal(jsonPath, error.File);
            Assert.DoesNotContain("InvalidOperationException", error.Message);
            Assert.DoesNotContain("InvalidOperationException", fromJson.Message);
        }

        // ----------------------------------------------------------------------------------------------------------------
        // 7. Keras 2 (tf.keras, TensorFlow.js): a nested model with its own input is referred to by node index 1.

        private const string KerasTwoInner = """
            {"class_name": "Functional", "config": {"name": "inner_model", "layers": [
              {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 3], "dtype": "float32", "sparse": false, "ragged": false, "name": "inner_input"}, "name": "inner_input", "inbound_nodes": []},
              {"class_name": "Dense", "config": {"name": "inner_dense", "trainable": true, "dtype": "float32", "units": 4, "activation": "tanh", "use_bias": true,
               "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}}, "bias_initializer": {"class_name": "Zeros", "config": {}},
               "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null},
               "name": "inner_dense", "inbound_nodes": [[["inner_input", 0, 0, {}]]]}],
             "input_layers": [["inner_input", 0, 0]], "output_layers": [["inner_dense", 0, 0]]}, "name": "inner_model",
             "inbound_nodes": [[["input_1", 0, 0, {}]]]}
            """;

        [Fact]
        public void AKeras2NestedModelIsReferredToByNodeIndexOne()
        {
            // As tf.keras writes it: the nested model's first call is node 1 (node 0 is its own input-to-output node), in the
            // next layer's inbound node and in output_layers alike. So is a nested Sequential model with an input layer.
            string json = """
                {"class_name": "Functional", "config": {"name": "outer", "layers": [
                  {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 3], "dtype": "float32", "sparse": false, "ragged": false, "name": "input_1"}, "name": "input_1", "inbound_nodes": []},
                  <<0>>,
                  {"class_name": "Sequential", "config": {"name": "inner_sequential", "layers": [
                    {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4], "dtype": "float32", "sparse": false, "ragged": false, "name": "seq_input"}},
                    {"class_name": "Dense", "config": {"name": "seq_dense", "trainable": true, "dtype": "float32", "units": 2, "activation": "linear", "use_bias": true,
                     "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}}, "bias_initializer": {"class_name": "Zeros", "config": {}},
                     "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}}]},
                   "name": "inner_sequential", "inbound_nodes": [[["inner_model", 1, 0, {}]]]}],
                 "input_layers": [["input_1", 0, 0]], "output_layers": [["inner_sequential", 1, 0], ["inner_model", 1, 0]]},
                 "keras_version": "2.15.0", "backend": "tensorflow"}
                """.Fill(KerasTwoInner);
            float[,] innerKernel = Matrix(3, 4, 61), seqKernel = Matrix(4, 2, 62);
            float[] innerBias = Vector(4, 63), seqBias = Vector(2, 64);
            string jsonPath = Path.Combine(Folder, "nested.json");
            File.WriteAllText(jsonPath, json);
            string weightsPath = WriteLegacyWeights("nested",
                ("input_1", Array.Empty<(string, Array)>()),
                ("inner_model", new (string, Array)[] { ("inner_dense/kernel:0", innerKernel), ("inner_dense/bias:0", innerBias) }),
                ("inner_sequential", new (string, Array)[] { ("seq_dense/kernel:0", seqKernel), ("seq_dense/bias:0", seqBias) }));
            using var scope = NewDisposeScope();
            var x = randn(3, 3);

            using var model = KerasModel.Load(jsonPath, weightsPath);
            System.Collections.Generic.IReadOnlyList<Tensor> outputs;
            using (no_grad())
                outputs = model.ApplyAll(x);

            var hidden = Linear(x, innerKernel, innerBias).tanh();
            TensorAssert.Close(Linear(hidden, seqKernel, seqBias), outputs[0], 1e-5, 1e-5, "outer → inner_model → inner_sequential");
            TensorAssert.Close(hidden, outputs[1], 1e-5, 1e-5, "inner_model's output (node 1) as a model output");
        }

        [Fact]
        public void AKeras3NestedModelInOutputLayersCountsItsBuiltInNode()
        {
            // Keras 3's get_config writes a nested functional model's first call as node 1 in output_layers (from_config
            // subtracts 1), but as node 0 in the keras_history of the calls.
            string inner = """
                {"module": "keras", "class_name": "Functional", "config": {"name": "inner_model", "trainable": true, "layers": [
                  {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 3], "dtype": "float32", "sparse": false, "name": "inner_input"}, "registered_name": null, "name": "inner_input", "inbound_nodes": []},
                  <<0>>, "name": "inner_dense", "inbound_nodes": [{"args": [<<1>>], "kwargs": {}}]}],
                 "input_layers": [["inner_input", 0, 0]], "output_layers": [["inner_dense", 0, 0]]}, "registered_name": "Functional",
                 "build_config": {"input_shape": null}, "name": "inner_model", "inbound_nodes": [{"args": [<<2>>], "kwargs": {}}]}
                """.Fill(Dense3("inner_dense", 4, "tanh", 3), History("inner_input", 0, 3), History("input_layer", 0, 3));
            string json = """
                {"module": "keras", "class_name": "Functional", "config": {"name": "outer", "trainable": true, "layers": [
                  {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 3], "dtype": "float32", "sparse": false, "name": "input_layer"}, "registered_name": null, "name": "input_layer", "inbound_nodes": []},
                  <<0>>,
                  <<1>>, "name": "dense", "inbound_nodes": [{"args": [<<2>>], "kwargs": {}}]}],
                 "input_layers": [["input_layer", 0, 0]], "output_layers": [["dense", 0, 0], ["inner_model", 1, 0]]},
                 "registered_name": "Functional", "build_config": {"input_shape": null}}
                """.Fill(inner, Dense3("dense", 2, "linear", 4), History("inner_model", 0, 4));
            using var scope = NewDisposeScope();
            var x = randn(3, 3);

            using var model = KerasModel.FromJson(json);
            System.Collections.Generic.IReadOnlyList<Tensor> outputs;
            using (no_grad())
                outputs = model.ApplyAll(x);

            var innerDense = ((Model)model.GetLayer("inner_model")).GetLayer("inner_dense");
            var dense = model.GetLayer("dense");
            var hidden = (x.matmul(innerDense.Weights[0].detach()) + innerDense.Weights[1].detach()).tanh();
            TensorAssert.Close(hidden.matmul(dense.Weights[0].detach()) + dense.Weights[1].detach(), outputs[0], 1e-5, 1e-5, "outer dense");
            TensorAssert.Close(hidden, outputs[1], 1e-5, 1e-5, "inner_model's output (written as node 1)");
        }
    }
}
