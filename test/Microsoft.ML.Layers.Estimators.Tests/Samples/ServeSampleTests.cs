using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.ML.Layers.TestFramework;
using Xunit;

namespace Microsoft.ML.Layers.Estimators.Tests.Samples
{
    /// <summary>
    /// The samples app's <c>serve</c> sub-command as a child process with a time limit: it trains the taxi pipeline in quick
    /// mode, hosts it on loopback (a PredictionEngine pool route and an ONNX Runtime route) and sends a bounded burst of
    /// requests to each route, comparing every answer with offline scoring of the same rows. Then a second run serves the
    /// saved .zip (<c>--model</c>) the same way.
    /// </summary>
    [Collection(SerialTrainingCollection.Name)]
    public sealed class ServeSampleTests
    {
        private static readonly string[] Routes = { "/predict/mlnet", "/predict/onnx" };

        private static string SamplesAssembly => Path.Combine(RepositoryLayout.Root, "Samples", "Microsoft.ML.Layers.Samples", "bin",
            RepositoryLayout.BuildConfiguration, "net10.0", "Microsoft.ML.Layers.Samples.dll");

        private static ProcessResult RunServe(string output, params string[] arguments)
            => ProcessRunner.Run(ProcessRunner.DotNet,
                new[] { SamplesAssembly, "serve" }.Concat(arguments).Concat(new[] { "--output", output }),
                RepositoryLayout.Root, timeout: TimeSpan.FromMinutes(8));

        [Fact]
        public void ABurstOfRequestsOnBothRoutesAnswersAsOfflineScoringAndReportsLatencies()
        {
            string output = Directory.CreateTempSubdirectory("mllayers-sample-serve-").FullName;
            try
            {
                var trained = RunServe(output, "--quick", "--requests", "2000", "--concurrency", "8");

                Assert.True(trained.ExitCode == 0, trained.ToString());
                Assert.Matches(@"(?m)^Serving on http://127\.0\.0\.1:[1-9][0-9]*: ", trained.StandardOutput);
                AssertEveryAnswerMatched(trained, 2000);
                string model = Path.Combine(output, "serve.zip");
                Assert.True(File.Exists(model), trained.ToString());
                Assert.True(File.Exists(Path.Combine(output, "serve.onnx")), trained.ToString());

                // The saved pipeline served again: loaded, not trained.
                var loaded = RunServe(output, "--quick", "--model", model, "--requests", "200");

                Assert.True(loaded.ExitCode == 0, loaded.ToString());
                Assert.Contains($"Loaded the pipeline from {model}", loaded.StandardOutput);
                Assert.DoesNotContain("Training ", loaded.StandardOutput);
                AssertEveryAnswerMatched(loaded, 200);
            }
            finally
            {
                Directory.Delete(output, recursive: true);
            }
        }

        /// <summary>Each route printed <c>N/N answers matched</c> with positive p50 and p99 latencies, p50 at most p99.</summary>
        private static void AssertEveryAnswerMatched(ProcessResult result, int requests)
        {
            foreach (var route in Routes)
            {
                var line = Regex.Match(result.StandardOutput,
                    $@"(?m)^route {Regex.Escape(route)}: (\d+)/(\d+) answers matched offline scoring" +
                    @" \(largest difference [^)]*\); latency p50 ([0-9.]+) ms, p99 ([0-9.]+) ms");
                Assert.True(line.Success, $"No result line for {route}.\n{result}");
                Assert.Equal(requests, int.Parse(line.Groups[2].Value, CultureInfo.InvariantCulture));
                Assert.Equal(requests, int.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture));
                double p50 = double.Parse(line.Groups[3].Value, CultureInfo.InvariantCulture);
                double p99 = double.Parse(line.Groups[4].Value, CultureInfo.InvariantCulture);
                Assert.True(p50 > 0 && p99 >= p50, $"{route}: p50 {p50} ms, p99 {p99} ms.\n{result}");
            }
        }
    }
}
