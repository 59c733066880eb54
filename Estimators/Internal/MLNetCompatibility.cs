using System;
using System.Linq;
using System.Reflection;

namespace Microsoft.ML.Layers.Estimators
{
    /// <summary>
    /// This assembly compiles against publicized copies of ML.NET's internals (eng/Publicize.targets), so it is
    /// correct only with the exact ML.NET build it was compiled against. This check turns a silent mismatch
    /// (a MissingMethodException deep inside training, or a wrong binary layout) into one clear error.
    /// </summary>
    internal static class MLNetCompatibility
    {
        /// <summary>The ML.NET assemblies whose internals this assembly uses.</summary>
        internal static readonly Type[] InternalsUsedFrom =
        {
            typeof(Microsoft.ML.Runtime.IHostEnvironment),      // Microsoft.ML.Core
            typeof(Microsoft.ML.Data.TextLoader),               // Microsoft.ML.Data
            typeof(Microsoft.ML.Trainers.SdcaRegressionTrainer),// Microsoft.ML.StandardTrainers
            typeof(Microsoft.ML.Transforms.OneHotEncodingEstimator), // Microsoft.ML.Transforms
        };

        /// <summary>The Microsoft.ML package version this assembly was compiled against (from Directory.Packages.props).</summary>
        internal static string PinnedVersion { get; } =
            typeof(MLNetCompatibility).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "PinnedMicrosoftMLVersion").Value!;

        /// <summary>The package version of a loaded ML.NET assembly: its informational version without the commit suffix.</summary>
        internal static string PackageVersionOf(Assembly assembly)
        {
            string? informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            if (informational is null)
                return "(unknown)";
            int plus = informational.IndexOf('+');
            return plus < 0 ? informational : informational.Substring(0, plus);
        }

        /// <summary>Throws when a loaded ML.NET assembly is not the pinned version.</summary>
        /// <exception cref="InvalidOperationException">The versions differ; the message names both and the fix.</exception>
        internal static void EnsureCompatible()
        {
            foreach (var assembly in InternalsUsedFrom.Select(t => t.Assembly))
            {
                string loaded = PackageVersionOf(assembly);
                if (loaded != PinnedVersion)
                {
                    throw new InvalidOperationException(
                        $"Microsoft.ML.Layers.Estimators was built against the internals of Microsoft.ML {PinnedVersion}, but " +
                        $"{assembly.GetName().Name} {loaded} is loaded (from '{assembly.Location}'). Reference Microsoft.ML version " +
                        $"[{PinnedVersion}] exactly, e.g. <PackageReference Include=\"Microsoft.ML\" Version=\"[{PinnedVersion}]\" />.");
                }
            }
        }
    }
}
