using System;
using System.IO;
using System.Linq;
using System.Reflection;

namespace Microsoft.ML.Layers.TestFramework
{
    /// <summary>Where the repository, the shared folder beside it and the build outputs are.</summary>
    public static class RepositoryLayout
    {
        private static string Metadata(string key) =>
            typeof(RepositoryLayout).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

        /// <summary>The configuration the tests were built in (Debug or Release).</summary>
        public static string BuildConfiguration => Metadata("BuildConfiguration");

        /// <summary>A version property of Directory.Packages.props (the central pins), e.g. <c>LibTorchVersion</c>.</summary>
        public static string PinnedVersion(string property)
            => System.Xml.Linq.XDocument.Load(Path.Combine(Root, "Directory.Packages.props")).Descendants()
                .Single(e => e.Name.LocalName == property).Value;

        /// <summary>
        /// The CPU libtorch package of this machine's OS, as an application outside the repository references it (the product
        /// packages bring no natives; see docs/packages.md).
        /// </summary>
        public static string LibTorchPackageReference
            => $"<PackageReference Include=\"{(OperatingSystem.IsWindows() ? "libtorch-cpu-win-x64" : OperatingSystem.IsMacOS()
                ? "libtorch-cpu-osx-arm64" : "libtorch-cpu-linux-x64")}\" Version=\"{PinnedVersion("LibTorchVersion")}\" />";

        /// <summary>The repository root (the folder holding MLLayers.sln).</summary>
        public static string Root { get; } = FindRoot();

        /// <summary>The environment variable that, when set, points <see cref="SharedDirectory"/> elsewhere than <c>../shared</c>.</summary>
        public const string SharedDirectoryVariable = "MLLAYERS_SHARED_DIR";

        /// <summary>
        /// <c>../shared</c> beside the repository: data, Keras reference files, docs; or the folder named by
        /// <see cref="SharedDirectoryVariable"/> when that is set (to try a run without the shared folder, for instance).
        /// </summary>
        public static string SharedDirectory => Path.GetFullPath(
            Environment.GetEnvironmentVariable(SharedDirectoryVariable) is { Length: > 0 } moved ? moved : Path.Combine(Root, "..", "shared"));

        /// <summary><c>../shared/data</c>: the public data sets tests read when present.</summary>
        public static string SharedDataDirectory => Path.Combine(SharedDirectory, "data");

        /// <summary>Whether <see cref="SharedDataDirectory"/> exists on this machine.</summary>
        public static bool HasSharedData => Directory.Exists(SharedDataDirectory);

        /// <summary><c>../shared/keras-reference</c>: real Keras model files with Keras's own predictions (the import oracle).</summary>
        public static string KerasReferenceDirectory => Path.Combine(SharedDirectory, "keras-reference");

        /// <summary>Whether <see cref="KerasReferenceDirectory"/> exists on this machine.</summary>
        public static bool HasKerasReference => Directory.Exists(KerasReferenceDirectory);

        private static string FindRoot()
        {
            string recorded = Metadata("RepositoryRoot");
            if (File.Exists(Path.Combine(recorded, "MLLayers.sln")))
                return Path.GetFullPath(recorded);
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "MLLayers.sln")))
                    return directory.FullName;
            }
            throw new InvalidOperationException($"MLLayers.sln not found at '{recorded}' nor above '{AppContext.BaseDirectory}'.");
        }
    }
}
