using System;
using System.IO;
using System.Linq;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Robustness
{
    /// <summary>
    /// Untrusted and careless inputs, each run in a child process with time and memory bounds (<see cref="ChildProbe"/>):
    /// a typed error or the same model, never a crash, a hang, a runaway allocation or a different model.
    /// </summary>
    public sealed class RedTeamTests : IDisposable
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
        private const long MemoryLimit = 3L << 30;

        private readonly string _directory = Directory.CreateTempSubdirectory("mllayers-redteam-").FullName;

        public void Dispose() => Directory.Delete(_directory, recursive: true);

        [Fact]
        public void TheProbeReportsAChildThatDiesInsteadOfPassingOverIt()
        {
            string file = Path.Combine(_directory, "any.bin");
            File.WriteAllBytes(file, new byte[] { 1 });

            var error = Assert.ThrowsAny<Exception>(() => ChildProbe.Run("abort", new[] { file }, Timeout, MemoryLimit));

            Assert.Contains("died on " + file, error.Message);
        }

        [Fact]
        public void EveryTruncationOfASavedModelLoadsNothingAndSaysSo()
        {
            string original = SaveSmallModel();
            byte[] bytes = File.ReadAllBytes(original);
            var files = new[] { 0, 1, 4, 22, 30, 100, bytes.Length / 3, bytes.Length / 2, bytes.Length - 22, bytes.Length - 1 }
                .Distinct().Where(n => n < bytes.Length)
                .Select(n => Write($"truncated-{n}.zip", bytes[..n])).ToList();

            var outcomes = ChildProbe.Run("model", files, Timeout, MemoryLimit, "4");

            Assert.All(outcomes, o => Assert.False(o.Loaded, $"{o.File} loaded: {o.Detail}"));
            Assert.All(outcomes, o => Assert.True(o.ErrorType is "System.FormatException" or "System.IO.FileNotFoundException",
                $"{o.File}: {o.Detail}"));
        }

        /// <summary>
        /// Seeded single-bit flips anywhere in a saved model (headers, CRCs, compressed config and weights): each copy must
        /// fail with the documented <see cref="FormatException"/> or load the same model (bit-identical predictions).
        /// <c>MLLAYERS_FUZZ_LONG=1</c> runs ten times as many.
        /// </summary>
        [Fact]
        public void BitFlipsInASavedModelNeverLoadADifferentModel()
        {
            string original = SaveSmallModel();
            string clean = ChildProbe.Run("model", new[] { original }, Timeout, MemoryLimit, "4").Single().Detail;
            byte[] bytes = File.ReadAllBytes(original);
            var random = new Random(13);
            int count = FuzzSettings.Count(200);
            var files = Enumerable.Range(0, count).Select(i =>
            {
                var copy = (byte[])bytes.Clone();
                int bit = random.Next(copy.Length * 8);
                copy[bit / 8] ^= (byte)(1 << (bit % 8));
                return Write($"flip-{i}-bit-{bit}.zip", copy);
            }).ToList();

            var outcomes = ChildProbe.Run("model", files, FuzzSettings.Timeout(TimeSpan.FromMinutes(5)), MemoryLimit, "4");

            var different = outcomes.Where(o => o.Loaded && o.Detail != clean).Select(o => Path.GetFileName(o.File)).ToList();
            var untyped = outcomes.Where(o => !o.Loaded && o.ErrorType != "System.FormatException")
                .Select(o => $"{Path.GetFileName(o.File)}: {o.Detail}").ToList();
            Assert.True(different.Count == 0,
                $"seed 13: {different.Count} of {count} flipped files loaded a different model: {string.Join(", ", different.Take(10))}");
            Assert.True(untyped.Count == 0,
                $"seed 13: {untyped.Count} of {count} failed with an undocumented exception: {string.Join("; ", untyped.Take(5))}");
        }

        /// <summary>
        /// The seed's SimpleDense, built on 3 features and called with 7: its <c>matmul</c> would abort the process in
        /// libtorch; the derived input spec refuses the call with a typed error first.
        /// </summary>
        [Fact]
        public void AUserLayerCalledWithTheWrongWidthAfterBuildThrowsInsteadOfAborting()
        {
            string config = Write("simple-dense.json", System.Text.Encoding.UTF8.GetBytes(
                "{\"class_name\": \"SimpleDense\", \"config\": {\"name\": \"d\", \"units\": 4}, " +
                "\"build_config\": {\"input_shape\": [null, 3]}}"));

            var outcome = ChildProbe.Run("layer-call", new[] { config }, Timeout, MemoryLimit, "7").Single();

            Assert.False(outcome.Loaded, outcome.Detail);
            Assert.Contains("simple", outcome.Detail, StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>Configs whose weights could not be allocated, or would take gigabytes: a typed error before allocating.</summary>
        [Theory]
        [InlineData("{\"class_name\": \"Dense\", \"config\": {\"units\": 8}, \"build_config\": {\"input_shape\": [null, 1099511627776]}}")]
        [InlineData("{\"class_name\": \"Dense\", \"config\": {\"units\": 2147483647}, \"build_config\": {\"input_shape\": [null, 4]}}")]
        [InlineData("{\"class_name\": \"Dense\", \"config\": {\"units\": 200000000}, \"build_config\": {\"input_shape\": [null, 16]}}")]
        [InlineData("{\"class_name\": \"Embedding\", \"config\": {\"input_dim\": 100000000, \"output_dim\": 64}, " +
            "\"build_config\": {\"input_shape\": [null, 3]}}")]
        public void AConfigWithHugeWeightsFailsBeforeAllocating(string json)
        {
            string config = Write("huge.json", System.Text.Encoding.UTF8.GetBytes(json));

            var outcome = ChildProbe.Run("layer-config", new[] { config }, Timeout, 1L << 30).Single();

            Assert.False(outcome.Loaded, outcome.Detail);
        }

        /// <summary>A compiled two-layer MLP on 4 features, saved; returns its path.</summary>
        private string SaveSmallModel()
        {
            manual_seed(5);
            using var model = new Sequential(new InputLayer(shape: new Shape(4)), new Dense(3, activation: "relu"), new Dense(2));
            model.Compile("adam", "mse");
            model.Fit(randn(16, 4), randn(16, 2), epochs: 1, batchSize: 8, verbose: 0);
            string path = Path.Combine(_directory, "model.zip");
            model.Save(path);
            return path;
        }

        private string Write(string name, byte[] bytes)
        {
            string path = Path.Combine(_directory, name);
            File.WriteAllBytes(path, bytes);
            return path;
        }
    }
}
