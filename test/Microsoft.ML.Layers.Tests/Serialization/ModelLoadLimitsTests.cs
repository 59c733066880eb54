using System;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using TorchSharp;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Serialization
{
    /// <summary>
    /// Issue 14, bounded loading: every size is checked before it is allocated (<see cref="ModelLoadOptions"/>), a failed load
    /// leaves no tensor behind, deep models save and load, and loading is linear in the layer count.
    /// </summary>
    public sealed class ModelLoadLimitsTests
    {
        private static byte[] Saved(Model model)
        {
            using var stream = new MemoryStream();
            model.Save(stream);
            return stream.ToArray();
        }

        private static Sequential Mlp()
        {
            manual_seed(1);
            return new Sequential(new InputLayer(shape: new Shape(3)), new Dense(4, activation: "relu"), new Dense(2));
        }

        private static FormatException LoadFails(byte[] bytes, ModelLoadOptions? options = null)
            => Assert.Throws<FormatException>(() => Model.Load(new MemoryStream(bytes), "limits.zip", options));

        [Fact]
        public void EachLimitStopsALoadWithAnErrorNamingIt()
        {
            var bytes = Saved(Mlp());

            Assert.Contains("MaxWeightsEntryBytes", LoadFails(bytes, new ModelLoadOptions { MaxWeightsEntryBytes = 100 }).Message);
            Assert.Contains("MaxJsonEntryBytes", LoadFails(bytes, new ModelLoadOptions { MaxJsonEntryBytes = 100 }).Message);
            Assert.Contains("MaxTotalWeightBytes", LoadFails(bytes, new ModelLoadOptions { MaxTotalWeightBytes = 16 }).Message);
            Assert.Contains("MaxLayerCount", LoadFails(bytes, new ModelLoadOptions { MaxLayerCount = 2 }).Message);
            Assert.Contains("MaxNameLength", LoadFails(bytes, new ModelLoadOptions { MaxNameLength = 5 }).Message);
            Assert.Contains("MaxJsonDepth", LoadFails(bytes, new ModelLoadOptions { MaxJsonDepth = 3 }).Message);
            // The defaults load it, and the limits that just fit.
            using var model = Model.Load(new MemoryStream(bytes), "limits.zip", new ModelLoadOptions { MaxLayerCount = 3 });
            Assert.Equal(2, model.Layers.Count);
        }

        [Fact]
        public void TheOptionsRefuseValuesThatAreNotPositive()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new ModelLoadOptions { MaxWeightsEntryBytes = 0 });
            Assert.Throws<ArgumentOutOfRangeException>(() => new ModelLoadOptions { MaxLayerCount = -1 });
            Assert.Throws<ArgumentOutOfRangeException>(() => new ModelLoadOptions { MaxJsonDepth = 1001 });
            Assert.Equal(512, ModelLoadOptions.Default.MaxJsonDepth);
        }

        [Fact]
        public void AZipBombWhoseHeaderLiesStopsAtTheDeclaredSize()
        {
            // 200 MB of spaces after the JSON compress to about 200 KB; the headers claim 100 bytes.
            var config = new byte[200_000_000];
            config.AsSpan().Fill((byte)' ');
            Encoding.UTF8.GetBytes("{}").CopyTo(config, 0);
            var bytes = ZipBytes.WithEntry(Saved(Mlp()), Model.ConfigEntry, config);
            int central = ModelIntegrityTests.CentralEntry(bytes, Model.ConfigEntry);
            int local = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(central + 42));
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(central + 24), 100);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(local + 22), 100);
            Assert.True(bytes.Length < 1_000_000);

            long before = GC.GetTotalAllocatedBytes(precise: true);
            var error = LoadFails(bytes);
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

            // .NET's inflater stops at the declared size, and the bytes up to there fail the CRC; this library also counts
            // the bytes itself and stops one past the declared size.
            Assert.Contains("entry 'config.json' is corrupted", error.Message);
            Assert.True(allocated < 20_000_000, $"the load allocated {allocated} bytes");
        }

        [Fact]
        public void DeeplyNestedJsonIsRefusedBeforeItIsParsed()
        {
            string deep = string.Concat(Enumerable.Repeat("[", 600)) + string.Concat(Enumerable.Repeat("]", 600));
            var bytes = ZipBytes.WithEntry(Saved(Mlp()), Model.ConfigEntry, Encoding.UTF8.GetBytes(deep));

            Assert.Contains("MaxJsonDepth", LoadFails(bytes).Message);
        }

        [Fact]
        public void AHugeLayerNameIsRefusedBeforeTheLayerIsBuilt()
        {
            string config = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"" + new string('n', 5_000_000) + "\", \"layers\": []}}";
            var bytes = ZipBytes.WithEntry(Saved(Mlp()), Model.ConfigEntry, Encoding.UTF8.GetBytes(config));

            var error = LoadFails(bytes);

            Assert.Contains("5000000 characters", error.Message);
            Assert.Contains("MaxNameLength", error.Message);
        }

        [Theory]
        [InlineData(25)]
        [InlineData(120)]
        public void ModelsNestedManyLevelsDeepSaveAndLoad(int depth)
        {
            manual_seed(2);
            Layer inner = new Dense(2, name: "core");
            for (int i = 0; i < depth; i++)
                inner = new Sequential(new[] { inner }, name: $"level{i}");
            var model = new Sequential(new Layer[] { new InputLayer(shape: new Shape(3)), inner }, name: "outer");
            using var x = randn(4, 3);

            using var loaded = Model.Load(new MemoryStream(Saved(model)), "deep.zip");

            Assert.True(model.Predict(x).equal(loaded.Predict(x)).all().item<bool>());
            Assert.Contains("level0", loaded.ToJson());
        }

        [Fact]
        public void TenFailedLoadsLeaveNoTensorBehind()
        {
            var good = Saved(Mlp());
            // Fails after the whole model is built: the weights entry holds another model's weights.
            manual_seed(7);
            var otherWeights = ZipBytes.ReadEntry(Saved(Mlp()), Model.WeightsEntry);
            var badWeights = ZipBytes.WithEntry(good, Model.WeightsEntry, otherWeights);
            // Fails half way through the config: the third layer is unknown.
            string config = Encoding.UTF8.GetString(ZipBytes.ReadEntry(good, Model.ConfigEntry));
            int second = config.LastIndexOf("\"class_name\": \"Dense\"", StringComparison.Ordinal);
            Assert.True(second > config.IndexOf("\"class_name\": \"Dense\"", StringComparison.Ordinal));
            var badConfig = ZipBytes.WithEntry(good, Model.ConfigEntry,
                Encoding.UTF8.GetBytes(config[..second] + "\"class_name\": \"NoSuchLayer\"" + config[(second + 21)..]));
            Assert.Throws<FormatException>(() => Model.Load(new MemoryStream(badWeights), "w"));
            Assert.Throws<FormatException>(() => Model.Load(new MemoryStream(badConfig), "c"));

            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            for (int i = 0; i < 5; i++)
            {
                Assert.Throws<FormatException>(() => Model.Load(new MemoryStream(badWeights), "w"));
                Assert.Throws<FormatException>(() => Model.Load(new MemoryStream(badConfig), "c"));
            }

            Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }

        [Fact]
        public void ASequentialOfTwentyThousandLayersLoadsInSeconds()
        {
            var bytes = Robustness.RobustnessFixtures.SavedSequentialOfIdentities20000.Value;   // shared with the child-process test

            var clock = Stopwatch.StartNew();
            using var loaded = Model.Load(new MemoryStream(bytes), "long.zip");
            clock.Stop();

            Assert.Equal(20_000, loaded.Layers.Count);
            Assert.True(clock.Elapsed.TotalSeconds < 30, $"loading took {clock.Elapsed.TotalSeconds:F1} s");
        }

        [Fact]
        public void AFunctionalChainOfTwentyThousandLayersBuildsSavesAndLoadsInSeconds()
        {
            var input = Input.Create(3, name: "x");
            var x = input;
            // Building the chain symbolically was quadratic (the garbage collector walked the graph's dependent handles one
            // link per pass: 240 s for 20,000 layers); it takes about a second now.
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < 20_000; i++)
                x = new Identity(name: $"identity_{i}").Apply(x);   // explicit: other tests may reset the name counters
            GC.Collect();
            var building = clock.Elapsed;
            clock.Restart();
            var bytes = Saved(new Model(input, x, name: "chain"));
            var saving = clock.Elapsed;

            clock.Restart();
            using var loaded = Model.Load(new MemoryStream(bytes), "chain.zip");
            clock.Stop();

            Assert.Equal(20_001, loaded.Layers.Count);
            Assert.True(building.TotalSeconds < 30, $"building took {building.TotalSeconds:F1} s");
            Assert.True(saving.TotalSeconds < 30, $"saving took {saving.TotalSeconds:F1} s");
            Assert.True(clock.Elapsed.TotalSeconds < 30, $"loading took {clock.Elapsed.TotalSeconds:F1} s");
        }
    }
}
