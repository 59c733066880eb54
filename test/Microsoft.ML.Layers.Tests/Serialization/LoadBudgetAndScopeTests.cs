using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML.Layers.Import;
using Microsoft.ML.Layers.TestFramework;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Serialization
{
    /// <summary>
    /// Issue 14, bounded loading: a config may create only the weights its file accounts for, a weights file must match the
    /// model before any of its tensors is allocated, and <see cref="ModelLoadOptions"/> reach every loader (explicitly, or
    /// through <see cref="ModelLoadOptions.BeginScope"/> for loaders that take none).
    /// </summary>
    public sealed class LoadBudgetAndScopeTests : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("mllayers-budget-").FullName;

        public void Dispose() => Directory.Delete(_directory, recursive: true);

        private static Sequential Mlp(int hidden = 4)
        {
            manual_seed(1);
            return new Sequential(new InputLayer(shape: new Shape(3)), new Dense(hidden, activation: "relu", name: "hidden"),
                new Dense(2, name: "out"));
        }

        private static byte[] Saved(Model model)
        {
            using var stream = new MemoryStream();
            model.Save(stream);
            return stream.ToArray();
        }

        /// <summary>The saved model with its first Dense's units replaced in config.json (the entry's CRC stays valid).</summary>
        private static byte[] WithHiddenUnits(byte[] saved, long units)
        {
            string config = Encoding.UTF8.GetString(ZipBytes.ReadEntry(saved, Model.ConfigEntry));
            int at = config.IndexOf("\"units\": 4", StringComparison.Ordinal);
            Assert.True(at > 0, "the fixture's config has no \"units\": 4");
            string edited = config[..at] + $"\"units\": {units}" + config[(at + "\"units\": 4".Length)..];
            return ZipBytes.WithEntry(saved, Model.ConfigEntry, Encoding.UTF8.GetBytes(edited));
        }

        [Fact]
        public void AConfigAskingForMoreWeightsThanItsFileHoldsFailsBeforeTheyAreAllocated()
        {
            // 30 million units: a 3 x 30M kernel (360 MB) and a 30M x 2 one, from a file whose weights take 120 bytes.
            var bytes = WithHiddenUnits(Saved(Mlp()), 30_000_000);
            long tensors = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            var clock = Stopwatch.StartNew();

            var error = Assert.Throws<FormatException>(() => Model.Load(new MemoryStream(bytes), "swollen.zip"));

            Assert.Contains("weight 'kernel' of layer 'hidden'", error.Message);
            Assert.Contains("the weights entry of 'swollen.zip'", error.Message);
            Assert.Contains("larger weights than the file holds", error.Message);
            Assert.Equal(tensors, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            // Drawing 90 million random numbers would take seconds.
            Assert.True(clock.Elapsed.TotalSeconds < 2, $"the refused load took {clock.Elapsed.TotalSeconds:F1} s");
        }

        [Fact]
        public void AConfigWhoseWeightsFitItsFileStillLoadsAndAWrongShapeIsNamed()
        {
            // Five units fit the budget (the slack is 64 MiB) but not the stored kernel: the table check names the weight.
            var bytes = WithHiddenUnits(Saved(Mlp()), 5);

            var error = Assert.Throws<FormatException>(() => Model.Load(new MemoryStream(bytes), "five.zip"));

            Assert.Contains("weight 'hidden/kernel' has shape (3, 4) in the file but (3, 5) in the model", error.Message);
            using var loaded = Model.Load(new MemoryStream(Saved(Mlp())), "good.zip");
            Assert.Equal(Mlp().CountParams(), loaded.CountParams());
        }

        [Fact]
        public void LoadWeightsComparesTheFilesTableWithTheModelBeforeReadingItsData()
        {
            string path = Path.Combine(_directory, "wide.safetensors");
            Mlp(hidden: 50).SaveWeights(path);
            // Flip the last data byte: a reader that allocated and read the data before comparing shapes would report the
            // SHA-256 mismatch that the file's metadata then shows.
            var bytes = File.ReadAllBytes(path);
            bytes[^1] ^= 0x40;
            File.WriteAllBytes(path, bytes);
            using var model = Mlp();
            var before = model.Weights.Select(w => w.detach().clone()).ToList();

            var error = Assert.Throws<FormatException>(() => model.LoadWeights(path));

            Assert.Contains("weight 'hidden/kernel' has shape (3, 50) in the file but (3, 4) in the model", error.Message);
            Assert.All(model.Weights.Zip(before), p => Assert.True(p.First.equal(p.Second).all().item<bool>()));
        }

        [Fact]
        public void LayerDeserializeCountsTheWeightsItCreatesAgainstMaxTotalWeightBytes()
        {
            // Two Dense layers of 1000 x 1000 float32: 4 MB each, so 6 MB allows the first and refuses the second.
            string json = """
                {"class_name": "Sequential", "config": {"name": "s", "layers": [
                  {"class_name": "InputLayer", "config": {"batch_shape": [null, 1000], "name": "in"}},
                  {"class_name": "Dense", "config": {"name": "first", "units": 1000}},
                  {"class_name": "Dense", "config": {"name": "second", "units": 1000}}]}}
                """;
            var options = new ModelLoadOptions { MaxTotalWeightBytes = 6L << 20 };

            var error = Assert.Throws<FormatException>(() => Layer.Deserialize(json, options));

            Assert.Contains("weight 'kernel' of layer 'second'", error.Message);
            Assert.Contains("ModelLoadOptions.MaxTotalWeightBytes", error.Message);
            using var built = (Model)Layer.Deserialize(json);
            Assert.Equal(2 * 1_001_000, built.CountParams());
        }

        [Fact]
        public void BeginScopeAppliesToLoadsGivenNoOptionsUntilItIsDisposed()
        {
            var bytes = Saved(Mlp());
            var tight = new ModelLoadOptions { MaxJsonEntryBytes = 100 };

            using (ModelLoadOptions.BeginScope(tight))
            {
                var error = Assert.Throws<FormatException>(() => Model.Load(new MemoryStream(bytes), "scoped.zip"));
                Assert.Contains("MaxJsonEntryBytes", error.Message);
                var import = Assert.Throws<KerasImportException>(() => KerasModel.Load(new MemoryStream(bytes), "scoped.zip"));
                Assert.Contains("MaxJsonEntryBytes", import.Message);
                // Explicit options win over the scope's.
                using var explicitly = Model.Load(new MemoryStream(bytes), "explicit.zip", new ModelLoadOptions());
                Assert.Equal(2, explicitly.Layers.Count);
            }

            using var after = Model.Load(new MemoryStream(bytes), "after.zip");
            Assert.Equal(2, after.Layers.Count);
        }

        [Fact]
        public void KerasImportAppliesTheJsonLimitsAndTheWeightBudget()
        {
            string json = """
                {"class_name": "Sequential", "keras_version": "2.3.1", "config": {"name": "s", "layers": [
                  {"class_name": "Dense", "config": {"name": "wide", "batch_input_shape": [null, 1000], "units": 1000}}]}}
                """;

            var depth = Assert.Throws<KerasImportException>(() => KerasModel.FromJson(json, new ModelLoadOptions { MaxJsonDepth = 3 }));
            var size = Assert.Throws<KerasImportException>(() => KerasModel.FromJson(json,
                new ModelLoadOptions { MaxTotalWeightBytes = 1L << 20 }));

            Assert.Contains("MaxJsonDepth", depth.Message);
            Assert.Contains("weight 'kernel' of layer 'wide'", size.Message);
            Assert.Contains("MaxTotalWeightBytes", size.Message);
            using var model = KerasModel.FromJson(json);
            Assert.Equal(1_001_000, model.CountParams());
        }

        [Fact]
        public void AllowedAssembliesRefusesAPathOrAFullNameWhenItIsAdded()
        {
            var options = new ModelLoadOptions();

            Assert.Throws<ArgumentException>(() => options.AllowedAssemblies.Add("../evil"));
            Assert.Throws<ArgumentException>(() => options.AllowedAssemblies.Add("Evil, Version=1.0.0.0"));
            Assert.Throws<ArgumentException>(() => options.AllowedAssemblies.Add(" "));
            options.AllowedAssemblies.Add("MyCompany.Layers");
            Assert.Equal(new[] { "MyCompany.Layers" }, options.AllowedAssemblies);
        }
    }
}
