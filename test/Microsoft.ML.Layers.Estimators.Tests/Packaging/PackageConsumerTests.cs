using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;
using Microsoft.ML.Layers.Optimizers;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using Xunit.Abstractions;

namespace Microsoft.ML.Layers.Estimators.Tests.Packaging
{
    /// <summary>
    /// Packs the two product projects with <c>dotnet pack</c> into a folder feed (in a separate artifacts folder, so the
    /// repository's bin/obj are untouched), then builds and runs a console application outside the repository that
    /// restores <c>Microsoft.ML.Layers.Estimators</c> from that feed (everything else from nuget.org). The version is
    /// unique per run, so the NuGet cache can never serve a stale copy; those two cache entries are deleted afterwards.
    /// </summary>
    public sealed class PackagesFixture : IDisposable
    {
        public const string LayersId = "Microsoft.ML.Layers";
        public const string EstimatorsId = "Microsoft.ML.Layers.Estimators";

        private const string ProgramText = """
            using System.Globalization;
            using System.Reflection;
            using Microsoft.ML;
            using Microsoft.ML.Data;
            using Microsoft.ML.Layers;
            using Microsoft.ML.Layers.Estimators;

            static float Target(float x1, float x2) => 2 * x1 - x2 + 0.5f;
            static string F(float value) => value.ToString("R", CultureInfo.InvariantCulture);

            var ml = new MLContext(seed: 1);
            var rows = Enumerable.Range(0, 256).Select(i =>
            {
                float x1 = i % 16 / 15f, x2 = i / 16 / 15f;
                return new Row { Features = new[] { x1, x2 }, Label = Target(x1, x2) };
            }).ToArray();
            IDataView data = ml.Data.LoadFromEnumerable(rows);
            var trainer = ml.Regression.Trainers.NeuralNetwork(new Sequential(new Dense(8, activation: "relu"), new Dense(1)),
                new NeuralNetworkOptions { Epochs = 40, LearningRate = 1e-2f });
            ITransformer model = trainer.Fit(data);
            string path = Path.Combine(AppContext.BaseDirectory, "model.zip");
            ml.Model.Save(model, data.Schema, path);

            var fresh = new MLContext();
            ITransformer loaded = fresh.Model.Load(path, out _);
            float[] original = model.Transform(data).GetColumn<float>("Score").ToArray();
            float[] reloaded = loaded.Transform(fresh.Data.LoadFromEnumerable(rows)).GetColumn<float>("Score").ToArray();
            // The PredictionEngine scores one row at a time: it is compared with the original model's engine (the same
            // path) exactly, and with Transform's batched scores only within rounding.
            var originalEngine = ml.Model.CreatePredictionEngine<Row, Prediction>(model);
            var reloadedEngine = fresh.Model.CreatePredictionEngine<Row, Prediction>(loaded);
            float[] originalSingle = rows.Select(r => originalEngine.Predict(r).Score).ToArray();
            float[] reloadedSingle = rows.Select(r => reloadedEngine.Predict(r).Score).ToArray();

            Console.WriteLine("version: " + typeof(NeuralNetworkOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);
            Console.WriteLine("native-fix: " + (NativeBackend.FixedLibraryPath ?? "none"));
            for (int i = 0; i < rows.Length; i++)
                Console.WriteLine($"row: {F(rows[i].Features[0])} {F(rows[i].Features[1])} {F(original[i])} {F(reloaded[i])} {F(originalSingle[i])} {F(reloadedSingle[i])}");
            bool same = original.SequenceEqual(reloaded) && originalSingle.SequenceEqual(reloadedSingle)
                && original.Zip(reloadedSingle).All(p => Math.Abs(p.First - p.Second) <= 1e-5f * Math.Max(1, Math.Abs(p.First)));
            Console.WriteLine(same ? "RELOADED-SCORES-IDENTICAL" : "RELOADED-SCORES-DIFFER");
            return same ? 0 : 3;

            public sealed class Row
            {
                [VectorType(2)] public float[] Features { get; set; } = Array.Empty<float>();
                public float Label { get; set; }
            }

            public sealed class Prediction
            {
                public float Score { get; set; }
            }
            """;

