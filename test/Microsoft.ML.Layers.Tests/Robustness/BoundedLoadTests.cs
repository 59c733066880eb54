using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML.Layers.Import;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Robustness
{
    /// <summary>
    /// The bounded-loading cases of issue 14 in child processes (<see cref="ChildProbe"/>), so that a runaway allocation or a
    /// hang fails one test instead of the run: zip bombs under a 1 GiB resident limit, JSON nested 100,000 deep, and models of
    /// tens of thousands of layers within a time limit. The in-process versions (limits named in the errors, allocation
    /// counts) are in <see cref="Serialization.ModelLoadLimitsTests"/>.
    /// </summary>
    public sealed class BoundedLoadTests : IDisposable
    {
        private const long OneGiB = 1L << 30;
        private const long BombZeros = 3_000_000_000;

        private readonly string _directory = Directory.CreateTempSubdirectory("mllayers-bounded-").FullName;
        private readonly ITestOutputHelper _output;

        public BoundedLoadTests(ITestOutputHelper output) => _output = output;

        public void Dispose() => Directory.Delete(_directory, recursive: true);

        /// <summary>
        /// A saved model whose weights entry is followed by 3 GB of zeros (about 3 MB compressed), once with honest headers and
        /// once with headers that declare the original size: a <see cref="FormatException"/> or the same model, within 1 GiB.
        /// </summary>
        [Fact]
        public void ZipBombsInTheWeightsEntryStayWithinOneGiB()
        {
            byte[] zip;
            using (var model = RobustnessFixtures.SmallMlp(seed: 5))
                zip = RobustnessFixtures.Saved(model);
            byte[] weights = ZipBytes.ReadEntry(zip, Model.WeightsEntry);
            var clock = Stopwatch.StartNew();
            byte[] bomb = RobustnessFixtures.ZipBomb(zip, Model.WeightsEntry, weights, BombZeros);
            byte[] lying = RobustnessFixtures.WithDeclaredSize(bomb, Model.WeightsEntry, (uint)weights.Length);
            _output.WriteLine($"built a {bomb.Length:N0}-byte bomb in {clock.Elapsed.TotalSeconds:F1} s");
            Assert.True(bomb.Length < 10_000_000, $"the bomb is {bomb.Length} bytes");
            var files = new[] { Write("clean.zip", zip), Write("bomb.zip", bomb), Write("lying-bomb.zip", lying) };

            clock.Restart();
            var outcomes = ChildProbe.Run("model-load", files, TimeSpan.FromSeconds(180), OneGiB, "4");
            _output.WriteLine($"probed in {clock.Elapsed.TotalSeconds:F1} s: {string.Join("; ", outcomes.Select(o => o.Detail))}");

            Assert.True(outcomes[0].Loaded, outcomes[0].Detail);
            Assert.All(outcomes.Skip(1), o => Assert.True(o.Loaded ? o.Detail == outcomes[0].Detail
                : o.ErrorType == typeof(FormatException).FullName, $"{Path.GetFileName(o.File)}: {o.Detail}"));
        }

        /// <summary>
        /// A Keras 3 archive whose <c>model.weights.h5</c> is followed by 3 GB of zeros, and one whose <c>config.json</c> is
        /// nested 100,000 deep: a <see cref="KerasImportException"/> or the same model, within 1 GiB.
        /// </summary>
        /// <remarks>
        /// FINDING (issue 14, fails until fixed): <c>KerasModel.LoadKeras3Archive</c> copies <c>model.weights.h5</c> into a
        /// <c>MemoryStream</c> with <c>entry.Open().CopyTo</c>, unbounded: the 3 GB bomb (2.9 MB file) passes 1 GiB resident
        /// before any check. The fix: read the entry through <c>VerifiedEntryStream.Open</c> with
        /// <c>ModelLoadOptions.MaxWeightsEntryBytes</c> (and its CRC check, see <see cref="FuzzTests"/>), or refuse an entry
        /// whose declared size is over a limit before copying it.
        /// </remarks>
        [Fact]
        public void AKerasArchiveBombAndADeepKerasConfigStayWithinOneGiB()
        {
            byte[] archive = RobustnessFixtures.Keras3Archive();
            byte[] weights = ZipBytes.ReadEntry(archive, "model.weights.h5");
            byte[] bomb = RobustnessFixtures.ZipBomb(archive, "model.weights.h5", weights, BombZeros);
            byte[] deep = ZipBytes.WithEntry(archive, "config.json", Deep(100_000));
            var files = new[] { Write("clean.keras", archive), Write("deep.keras", deep), Write("bomb.keras", bomb) };

            var outcomes = ChildProbe.Run("keras-predict", files, TimeSpan.FromSeconds(180), OneGiB, "2", "3");
            _output.WriteLine(string.Join("\n", outcomes.Select(o => $"{Path.GetFileName(o.File)}: {o.Detail}")));

            Assert.True(outcomes[0].Loaded, outcomes[0].Detail);
            Assert.All(outcomes.Skip(1), o => Assert.True(o.Loaded ? o.Detail == outcomes[0].Detail
                : o.ErrorType == typeof(KerasImportException).FullName, $"{Path.GetFileName(o.File)}: {o.Detail}"));
        }

        /// <summary>A saved model whose <c>config.json</c> is an array nested 100,000 deep: a <see cref="FormatException"/>.</summary>
        [Fact]
        public void AConfigNestedOneHundredThousandDeepFailsWithinOneGiB()
        {
            byte[] zip;
            using (var model = RobustnessFixtures.SmallMlp(seed: 5))
                zip = RobustnessFixtures.Saved(model);
            string file = Write("deep.zip", ZipBytes.WithEntry(zip, Model.ConfigEntry, Deep(100_000)));

            var outcome = ChildProbe.Run("model-load", new[] { file }, TimeSpan.FromSeconds(120), OneGiB, "4").Single();

            Assert.False(outcome.Loaded, outcome.Detail);
            Assert.Equal(typeof(FormatException).FullName, outcome.ErrorType);
        }

        /// <summary>
        /// A Sequential of 20,000 Identity layers and a functional chain of 10,000 load and predict (the identity) in a child
        /// bounded to 60 s.
        /// </summary>
        [Fact]
        public void ModelsOfTensOfThousandsOfLayersLoadWithinSixtySeconds()
        {
            var clock = Stopwatch.StartNew();
            var files = new[]
            {
                Write("sequential-20000.zip", RobustnessFixtures.SavedSequentialOfIdentities20000.Value),
                Write("chain-10000.zip", RobustnessFixtures.SavedFunctionalChain10000.Value.Bytes),
            };
            _output.WriteLine($"built and saved in {clock.Elapsed.TotalSeconds:F1} s (or taken from an earlier test)");

            clock.Restart();
            var outcomes = ChildProbe.Run("model-load", files, TimeSpan.FromSeconds(120), 3L << 29, "3");
            _output.WriteLine($"loaded and predicted in {clock.Elapsed.TotalSeconds:F1} s");

            string identity = ChildProbe.Digest(ones(2, 3));
            Assert.All(outcomes, o => Assert.True(o.Loaded && o.Detail == identity, $"{Path.GetFileName(o.File)}: {o.Detail}"));
        }

        private static byte[] Deep(int depth) => Encoding.UTF8.GetBytes(new string('[', depth) + new string(']', depth));

        private string Write(string name, byte[] bytes)
        {
            string path = Path.Combine(_directory, name);
            File.WriteAllBytes(path, bytes);
            return path;
        }
    }
}
