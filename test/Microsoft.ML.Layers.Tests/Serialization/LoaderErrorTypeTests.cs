using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Import;
using Microsoft.ML.Layers.Losses;
using Microsoft.ML.Layers.Optimizers;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Serialization
{
    /// <summary>
    /// Every loader throws only the exception types its XML docs list, with the file or layer in the message and the
    /// original failure as the inner exception: a table of malformed inputs per loader, then a seeded fuzz pass over a
    /// saved model, a weights file and a real Keras .h5 (a load either fails with a documented type or succeeds).
    /// </summary>
    public sealed class LoaderErrorTypeTests : IDisposable
    {
        private static readonly Type[] ModelLoadTypes = { typeof(FormatException), typeof(FileNotFoundException) };
        private static readonly Type[] KerasLoadTypes = { typeof(KerasImportException), typeof(FileNotFoundException) };
        private static readonly Type[] DeserializeTypes = { typeof(FormatException), typeof(KeyNotFoundException) };
        private static readonly Type[] ConfigTypes = { typeof(FormatException) };

        private readonly string _directory = Directory.CreateTempSubdirectory("mllayers-loaders-").FullName;

        public void Dispose() => Directory.Delete(_directory, recursive: true);

        private static string Deep(int depth) => new string('[', depth) + new string(']', depth);

        /// <summary>Edits of a saved model's config.json (the Sequential of <see cref="SaveSmallModel"/>).</summary>
        public static TheoryData<string, string> ConfigEdits() => new()
        {
            { "layers is a number", """{"class_name": "Sequential", "config": {"name": "s", "layers": 5}}""" },
            { "units is text", Sequential("""{"class_name": "Dense", "config": {"name": "d", "units": "abc"}}""") },
            { "units overflows", Sequential("""{"class_name": "Dense", "config": {"name": "d", "units": 1e40}}""") },
            { "units is a float", Sequential("""{"class_name": "Dense", "config": {"name": "d", "units": 2.5}}""") },
            { "units is negative", Sequential("""{"class_name": "Dense", "config": {"name": "d", "units": -4}}""") },
            { "negative input shape", Sequential("""{"class_name": "Dense", "config": {"name": "d", "units": 1}, "build_config": {"input_shape": [null, -3]}}""") },
            { "shape of text", Sequential("""{"class_name": "Dense", "config": {"name": "d", "units": 1}, "build_config": {"input_shape": "x"}}""") },
            { "class name is a number", Sequential("""{"class_name": 42, "config": {"name": "d"}}""") },
            { "config is a list", Sequential("""{"class_name": "Dense", "config": [1, 2]}""") },
            { "name is an object", Sequential("""{"class_name": "Dense", "config": {"name": {"a": 1}, "units": 1}}""") },
            { "activation is a number", Sequential("""{"class_name": "Dense", "config": {"name": "d", "units": 1, "activation": 7}}""") },
            { "initializer is a list", Sequential("""{"class_name": "Dense", "config": {"name": "d", "units": 1, "kernel_initializer": [1]}}""") },
            { "huge depth", Sequential($$$"""{"class_name": "Dense", "config": {"name": "d", "units": {{{Deep(5000)}}}}}""") },
            { "null", "null" },
            { "not JSON", "\u0001\u0002binary\u00ff" },
        };

        private static string Sequential(string layer)
            => $$$"""{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 2], "name": "in"}}, {{{layer}}}]}}""";

        [Theory]
        [MemberData(nameof(ConfigEdits))]
        public void ModelLoadOfAMalformedConfigThrowsAFormatExceptionNamingTheFile(string what, string configJson)
        {
            string path = SaveSmallModel($"config-{what.Replace(' ', '-')}.zip");
            ReplaceEntry(path, Model.ConfigEntry, Encoding.UTF8.GetBytes(configJson));

            AssertDocumented(() => Model.Load(path), ModelLoadTypes, path, what);
            using var stream = File.OpenRead(path);
            AssertDocumented(() => Model.Load(stream, "the stream"), ModelLoadTypes, "the stream", what);
            AssertDocumented(() => KerasModel.Load(path), KerasLoadTypes, path, what);
        }

        [Theory]
        [MemberData(nameof(ConfigEdits))]
        public void LayerDeserializeAndLayerConfigThrowOnlyTheirDocumentedTypes(string what, string configJson)
        {
            string layer = configJson;
            try
            {
                if (JsonNode.Parse(configJson) is JsonObject { } o && o["config"]?["layers"] is JsonArray { Count: 2 } layers)
                    layer = layers[1]!.ToJsonString();
            }
            catch (System.Text.Json.JsonException)
            {
            }

            // A lone layer may load where the model cannot (a build_config it ignores leaves it unbuilt): only types matter here.
            AssertDocumented(() => Layer.Deserialize(layer), DeserializeTypes, null, what, mayLoad: true);
            AssertDocumented(() => LayerConfig.FromJson(layer), ConfigTypes, null, what, mayLoad: true);
            AssertDocumented(() => Layer.Deserialize(configJson), DeserializeTypes, null, what, mayLoad: true);
        }

        public static TheoryData<string, string, string> CompileEdits() => new()
        {
            { "loss weights of text", "loss_weights", """["x"]""" },
            { "metric is a number", "metrics", "[1]" },
            { "loss list is an object", "loss", """{"a": 1}""" },
            { "optimizer is a number", "optimizer", "3" },
            { "learning rate is text", "optimizer", """{"class_name": "Adam", "config": {"learning_rate": "fast"}}""" },
            { "unknown schedule", "optimizer", """{"class_name": "Adam", "config": {"learning_rate": {"class_name": "Process"}}}""" },
        };

        [Theory]
        [MemberData(nameof(CompileEdits))]
        public void ModelLoadOfAMalformedCompileConfigThrowsAFormatExceptionNamingTheFile(string what, string key, string value)
        {
            string path = SaveSmallModel($"compile-{what.Replace(' ', '-')}.zip");
            RegistryReflectionTests.RewriteEntry(path, Model.CompileEntry, compile => compile[key] = JsonNode.Parse(value));

            AssertDocumented(() => Model.Load(path), ModelLoadTypes, path, what);
        }

        public static TheoryData<string> FileDamages() => new() { "empty", "garbage", "truncated", "weights garbage", "weights truncated",
            "optimizer garbage", "no config" };

        [Theory]
        [MemberData(nameof(FileDamages))]
        public void ModelLoadOfADamagedFileThrowsAFormatExceptionNamingTheFile(string damage)
        {
            string path = SaveSmallModel($"damaged-{damage.Replace(' ', '-')}.zip");
            var bytes = File.ReadAllBytes(path);
            var random = new Random(damage.Length);
            switch (damage)
            {
                case "empty":
                    File.WriteAllBytes(path, Array.Empty<byte>());
                    break;
                case "garbage":
                    var garbage = new byte[2048];
                    random.NextBytes(garbage);
                    File.WriteAllBytes(path, garbage);
                    break;
                case "truncated":
                    File.WriteAllBytes(path, bytes[..(bytes.Length * 3 / 5)]);
                    break;
                case "weights garbage":
                case "optimizer garbage":
                    var noise = new byte[300];
                    random.NextBytes(noise);
                    ReplaceEntry(path, damage == "weights garbage" ? Model.WeightsEntry : Model.OptimizerEntry, noise);
                    break;
                case "weights truncated":
                    var weights = ReadEntry(path, Model.WeightsEntry);
                    ReplaceEntry(path, Model.WeightsEntry, weights[..(weights.Length / 2)]);
                    break;
                case "no config":
                    RemoveEntry(path, Model.ConfigEntry);
                    break;
            }

            AssertDocumented(() => Model.Load(path), ModelLoadTypes, path, damage);
            AssertDocumented(() => KerasModel.Load(path), KerasLoadTypes, path, damage);
        }

        [Theory]
        [InlineData("empty")]
        [InlineData("garbage")]
        [InlineData("truncated")]
        [InlineData("huge header length")]
        [InlineData("header of wrong types")]
        [InlineData("missing")]
        public void LoadWeightsOfADamagedFileThrowsADocumentedTypeNamingTheFile(string damage)
        {
            var model = SmallModel();
            string path = Path.Combine(_directory, "w.safetensors");
            model.SaveWeights(path);
            var bytes = File.ReadAllBytes(path);
            switch (damage)
            {
                case "empty":
                    File.WriteAllBytes(path, Array.Empty<byte>());
                    break;
                case "garbage":
                    var garbage = new byte[512];
                    new Random(5).NextBytes(garbage);
                    File.WriteAllBytes(path, garbage);
                    break;
                case "truncated":
                    File.WriteAllBytes(path, bytes[..(bytes.Length - 7)]);
                    break;
                case "huge header length":
                    BitConverter.GetBytes(long.MaxValue - 3).CopyTo(bytes, 0);
                    File.WriteAllBytes(path, bytes);
                    break;
                case "header of wrong types":
                    var header = Encoding.UTF8.GetBytes("""{"dense/kernel": {"dtype": 5, "shape": "x", "data_offsets": [-1, 1e40]}}""");
                    File.WriteAllBytes(path, BitConverter.GetBytes((long)header.Length).Concat(header).ToArray());
                    break;
                case "missing":
                    File.Delete(path);
                    break;
            }

            AssertDocumented(() => model.LoadWeights(path), ModelLoadTypes, path, damage);
        }

        [Theory]
        [InlineData("hdf5 signature then garbage")]
        [InlineData("json of wrong types")]
        [InlineData("keras3 archive with garbage weights")]
        [InlineData("deep json")]
        public void KerasModelLoadOfADamagedFileThrowsAKerasImportExceptionNamingTheFile(string damage)
        {
            string path = Path.Combine(_directory, "damaged.keras");
            switch (damage)
            {
                case "hdf5 signature then garbage":
                    var garbage = new byte[4096];
                    new Random(7).NextBytes(garbage);
                    new byte[] { 0x89, (byte)'H', (byte)'D', (byte)'F', 13, 10, 26, 10 }.CopyTo(garbage, 0);
                    File.WriteAllBytes(path, garbage);
                    break;
                case "json of wrong types":
                case "deep json":
                    File.WriteAllText(path, damage == "deep json" ? "{\"class_name\": " + Deep(100_000) + "}"
                        : """{"class_name": "Sequential", "keras_version": "2.3.1", "config": {"layers": [{"class_name": "Dense", "config": {"units": "x", "batch_input_shape": [null, -2]}}]}}""");
                    AssertDocumented(() => KerasModel.FromJson(File.ReadAllText(path)), KerasLoadTypes, null, damage);
                    AssertDocumented(() => KerasModel.Load(path, path), KerasLoadTypes, path, damage);
                    break;
                case "keras3 archive with garbage weights":
                    using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create))
                    {
                        using (var writer = new StreamWriter(zip.CreateEntry("config.json").Open()))
                            writer.Write(Sequential("""{"class_name": "Dense", "config": {"name": "d", "units": 1}}"""));
                        using var weights = zip.CreateEntry("model.weights.h5").Open();
                        var noise = new byte[1000];
                        new Random(8).NextBytes(noise);
                        new byte[] { 0x89, (byte)'H', (byte)'D', (byte)'F', 13, 10, 26, 10 }.CopyTo(noise, 0);
                        weights.Write(noise);
                    }
                    break;
            }

            AssertDocumented(() => KerasModel.Load(path), KerasLoadTypes, path, damage);
            using var stream = new MemoryStream(File.ReadAllBytes(path));
            AssertDocumented(() => KerasModel.Load(stream, "the stream"), KerasLoadTypes, "the stream", damage);
        }

        [Fact]
        public void ArgumentsAreCheckedWithArgumentExceptions()
        {
            Assert.Throws<ArgumentNullException>(() => Model.Load((string)null!));
            Assert.Throws<ArgumentNullException>(() => KerasModel.Load((Stream)null!));
            Assert.Throws<ArgumentNullException>(() => Layer.Deserialize((string)null!));
            Assert.Throws<ArgumentNullException>(() => LayerConfig.FromJson((string)null!));
            Assert.Throws<FileNotFoundException>(() => KerasModel.Load(Path.Combine(_directory, "none.h5"), Path.Combine(_directory, "w.h5")));
        }

        // ---- seeded fuzz: one to three bytes replaced at random positions ---------------------------------------------------

        private const int Mutations = 200;

        [Fact]
        public void FuzzedSavedModelsLoadOrFailWithAFormatException()
        {
            string path = SaveSmallModel("fuzz-source.zip");
            var original = File.ReadAllBytes(path);
            var outcomes = Fuzz(original, seed: 14, load: bytes =>
            {
                using var stream = new MemoryStream(bytes);
                Model.Load(stream, "fuzzed model").Dispose();
            }, ModelLoadTypes, "fuzzed model");

            Assert.True(outcomes["failed"] > 0, "No mutation was detected at all: the fuzz is not reaching the loader.");
        }

        [Fact]
        public void FuzzedWeightsFilesLoadOrFailWithAFormatException()
        {
            var model = SmallModel();
            string path = Path.Combine(_directory, "fuzz.safetensors");
            model.SaveWeights(path);
            var original = File.ReadAllBytes(path);
            string target = Path.Combine(_directory, "fuzzed.safetensors");

            Fuzz(original, seed: 15, load: bytes =>
            {
                File.WriteAllBytes(target, bytes);
                model.LoadWeights(target);
            }, ModelLoadTypes, target);
        }

        [KerasReferenceFact]
        public void FuzzedKerasFilesLoadOrFailWithAKerasImportException()
        {
            string source = Path.Combine(Microsoft.ML.Layers.Tests.Import.KerasReferenceFiles.Root, "examples", "simple_sparse_xent", "simple_sparse_xent_mlp_keras_2_model.h5");
            var original = File.ReadAllBytes(source);
            KerasModel.Load(source).Dispose();

            var outcomes = Fuzz(original, seed: 16, load: bytes =>
            {
                using var stream = new MemoryStream(bytes);
                KerasModel.Load(stream, "fuzzed.h5").Dispose();
            }, KerasLoadTypes, "fuzzed.h5");

            Assert.True(outcomes["failed"] > 0, "No mutation was detected at all: the fuzz is not reaching the importer.");
        }

        private static Dictionary<string, int> Fuzz(byte[] original, int seed, Action<byte[]> load, Type[] documented, string name)
        {
            var random = new Random(seed);
            var outcomes = new Dictionary<string, int> { ["loaded"] = 0, ["failed"] = 0 };
            var undocumented = new List<string>();
            for (int i = 0; i < Mutations; i++)
            {
                var bytes = (byte[])original.Clone();
                int count = random.Next(1, 4);
                var positions = new List<int>();
                for (int j = 0; j < count; j++)
                {
                    int position = random.Next(bytes.Length);
                    positions.Add(position);
                    bytes[position] = (byte)random.Next(256);
                }
                try
                {
                    load(bytes);
                    outcomes["loaded"]++;
                }
                catch (Exception e) when (documented.Any(t => t.IsInstanceOfType(e)))
                {
                    outcomes["failed"]++;
                    if (!e.Message.Contains(name, StringComparison.Ordinal))
                        undocumented.Add($"mutation {i} at {string.Join(",", positions)}: message does not name '{name}': {e.Message}");
                }
                catch (Exception e)
                {
                    undocumented.Add($"mutation {i} at {string.Join(",", positions)}: {e.GetType().FullName}: {e.Message}");
                }
            }
            Assert.True(undocumented.Count == 0, string.Join("\n", undocumented));
            Console.WriteLine($"Fuzz of '{name}' (seed {seed}): {outcomes["loaded"]} loaded, {outcomes["failed"]} failed with a " +
                "documented type.");
            return outcomes;
        }

        // ---- helpers ------------------------------------------------------------------------------------------------------------

        private static void AssertDocumented(Action load, Type[] documented, string? named, string what, bool mayLoad = false)
        {
            Exception? error = null;
            try
            {
                load();
            }
            catch (Exception e)
            {
                error = e;
            }
            if (error is null)
            {
                Assert.True(mayLoad, $"{what}: loaded without an error.");
                return;
            }
            Assert.True(documented.Any(t => t.IsInstanceOfType(error)),
                $"{what}: {error.GetType().FullName} is not documented ({string.Join(", ", documented.Select(t => t.Name))}): {error}");
            if (named is not null)
                Assert.Contains(named, error.Message);
            if (error.InnerException is null)
                Assert.True(error is FormatException or KeyNotFoundException or FileNotFoundException,
                    $"{what}: a translated {error.GetType().Name} lost its inner exception.");
        }

        private static Sequential SmallModel()
        {
            manual_seed(2);
            return new Sequential(new InputLayer(shape: new Shape(2), name: "in"), new Dense(3, activation: "relu", name: "dense"),
                new Dense(1, name: "out"));
        }

        private string SaveSmallModel(string name)
        {
            var model = SmallModel();
            model.Compile(new Adam(0.01), new MeanSquaredErrorLoss(), new[] { "mae" });
            using var x = randn(8, 2);
            using var y = randn(8, 1);
            model.Fit(x, y, epochs: 1, verbose: 0);
            string path = Path.Combine(_directory, name);
            model.Save(path);
            return path;
        }

        private static byte[] ReadEntry(string path, string entryName)
        {
            using var zip = System.IO.Compression.ZipFile.OpenRead(path);
            using var stream = zip.GetEntry(entryName)!.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }

        private static void ReplaceEntry(string path, string entryName, byte[] content)
        {
            using var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Update);
            zip.GetEntry(entryName)?.Delete();
            using var stream = zip.CreateEntry(entryName).Open();
            stream.Write(content);
        }

        private static void RemoveEntry(string path, string entryName)
        {
            using var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Update);
            zip.GetEntry(entryName)!.Delete();
        }
    }
}
