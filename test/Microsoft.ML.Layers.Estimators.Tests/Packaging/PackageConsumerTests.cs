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
    /// Packs the three product projects with <c>dotnet pack</c> into a folder feed (in a separate artifacts folder, so the
    /// repository's bin/obj are untouched), then builds and runs a console application outside the repository that
    /// restores <c>Microsoft.ML.Layers.Estimators</c> from that feed (everything else from nuget.org). The version is
    /// unique per run, so the NuGet cache can never serve a stale copy; those two cache entries are deleted afterwards.
    /// </summary>
    public sealed class PackagesFixture : IDisposable
    {
        public const string LayersId = "Microsoft.ML.Layers";
        public const string EstimatorsId = "Microsoft.ML.Layers.Estimators";
        public const string DistributedId = "Microsoft.ML.Layers.Distributed";

        // Main's own statements touch TorchSharp only, and everything else is in another method: the runtime starts this
        // library (its module initializer) only when a method using it is compiled, so on Debian 12 the first statement works
        // only because the package's buildTransitive targets compile a module initializer into the application (issue 15).
        private const string ProgramText = """
            using System.Globalization;
            using System.Reflection;
            using Microsoft.ML;
            using Microsoft.ML.Data;
            using Microsoft.ML.Layers;
            using Microsoft.ML.Layers.Estimators;
            using TorchSharp;

            torch.manual_seed(1);
            var first = torch.randn(32, 16);
            Console.WriteLine($"torch-first: {first.shape[0]}x{first.shape[1]}");
            return Consumer.Run();

            public static class Consumer
            {
                public static int Run()
                {
                    var x = torch.randn(64, 3);
                    var y = x.matmul(torch.ones(3, 1));
                    var keras = new Sequential(new Dense(8, activation: "relu"), new Dense(1));
                    keras.Compile("adam", "mse");
                    keras.Fit(x, y, epochs: 3, batchSize: 16, verbose: 0);
                    string kerasPath = Path.Combine(AppContext.BaseDirectory, "keras-style.zip");
                    keras.Save(kerasPath);
                    using (var kerasLoaded = Model.Load(kerasPath))
                        Console.WriteLine(keras.Predict(x).equal(kerasLoaded.Predict(x)).all().item<bool>() ? "KERAS-RELOADED-IDENTICAL" : "KERAS-RELOADED-DIFFER");

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
                }

                static float Target(float x1, float x2) => 2 * x1 - x2 + 0.5f;

                static string F(float value) => value.ToString("R", CultureInfo.InvariantCulture);
            }

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
                foreach (var project in new[]
                {
                    "Microsoft.ML.Layers/Microsoft.ML.Layers.csproj", "Estimators/Microsoft.ML.Layers.Estimators.csproj",
                    "Microsoft.ML.Layers.Distributed/Microsoft.ML.Layers.Distributed.csproj",
                })
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
                // What the README tells an ML.NET user to add: the estimators package and libtorch-cpu (every OS's natives).
                Application = new ExternalApplication("PackageConsumer", ProgramText,
                    new[]
                    {
                        $"<PackageReference Include=\"{EstimatorsId}\" Version=\"{Version}\" />",
                        $"<PackageReference Include=\"libtorch-cpu\" Version=\"{RepositoryLayout.PinnedVersion("LibTorchVersion")}\" />",
                    },
                    new Dictionary<string, string> { ["nuget.config"] = NuGetConfig(Feed) });
                BuildTime = clock.Elapsed;
                if (Application.Build.ExitCode != 0)
                    return;

                clock.Restart();
                Run = Application.Run(RunEnvironment);
                RunTime = clock.Elapsed;

                // Restores for other systems (each rewrites obj/project.assets.json, read at once), then a self-contained
                // publish for this one, which restores for linux-x64 last.
                foreach (var rid in new[] { "win-x64", "osx-arm64" })
                {
                    var restore = ProcessRunner.Run(ProcessRunner.DotNet, new[] { "restore", "-r", rid, "--nologo", "-v:q" },
                        Application.Directory, timeout: TimeSpan.FromMinutes(8));
                    RestoredNativeAssets[rid] = restore.ExitCode == 0 ? NativeAssets(Application.Directory, rid) : new List<string>();
                    Restores[rid] = restore;
                }
                string published = Path.Combine(Application.Directory, "published");
                Publish = ProcessRunner.Run(ProcessRunner.DotNet,
                    new[] { "publish", "-r", "linux-x64", "--self-contained", "-c", "Release", "-o", published, "--nologo", "-v:q" },
                    Application.Directory, timeout: TimeSpan.FromMinutes(8));
                if (Publish.ExitCode == 0)
                {
                    PublishedRun = ProcessRunner.Run(Path.Combine(published, "PackageConsumer"), Array.Empty<string>(), published,
                        RunEnvironment, timeout: TimeSpan.FromMinutes(5));
                }
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        /// <summary>A fresh native cache and no fix-related variables: the packaged library must do everything itself.</summary>
        private Dictionary<string, string?> RunEnvironment => new()
        {
            [NativeBackend.CacheDirectoryVariable] = NativeCache,
            [NativeBackend.EnableVariable] = null,
            ["LD_BIND_NOW"] = null,
        };

        /// <summary>The native asset paths, by package, that the consumer's assets file selects for <paramref name="rid"/>:
        /// <c>package/version: path</c>.</summary>
        private static List<string> NativeAssets(string projectDirectory, string rid)
        {
            using var assets = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(projectDirectory, "obj", "project.assets.json")));
            var result = new List<string>();
            if (!assets.RootElement.GetProperty("targets").TryGetProperty($"net10.0/{rid}", out var target))
                return result;
            foreach (var library in target.EnumerateObject())
            {
                if (library.Value.TryGetProperty("native", out var native))
                    result.AddRange(native.EnumerateObject().Select(a => $"{library.Name}: {a.Name}"));
            }
            return result;
        }

        /// <summary><c>dotnet restore -r rid</c> of the consumer, for win-x64 and osx-arm64.</summary>
        public Dictionary<string, ProcessResult> Restores { get; } = new();

        /// <summary>The native assets each of those restores selected.</summary>
        public Dictionary<string, List<string>> RestoredNativeAssets { get; } = new();

        /// <summary><c>dotnet publish -r linux-x64 --self-contained</c> of the consumer.</summary>
        public ProcessResult? Publish { get; private set; }

        /// <summary>The published executable's run.</summary>
        public ProcessResult? PublishedRun { get; private set; }

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
            foreach (var directory in new[] { Path.Combine(globalPackages, LayersId.ToLowerInvariant(), Version), Path.Combine(globalPackages, EstimatorsId.ToLowerInvariant(), Version),
                Path.Combine(globalPackages, DistributedId.ToLowerInvariant(), Version), _root })
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
        private static string PinnedVersion(string property) => RepositoryLayout.PinnedVersion(property);

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

        /// <summary>The MPI binding ships no native code (it loads the machine's MPI) and depends on this exact core only.</summary>
        [Fact]
        public void DistributedPackageDependsOnExactlyThisLayersVersionOnly()
        {
            var (_, nuspec, zip) = OpenPackage(PackagesFixture.DistributedId);
            using (zip)
                Assert.Equal(new Dictionary<string, string> { [PackagesFixture.LayersId] = $"[{_packages.Version}]" }, Dependencies(nuspec));
        }

        /// <summary>The natives are the application's choice: no libtorch package, so nothing depends on the packing OS and a
        /// CUDA libtorch replaces the CPU one without ExcludeAssets.</summary>
        [Fact]
        public void LayersPackageDependsOnTorchSharpPureHdfAndTheOnnxObjectModelOnlyAndOnNoLibTorch()
        {
            var (_, nuspec, zip) = OpenPackage(PackagesFixture.LayersId);
            using (zip)
            {
                var expected = new Dictionary<string, string>
                {
                    ["TorchSharp"] = PinnedVersion("TorchSharpVersion"),
                    ["PureHDF"] = "2.2.0",
                    ["OnnxSharp"] = "0.3.2",
                    ["Google.Protobuf"] = "3.36.2",
                };
                Assert.Equal(expected, Dependencies(nuspec));
            }
        }

        [Theory]
        [InlineData(PackagesFixture.LayersId, "T:Microsoft.ML.Layers.Dense")]
        [InlineData(PackagesFixture.EstimatorsId, "T:Microsoft.ML.Layers.Estimators.NeuralNetworkOptions")]
        [InlineData(PackagesFixture.DistributedId, "T:Microsoft.ML.Layers.Distributed.DataParallel")]
        public void PackageHoldsItsAssemblyXmlDocsAndReadmeAndNothingOfThePublicizer(string id, string documentedType)
        {
            var (files, nuspec, zip) = OpenPackage(id);
            using (zip)
            {
                // No publicized ML.NET copies, no Publicizer/Mono.Cecil, no IgnoresAccessChecksTo source: just these.
                var expected = new HashSet<string> { "README.md", "icon.png", $"lib/net10.0/{id}.dll", $"lib/net10.0/{id}.xml" };
                if (id == PackagesFixture.LayersId)
                    expected.UnionWith(new[] { "buildTransitive/Microsoft.ML.Layers.targets", "buildTransitive/MicrosoftMLLayersNativeInitializer.cs" });
                Assert.Equal(expected, files);
                Assert.DoesNotContain(Dependencies(nuspec).Keys, d => d.Contains("Cecil", StringComparison.OrdinalIgnoreCase) || d.Contains("Publicizer", StringComparison.OrdinalIgnoreCase));
                Assert.Equal("README.md", Metadata(nuspec, "readme"));
                Assert.Equal("icon.png", Metadata(nuspec, "icon"));
                Assert.Equal("git", (string?)nuspec.Descendants().Single(e => e.Name.LocalName == "repository").Attribute("type"));
                Assert.Equal("MIT", Metadata(nuspec, "license"));
                Assert.Equal(_packages.Version, Metadata(nuspec, "version"));
                Assert.False(string.IsNullOrWhiteSpace(Metadata(nuspec, "description")));

                // The package's own readme: every link absolute, so that it resolves on a package page.
                string packedReadme;
                using (var readme = new StreamReader(zip.GetEntry("README.md")!.Open()))
                    packedReadme = readme.ReadToEnd();
                Assert.Equal(File.ReadAllText(Path.Combine(RepositoryLayout.Root, "eng", "package", "README.md")), packedReadme);
                var links = System.Text.RegularExpressions.Regex.Matches(packedReadme, @"\]\(([^)]+)\)").Select(m => m.Groups[1].Value).ToList();
                Assert.NotEmpty(links);
                Assert.All(links, link => Assert.StartsWith("https://", link));
                // Symbols beside it, with the portable PDB.
                using var symbols = ZipFile.OpenRead(Path.Combine(_packages.Feed, $"{id}.{_packages.Version}.snupkg"));
                Assert.Contains(symbols.Entries, e => e.FullName == $"lib/net10.0/{id}.pdb");
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
            // Its first statements went to TorchSharp, before any type of this library: the module initializer ran.
            Assert.Contains("torch-first: 32x16", lines);
            Assert.Contains("KERAS-RELOADED-IDENTICAL", lines);
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

        /// <summary><c>dotnet restore -r</c> of the same consumer for Windows and macOS selects that system's libtorch and
        /// TorchSharp natives, and nothing of Linux's.</summary>
        [Theory]
        [InlineData("win-x64", "libtorch-cpu-win-x64/", "torch_cpu.dll", "LibTorchSharp.dll")]
        [InlineData("osx-arm64", "libtorch-cpu-osx-arm64/", "libtorch_cpu.dylib", "libLibTorchSharp.dylib")]
        public void RestoringTheConsumerForAnotherSystemSelectsThatSystemsNatives(string rid, string libTorchPackage, string libTorchFile,
            string torchSharpFile)
        {
            ConsumerRun();
            var restore = _packages.Restores[rid];
            Assert.True(restore.ExitCode == 0, restore.ToString());

            var assets = _packages.RestoredNativeAssets[rid];

            Assert.Contains(assets, a => a.StartsWith(libTorchPackage, StringComparison.Ordinal)
                && a.EndsWith($"runtimes/{rid}/native/{libTorchFile}", StringComparison.Ordinal));
            Assert.Contains(assets, a => a.StartsWith("TorchSharp/", StringComparison.Ordinal)
                && a.EndsWith($"runtimes/{rid}/native/{torchSharpFile}", StringComparison.Ordinal));
            Assert.DoesNotContain(assets, a => a.Contains("linux", StringComparison.OrdinalIgnoreCase)
                || a.EndsWith(".so", StringComparison.Ordinal) || a.Contains(".so.", StringComparison.Ordinal));
        }

        [Fact]
        public void TheSelfContainedLinuxPublishOfTheConsumerRuns()
        {
            ConsumerRun();
            Assert.True(_packages.Publish!.ExitCode == 0, _packages.Publish.ToString());
            Assert.True(_packages.PublishedRun!.ExitCode == 0, _packages.PublishedRun.ToString());

            var lines = _packages.PublishedRun.StandardOutput.Split('\n', StringSplitOptions.TrimEntries);

            Assert.Contains("KERAS-RELOADED-IDENTICAL", lines);
            Assert.Contains("RELOADED-SCORES-IDENTICAL", lines);
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
