using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.ML.Layers.TestFramework;
using Xunit;

namespace Microsoft.ML.Layers.Tests.Native
{
    /// <summary>
    /// A console application created outside the repository, referencing the library and nothing else, the way a
    /// user's application would. Built once for the class; each test runs it with a fresh native cache.
    /// </summary>
    public sealed class ConsumerApplicationFixture : IDisposable
    {
        private const string ProgramText = """
            using System;
            using TorchSharp;
            using static TorchSharp.torch;

            // Touching the library first is all an application does; no call to NativeBackend.
            Console.WriteLine($"library: {typeof(Microsoft.ML.Layers.NativeBackend).Assembly.GetName().Name}");
            using var a = tensor(new float[] { 1, 2, 3, 4 }, 2, 2);
            using var b = tensor(new float[] { 5, 6, 7, 8 }, 2, 2);
            using var product = a.matmul(b);
            Console.WriteLine("product: " + string.Join(",", product.data<float>().ToArray()));
            """;

        public ConsumerApplicationFixture() => Application = new ExternalApplication("Consumer", "Microsoft.ML.Layers/Microsoft.ML.Layers.csproj", ProgramText);

        public ExternalApplication Application { get; }

        public ProcessResult Run(IReadOnlyDictionary<string, string?> environment) => Application.Run(environment);

        public void Dispose() => Application.Dispose();
    }

    public sealed class ConsumerApplicationTests : IClassFixture<ConsumerApplicationFixture>
    {
        private readonly ConsumerApplicationFixture _app;

        public ConsumerApplicationTests(ConsumerApplicationFixture app) => _app = app;

        private static Dictionary<string, string?> FreshCache(params (string Key, string? Value)[] extra)
        {
            var environment = new Dictionary<string, string?>
            {
                [NativeBackend.CacheDirectoryVariable] = Path.Combine(Path.GetTempPath(), "mllayers-native-" + Guid.NewGuid().ToString("N")),
                ["LD_BIND_NOW"] = null,
                [NativeBackend.EnableVariable] = null,
            };
            foreach (var (key, value) in extra)
                environment[key] = value;
            return environment;
        }

        [Fact]
        public void ApplicationOutsideTheRepositoryComputesWithNoSetupStep()
        {
            var result = _app.Run(FreshCache());

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("product: 19,22,43,50", result.StandardOutput);
        }

        [Fact]
        public void ApplicationComputesUnderEagerBinding()
        {
            var result = _app.Run(FreshCache(("LD_BIND_NOW", "1")));

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("product: 19,22,43,50", result.StandardOutput);
        }

        [Fact]
        public void WithoutTheFixTorchSharpDoesNotLoadWhereTheSystemLibStdCxxIsTooOld()
        {
            if (NativeBackend.FixedLibraryPath is null)
                return; // Nothing to prove on a machine whose libstdc++ already has every version.

            var result = _app.Run(FreshCache((NativeBackend.EnableVariable, "0")));

            // The fix is what makes the difference on this machine: without it the same application fails.
            Assert.NotEqual(0, result.ExitCode);
            Assert.DoesNotContain("product: 19,22,43,50", result.StandardOutput);
        }
    }
}