        private readonly string _root = Path.Combine(Path.GetTempPath(), $"mllayers-packages-{Guid.NewGuid():N}");

        public PackagesFixture()
        {
            try
            {
                Directory.CreateDirectory(Feed);
                var clock = Stopwatch.StartNew();
                foreach (var project in new[] { "Microsoft.ML.Layers/Microsoft.ML.Layers.csproj", "Estimators/Microsoft.ML.Layers.Estimators.csproj" })
                {
                    Pack.Add(ProcessRunner.Run(ProcessRunner.DotNet,
                        new[]
                        {
                            "pack", Path.Combine(RepositoryLayout.Root, project), "-c", RepositoryLayout.BuildConfiguration, "-o", Feed,
                            "-p:Version=" + Version, "--artifacts-path", Path.Combine(_root, "artifacts"), "--nologo", "-v:q",
                        },
                        _root, timeout: TimeSpan.FromMinutes(8)));
                }
                PackTime = clock.Elapsed;
                if (Pack.Any(r => r.ExitCode != 0))
                    return;

                clock.Restart();
                Application = new ExternalApplication("PackageConsumer", ProgramText,
                    new[] { $"<PackageReference Include=\"{EstimatorsId}\" Version=\"{Version}\" />" },
                    new Dictionary<string, string> { ["nuget.config"] = NuGetConfig(Feed) });
                BuildTime = clock.Elapsed;
                if (Application.Build.ExitCode != 0)
                    return;

                clock.Restart();
                Run = Application.Run(new Dictionary<string, string?>
                {
                    [NativeBackend.CacheDirectoryVariable] = NativeCache,
                    [NativeBackend.EnableVariable] = null,
                    ["LD_BIND_NOW"] = null,
                });
                RunTime = clock.Elapsed;
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        /// <summary>A version no NuGet cache has seen (a SemVer 2 prerelease).</summary>
        public string Version { get; } = $"0.1.0-test-{Guid.NewGuid():N}";

        public string Feed => Path.Combine(_root, "feed");

        /// <summary>A fresh cache for the native fix, so the packaged library has to write its fixed copy itself.</summary>
        public string NativeCache => Path.Combine(_root, "native-cache");

        public List<ProcessResult> Pack { get; } = new();

        public ExternalApplication? Application { get; }

        public ProcessResult? Run { get; }

        public TimeSpan PackTime { get; }

        public TimeSpan BuildTime { get; }

        public TimeSpan RunTime { get; }

        /// <summary>The local feed first (and only, for this library's ids), nuget.org for everything else; inherited sources cleared.</summary>
        private static string NuGetConfig(string feed) => $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="local">
                  <package pattern="{LayersId}" />
                  <package pattern="{LayersId}.*" />
                </packageSource>
                <packageSource key="nuget.org">
                  <package pattern="*" />
                </packageSource>
              </packageSourceMapping>
            </configuration>
            """;

        public void Dispose()
        {
            Application?.Dispose();
            string globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
                ? configured
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            foreach (var directory in new[] { Path.Combine(globalPackages, LayersId.ToLowerInvariant(), Version), Path.Combine(globalPackages, EstimatorsId.ToLowerInvariant(), Version), _root })
            {
                try
                {
                    if (Directory.Exists(directory))
                        Directory.Delete(directory, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                }
            }
        }
    }

    public sealed class PackageConsumerTests : IClassFixture<PackagesFixture>
    {
        private readonly PackagesFixture _packages;

        public PackageConsumerTests(PackagesFixture packages, ITestOutputHelper output)
        {
            _packages = packages;
            output.WriteLine($"pack {packages.PackTime.TotalSeconds:F1} s, consumer restore+build {packages.BuildTime.TotalSeconds:F1} s, run {packages.RunTime.TotalSeconds:F1} s");
        }

        /// <summary>The package's files (without the OPC bookkeeping) and its .nuspec.</summary>
        private (HashSet<string> Files, XElement Nuspec, ZipArchive Zip) OpenPackage(string id)
        {
            foreach (var pack in _packages.Pack)
                Assert.True(pack.ExitCode == 0, $"dotnet pack failed:\n{pack}");
            var zip = ZipFile.OpenRead(Path.Combine(_packages.Feed, $"{id}.{_packages.Version}.nupkg"));
            var nuspec = XDocument.Load(zip.GetEntry($"{id}.nuspec")!.Open()).Root!;
            var files = zip.Entries.Select(e => e.FullName)
                .Where(n => !n.StartsWith("_rels/", StringComparison.Ordinal) && !n.StartsWith("package/", StringComparison.Ordinal)
                    && n != "[Content_Types].xml" && n != $"{id}.nuspec")
                .ToHashSet();
            return (files, nuspec, zip);
        }

        private static Dictionary<string, string> Dependencies(XElement nuspec)
        {
            var groups = nuspec.Descendants().Where(e => e.Name.LocalName == "group").ToList();
            Assert.Equal(new[] { "net10.0" }, groups.Select(g => (string?)g.Attribute("targetFramework")));
            return groups[0].Elements().ToDictionary(d => (string)d.Attribute("id")!, d => (string)d.Attribute("version")!);
        }

        private static string Metadata(XElement nuspec, string name) => nuspec.Descendants().Single(e => e.Name.LocalName == name).Value;

        /// <summary>A version property of Directory.Packages.props (the central pins).</summary>
        private static string PinnedVersion(string property) =>
            XDocument.Load(Path.Combine(RepositoryLayout.Root, "Directory.Packages.props")).Descendants().Single(e => e.Name.LocalName == property).Value;

        [Fact]
        public void EstimatorsPackageDependsOnExactlyThisLayersVersionAndThePinnedMicrosoftML()
        {
            var (_, nuspec, zip) = OpenPackage(PackagesFixture.EstimatorsId);
            using (zip)
            {
                var expected = new Dictionary<string, string>
                {
                    [PackagesFixture.LayersId] = $"[{_packages.Version}]",
                    ["Microsoft.ML"] = $"[{PinnedVersion("MicrosoftMLVersion")}]",
                };
                Assert.Equal(expected, Dependencies(nuspec));
            }
        }

        [Fact]
        public void LayersPackageDependsOnTorchSharpPureHdfAndTheBuildOperatingSystemsLibTorch()
        {
            var (_, nuspec, zip) = OpenPackage(PackagesFixture.LayersId);
            using (zip)
            {
                string libTorch = OperatingSystem.IsWindows() ? "libtorch-cpu-win-x64" : OperatingSystem.IsMacOS() ? "libtorch-cpu-osx-arm64" : "libtorch-cpu-linux-x64";
                var expected = new Dictionary<string, string>
                {
                    ["TorchSharp"] = PinnedVersion("TorchSharpVersion"),
                    ["PureHDF"] = "2.2.0",
                    [libTorch] = PinnedVersion("LibTorchVersion"),
                };
                Assert.Equal(expected, Dependencies(nuspec));
            }
        }

        [Theory]
        [InlineData(PackagesFixture.LayersId, "T:Microsoft.ML.Layers.Dense")]
        [InlineData(PackagesFixture.EstimatorsId, "T:Microsoft.ML.Layers.Estimators.NeuralNetworkOptions")]
        public void PackageHoldsItsAssemblyXmlDocsAndReadmeAndNothingOfThePublicizer(string id, string documentedType)
        {
            var (files, nuspec, zip) = OpenPackage(id);
            using (zip)
            {
                // No publicized ML.NET copies, no Publicizer/Mono.Cecil, no IgnoresAccessChecksTo source: just these.
                Assert.Equal(new HashSet<string> { "README.md", $"lib/net10.0/{id}.dll", $"lib/net10.0/{id}.xml" }, files);
                Assert.DoesNotContain(Dependencies(nuspec).Keys, d => d.Contains("Cecil", StringComparison.OrdinalIgnoreCase) || d.Contains("Publicizer", StringComparison.OrdinalIgnoreCase));
                Assert.Equal("README.md", Metadata(nuspec, "readme"));
                Assert.Equal("MIT", Metadata(nuspec, "license"));
                Assert.Equal(_packages.Version, Metadata(nuspec, "version"));
                Assert.False(string.IsNullOrWhiteSpace(Metadata(nuspec, "description")));

                using (var readme = new StreamReader(zip.GetEntry("README.md")!.Open()))
                    Assert.Equal(File.ReadAllText(Path.Combine(RepositoryLayout.Root, "README.md")), readme.ReadToEnd());
                var documentation = XDocument.Load(zip.GetEntry($"lib/net10.0/{id}.xml")!.Open());
                Assert.Contains(documentation.Descendants("member"), m => (string?)m.Attribute("name") == documentedType
                    && !string.IsNullOrWhiteSpace(m.Element("summary")?.Value));
            }
        }

        private ProcessResult ConsumerRun()
        {
            foreach (var pack in _packages.Pack)
                Assert.True(pack.ExitCode == 0, $"dotnet pack failed:\n{pack}");
            Assert.NotNull(_packages.Application);
            Assert.True(_packages.Application!.Build.ExitCode == 0, $"The consumer did not restore/build from the feed:\n{_packages.Application.Build}");
            Assert.True(_packages.Run!.ExitCode == 0, _packages.Run.ToString());
            return _packages.Run;
        }

        [Fact]
        public void ConsoleAppRestoringThePackagesTrainsSavesLoadsAndScoresIdentically()
        {
            var run = ConsumerRun();

            var lines = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Contains("RELOADED-SCORES-IDENTICAL", lines);
            // The packed assemblies ran, not a build of the repository.
            Assert.StartsWith($"version: {_packages.Version}", lines.Single(l => l.StartsWith("version:", StringComparison.Ordinal)));

            var rows = lines.Where(l => l.StartsWith("row:", StringComparison.Ordinal))
                .Select(l => l.Split(' ').Skip(1).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
            Assert.Equal(256, rows.Count);
            foreach (var row in rows)
            {
                Assert.Equal(row[2], row[3]);   // Transform: original and reloaded model
                Assert.Equal(row[4], row[5]);   // PredictionEngine: original and reloaded model
            }

            // It learned y = 2 x1 - x2 + 0.5: far better than predicting the mean (about 0.01 against 0.58 here).
            var targets = rows.Select(r => 2 * r[0] - r[1] + 0.5f).ToArray();
            double mean = targets.Average();
            double error = rows.Zip(targets, (r, t) => Math.Abs(r[2] - t)).Average();
            double baseline = targets.Average(t => Math.Abs(t - mean));
            Assert.True(error < 0.25 * baseline, $"mean absolute error {error} against {baseline} for the mean");
        }

        [Fact]
        public void DebianNativeFixWorksThroughThePackageAsThroughProjectReferences()
        {
            var run = ConsumerRun();

            string reported = run.StandardOutput.Split('\n').Single(l => l.StartsWith("native-fix:", StringComparison.Ordinal)).Substring("native-fix:".Length).Trim();
            // This process (project references) needed the fix or not; the same machine's package consumer must agree,
            // and write its fixed copy into the fresh cache it was given.
            if (NativeBackend.FixedLibraryPath is null)
                Assert.Equal("none", reported);
            else
                Assert.StartsWith(_packages.NativeCache + Path.DirectorySeparatorChar, reported);
        }
    }
}
