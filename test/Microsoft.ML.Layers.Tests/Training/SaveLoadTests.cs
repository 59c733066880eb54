using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Losses;
using Microsoft.ML.Layers.Metrics;
using Microsoft.ML.Layers.Optimizers;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Training
{
    public sealed class SaveLoadTests : IDisposable
    {
        private readonly string _directory = Path.Combine(Path.GetTempPath(), "mllayers-save-" + Guid.NewGuid().ToString("N"));

        public SaveLoadTests() => Directory.CreateDirectory(_directory);

        public void Dispose() => Directory.Delete(_directory, recursive: true);

        private string PathFor(string name) => Path.Combine(_directory, name);

        private static Model Functional()
        {
            var a = Input.Create(3, name: "a");
            var b = Input.Create(3, name: "b");
            var shared = new Dense(4, activation: "tanh", name: "shared");
            var merged = new MultiInputConcat(name: "concat").Apply(new[] { shared.Apply(a), shared.Apply(b) });
            return new Model(new[] { a, b }, new[] { new Dense(2, name: "head").Apply(merged) }, name: "siamese");
        }

        [Fact]
        public void ASequentialModelRoundTripsWithIdenticalPredictionsAndItsCompileState()
        {
            manual_seed(1);
            var model = new Sequential(new InputLayer(shape: new Shape(3)), new Dense(5, activation: "relu"), new Dense(2));
            model.Compile(new Adam(0.01), new SparseCategoricalCrossentropyLoss(fromLogits: true), new[] { "accuracy" });
            using var x = randn(64, 3);
            using var y = randint(0, 2, 64);
            model.Fit(x, y, epochs: 2, verbose: 0);
            string path = PathFor("seq.zip");

            model.Save(path);
            var loaded = Model.Load(path);

            Assert.IsType<Sequential>(loaded);
            Assert.True(model.Predict(x).equal(loaded.Predict(x)).all().item<bool>());
            Assert.IsType<Adam>(loaded.Optimizer);
            Assert.Equal(model.Optimizer!.Iterations, loaded.Optimizer!.Iterations);
            Assert.True(((SparseCategoricalCrossentropyLoss)loaded.CompiledLosses[0]).FromLogits);
            // Training continues from the restored optimizer state: one more step gives the same weights in both.
            model.TrainOnBatch(x, y);
            loaded.TrainOnBatch(x, y);
            Assert.True(model.Predict(x).allclose(loaded.Predict(x), rtol: 1e-5, atol: 1e-6));
        }

        [Fact]
        public void MetricsPerOutputAreSavedByOutputNameAndRestored()
        {
            var input = Input.Create(3, name: "features");
            var regression = new Dense(1, name: "regression").Apply(input);
            var classes = new Dense(2, activation: "softmax", name: "classes").Apply(input);
            var model = new Model(new[] { input }, new[] { regression, classes }, name: "two_heads");
            var metrics = new Dictionary<string, IReadOnlyList<Metric>>
            {
                ["classes"] = new Metric[] { "accuracy" },
                ["regression"] = new Metric[] { "mae" },
            };
            model.Compile(new SGD(0.01, clipNorm: 1.0), new Loss[] { "mse", "sparse_categorical_crossentropy" }, metrics);
            using var x = randn(8, 3);
            using var target = randn(8, 1);
            using var y = randint(0, 2, 8);
            model.Fit(new[] { x }, new[] { target, y }, epochs: 1, verbose: 0);
            string path = PathFor("two_heads.zip");

            model.Save(path);
            var loaded = Model.Load(path);

            string compile;
            using (var zip = ZipFile.OpenRead(path))
            using (var reader = new StreamReader(zip.GetEntry("compile.json")!.Open()))
                compile = reader.ReadToEnd();
            var saved = JsonNode.Parse(compile)!;
            Assert.Equal("[\"mae\"]", saved["metrics"]!["regression"]!.ToJsonString());
            Assert.Equal("[\"accuracy\"]", saved["metrics"]!["classes"]!.ToJsonString());
            Assert.Equal(1.0, saved["optimizer"]!["config"]!["clipnorm"]!.GetValue<double>());
            Assert.Equal(1.0, loaded.Optimizer!.ClipNorm);
            var logs = loaded.EvaluateAll(new[] { x }, new[] { target, y });
            Assert.Equal(new[] { "classes_accuracy", "loss", "regression_mae" }, logs.Keys.OrderBy(k => k, StringComparer.Ordinal));
        }

        [Fact]
        public void AFunctionalModelWithASharedLayerRoundTrips()
        {
            var model = Functional();
            using var xa = randn(5, 3);
            using var xb = randn(5, 3);
            string path = PathFor("functional.zip");

            model.Save(path);
            var loaded = Model.Load(path);

            Assert.True(loaded.IsFunctional);
            Assert.Equal(model.Weights.Count, loaded.Weights.Count);
            Assert.True(model.Apply(new[] { xa, xb }).equal(loaded.Apply(new[] { xa, xb })).all().item<bool>());
        }

        [Fact]
        public void TheWeightsEntryIsStandardSafetensors()
        {
            var model = new Sequential(new InputLayer(shape: new Shape(3)), new Dense(2, name: "d"));
            string path = PathFor("weights.safetensors");

            model.SaveWeights(path);

            // Read the format by hand: 8-byte little-endian header length, JSON header, raw data.
            var bytes = File.ReadAllBytes(path);
            long headerLength = BitConverter.ToInt64(bytes, 0);
            var header = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Encoding.UTF8.GetString(bytes, 8, (int)headerLength))!;
            Assert.Equal("F32", (string?)header["d/kernel"]!["dtype"]);
            Assert.Equal("[3,2]", header["d/kernel"]!["shape"]!.ToJsonString());
            var offsets = header["d/kernel"]!["data_offsets"]!.AsArray().Select(o => (long)o!).ToArray();
            var kernel = ((float[,])model.GetWeights()[0]).Cast<float>().ToArray();
            var stored = Enumerable.Range(0, 6).Select(i => BitConverter.ToSingle(bytes, (int)(8 + headerLength + offsets[0] + 4 * i))).ToArray();
            Assert.Equal(kernel, stored);
        }

        [Fact]
        public void ATruncatedFileFailsCleanly()
        {
            var model = Functional();
            string path = PathFor("truncated.zip");
            model.Save(path);
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes.Take(bytes.Length / 2).ToArray());

            var error = Assert.Throws<FormatException>(() => Model.Load(path));

            Assert.Contains(path, error.Message);
        }

        [Fact]
        public void ACorruptedWeightsEntryFailsCleanly()
        {
            var model = Functional();
            string path = PathFor("corrupt.zip");
            model.Save(path);
            using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
            {
                zip.GetEntry(Model.WeightsEntry)!.Delete();
                using var stream = zip.CreateEntry(Model.WeightsEntry).Open();
                stream.Write(new byte[] { 200, 0, 0, 0, 0, 0, 0, 0, (byte)'{' });
            }

            var error = Assert.Throws<FormatException>(() => Model.Load(path));

            Assert.Contains("corrupted", error.Message);   // the SHA-256 recorded in metadata.json explains it best
        }

        [Fact]
        public void AMissingEntryFailsNamingIt()
        {
            string path = PathFor("empty.zip");
            using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
                zip.CreateEntry("config.json");

            var error = Assert.Throws<FormatException>(() => Model.Load(path));

            Assert.Contains(path, error.Message);
        }

        [Fact]
        public void WeightsOfAnotherArchitectureAreRejectedAndNothingChanges()
        {
            var small = new Sequential(new InputLayer(shape: new Shape(3)), new Dense(2, name: "d"));
            var wide = new Sequential(new InputLayer(shape: new Shape(3)), new Dense(4, name: "d"));
            string path = PathFor("small.safetensors");
            small.SaveWeights(path);
            var before = wide.GetWeights()[0].Cast<float>().ToArray();

            var error = Assert.Throws<FormatException>(() => wide.LoadWeights(path));

            Assert.Contains("d/kernel", error.Message);
            Assert.Contains("(3, 2)", error.Message);
            Assert.Equal(before, wide.GetWeights()[0].Cast<float>().ToArray());
        }

        [Fact]
        public void NotAZipFailsClearly()
        {
            string path = PathFor("text.zip");
            File.WriteAllText(path, "hello");

            var error = Assert.Throws<FormatException>(() => Model.Load(path));

            Assert.Contains("not a valid zip", error.Message);
        }
    }
}
