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
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
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
