using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Optimizers;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Serialization
{
    /// <summary>
    /// The evidence that the public API change of issue 13 kept behaviour: <c>Fixtures/Api1</c> holds configs and model files
    /// written by the code before the change (see its README; never regenerated). Today's code must write the same bytes
    /// for the same layers, read every old config back into the same bytes, and load the old model files with the same
    /// predictions.
    /// </summary>
    public sealed class ApiCompatibilityTests
    {
        private static readonly string Api1 = Path.Combine(RepositoryLayout.Root, "test", "Microsoft.ML.Layers.Tests", "Fixtures", "Api1");
        private static readonly string Configs = Path.Combine(Api1, "configs");
        private static readonly string Models = Path.Combine(Api1, "models");
        private const string CompileSuffix = ".compile.json";

        // Built once: the entries are only serialized, never changed.
        private static readonly Lazy<IReadOnlyDictionary<string, Layer>> Catalogue =
            new(() => ApiCompatibilityCatalogue.Entries().ToDictionary(e => e.Name, e => e.Layer));

        public static TheoryData<string> CatalogueNames() => new(ApiCompatibilityCatalogue.Entries().Select(e => e.Name));

        public static TheoryData<string> FixtureConfigNames() => new(ConfigFixtureNames());

        public static TheoryData<string> SavedModelNames() =>
            new(Directory.GetDirectories(Models).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal));

        [Theory]
        [MemberData(nameof(CatalogueNames))]
        public void TodaysCodeWritesTheOldConfigBytes(string name)
        {
            var layer = Catalogue.Value[name];

            AssertSameBytes(ReadFixture(name + ".json"), ConfigBytes(layer), name);
            Assert.Equal(Encoding.UTF8.GetString(ReadFixture(name + ".json")), Normalized(layer.ToJson(indented: true)));
            if (layer is Model { IsCompiled: true } model)
                AssertSameBytes(ReadFixture(name + CompileSuffix), SavedEntry(model, Model.CompileEntry), name + CompileSuffix);
        }

        [Fact]
        public void EveryCatalogueEntryHasAFixtureAndEveryFixtureAnEntry()
        {
            var entries = ApiCompatibilityCatalogue.Entries().Select(e => e.Name).ToList();

            Assert.Equal(entries.Distinct().Count(), entries.Count);
            Assert.Equal(ConfigFixtureNames().Order(StringComparer.Ordinal), entries.Order(StringComparer.Ordinal));
        }

        [Fact]
        public void EveryRegisteredBuiltInLayerClassIsInTheCatalogue()
        {
            var registered = typeof(Layer).Assembly.GetTypes()
                .Where(t => typeof(Layer).IsAssignableFrom(t) && t.GetCustomAttribute<RegisterLayerAttribute>() is not null)
                .ToList();
            var covered = ApiCompatibilityCatalogue.Entries().Select(e => e.Layer.GetType()).ToHashSet();

            Assert.True(registered.Count >= 75, $"only {registered.Count} registered layer classes found");
            Assert.Empty(registered.Where(t => !covered.Contains(t)).Select(t => t.Name));
        }

        [Theory]
        [MemberData(nameof(FixtureConfigNames))]
        public void AnOldConfigReadsBackAndWritesTheSameBytes(string name)
        {
            Lambda.Register(ApiCompatibilityCatalogue.LambdaFunction, x => x * x);
            var bytes = ReadFixture(name + ".json");

            var layer = Layer.Deserialize(Encoding.UTF8.GetString(bytes));

            AssertSameBytes(bytes, ConfigBytes(layer), name);
            if (File.Exists(Path.Combine(Configs, name + CompileSuffix)))
            {
                // The compile entry is read back by Model.Load: a file holding the old entry must write it again unchanged.
                var compile = ReadFixture(name + CompileSuffix);
                var loaded = Model.Load(new MemoryStream(WithEntry((Model)layer, Model.CompileEntry, compile)), name);
                Assert.True(loaded.IsCompiled);
                AssertSameBytes(compile, SavedEntry(loaded, Model.CompileEntry), name + CompileSuffix);
            }
        }

        [Theory]
        [MemberData(nameof(SavedModelNames))]
        public void AnOldModelFileLoadsAndPredictsAsBefore(string name)
        {
            string path = Path.Combine(Models, name, "model.zip");
            using var scope = NewDisposeScope();
            var inputs = ReadTensors(Path.Combine(Models, name, "inputs.json"));
            var expected = ReadTensors(Path.Combine(Models, name, "expected.json"));

            var model = Model.Load(path);
            var outputs = model.PredictAll(inputs);

            Assert.Equal(expected.Count, outputs.Count);
            for (int i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].shape, outputs[i].shape);
                var want = expected[i].data<float>().ToArray();
                var got = outputs[i].to(ScalarType.Float32).data<float>().ToArray();
                for (int j = 0; j < want.Length; j++)
                    Assert.True(Math.Abs(want[j] - got[j]) <= 1e-6, $"{name}: output {i}[{j}] is {got[j]}, was {want[j]}");
            }
            // Saved again, the architecture and compile entries are the old bytes.
            using var file = ZipFile.OpenRead(path);
            foreach (var entry in new[] { Model.ConfigEntry, Model.CompileEntry }.Where(e => file.GetEntry(e) is not null))
                AssertSameBytes(ReadAll(file.GetEntry(entry)!.Open()), SavedEntry(model, entry), $"{name}/{entry}");
        }

        [Fact]
        public void AnOldCompiledModelFileContinuesTraining()
        {
            string folder = Path.Combine(Models, "mlp_adam");
            using var scope = NewDisposeScope();
            var x = ReadTensors(Path.Combine(folder, "inputs.json"))[0];
            var y = ReadTensors(Path.Combine(folder, "expected.json"))[0] + 0.5f;

            var model = Model.Load(Path.Combine(folder, "model.zip"));
            long iterations = model.Optimizer!.Iterations;
            var before = model.Predict(x);
            var history = model.Fit(x, y, batchSize: 3, epochs: 1, shuffle: false, verbose: 0);

            Assert.IsType<Adam>(model.Optimizer);
            Assert.Equal(4, iterations);
            Assert.Equal(iterations + 1, model.Optimizer.Iterations);
            Assert.True(double.IsFinite(history["loss"].Single()));
            Assert.False(before.allclose(model.Predict(x)), "one training step changed nothing");
        }

        /// <summary>What <see cref="Model.Save(string, bool)"/> writes into <c>config.json</c>, as the fixtures were written.</summary>
        private static byte[] ConfigBytes(Layer layer) => Encoding.UTF8.GetBytes(
            Normalized(JsonSerializer.Serialize(layer.GetConfig().ToJson(), new JsonSerializerOptions { WriteIndented = true })));

        /// <summary>The fixtures were written on Linux: indented JSON uses the platform's new line, compared as <c>\n</c>.</summary>
        private static string Normalized(string json) => Environment.NewLine == "\n" ? json : json.Replace(Environment.NewLine, "\n");

        private static IEnumerable<string> ConfigFixtureNames() => Directory.GetFiles(Configs, "*.json")
            .Select(Path.GetFileName).OfType<string>()
            .Where(f => !f.EndsWith(CompileSuffix, StringComparison.Ordinal))
            .Select(f => f[..^".json".Length])
            .Order(StringComparer.Ordinal);

        private static byte[] ReadFixture(string fileName) => File.ReadAllBytes(Path.Combine(Configs, fileName));

        private static void AssertSameBytes(byte[] expected, byte[] actual, string what)
        {
            if (expected.AsSpan().SequenceEqual(actual))
                return;
            int at = 0;
            while (at < Math.Min(expected.Length, actual.Length) && expected[at] == actual[at])
                at++;
            int from = Math.Max(0, at - 80);
            string Around(byte[] bytes) => Encoding.UTF8.GetString(bytes, from, Math.Min(bytes.Length, at + 80) - from);
            Assert.Fail($"{what}: the bytes differ from the Api1 fixture at offset {at} " +
                $"(lengths {expected.Length} and {actual.Length}).\n" +
                $"fixture: ...{Around(expected)}...\nnow:     ...{Around(actual)}...");
        }

        private static byte[] SavedEntry(Model model, string entry)
        {
            using var stream = new MemoryStream();
            model.Save(stream);
            stream.Position = 0;
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
            var bytes = ReadAll(zip.GetEntry(entry)!.Open());
            return entry.EndsWith(".json", StringComparison.Ordinal)
                ? Encoding.UTF8.GetBytes(Normalized(Encoding.UTF8.GetString(bytes)))
                : bytes;
        }

        private static byte[] WithEntry(Model model, string entry, byte[] content)
        {
            var stream = new MemoryStream();
            model.Save(stream);
            using (var zip = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true))
            {
                using var written = zip.CreateEntry(entry).Open();
                written.Write(content);
            }
            return stream.ToArray();
        }

        private static byte[] ReadAll(Stream stream)
        {
            using (stream)
            {
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                return copy.ToArray();
            }
        }

        /// <summary>Reads <c>[{"dtype": "float32" | "int64", "shape": [...], "data": [...]}]</c>, one object per tensor.</summary>
        private static List<Tensor> ReadTensors(string path)
        {
            var tensors = new List<Tensor>();
            foreach (var node in JsonNode.Parse(File.ReadAllText(path))!.AsArray())
            {
                var shape = node!["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                var data = node["data"]!.AsArray();
                tensors.Add((string?)node["dtype"] == "int64"
                    ? tensor(data.Select(v => v!.GetValue<long>()).ToArray()).reshape(shape)
                    : tensor(data.Select(v => v!.GetValue<float>()).ToArray()).reshape(shape));
            }
            return tensors;
        }
    }
}
