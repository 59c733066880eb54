using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Microsoft.ML.Layers.TestFramework
{
    /// <summary>
    /// What a test that needs folders of <c>../shared</c> does when one is missing: on a developer's machine it is skipped,
    /// saying which folder is missing; under <c>CI=true</c> it fails, so that a CI run cannot report "skipped" for "proved".
    /// The attributes <see cref="SharedDataFactAttribute"/>, <see cref="KerasReferenceFactAttribute"/> and
    /// <see cref="KerasReferenceTheoryAttribute"/> apply this; no test checks the folders itself.
    /// </summary>
    public static class SharedFolderRequirement
    {
        /// <summary>The environment variable CI services set; its value <c>true</c> turns missing-folder skips into failures.</summary>
        public const string CIVariable = "CI";

        /// <summary>Whether this run is a CI run (<c>CI=true</c>, in any letter case).</summary>
        public static bool IsCI => string.Equals(Environment.GetEnvironmentVariable(CIVariable), "true", StringComparison.OrdinalIgnoreCase);

        /// <summary>The missing folders among <paramref name="required"/>, described one per entry (empty when all are there).</summary>
        public static IReadOnlyList<string> Missing(SharedFolders required)
        {
            var missing = new List<string>();
            if (required.HasFlag(SharedFolders.Data) && !RepositoryLayout.HasSharedData)
                missing.Add(Describe("data", RepositoryLayout.SharedDataDirectory));
            if (required.HasFlag(SharedFolders.KerasReference) && !RepositoryLayout.HasKerasReference)
                missing.Add(Describe("keras-reference", RepositoryLayout.KerasReferenceDirectory));
            return missing;
        }

        /// <summary>The skip reason for a local run with a folder missing; null when nothing is missing or under CI.</summary>
        public static string? SkipReason(SharedFolders required)
        {
            var missing = Missing(required);
            return missing.Count == 0 || IsCI ? null
                : $"{string.Join("; ", missing)}: skipped because CI is not 'true' (under CI=true this test fails).";
        }

        /// <summary>The failure message for a CI run with a folder missing; null when nothing is missing or not under CI.</summary>
        public static string? FailureReason(SharedFolders required)
        {
            var missing = Missing(required);
            return missing.Count == 0 || !IsCI ? null : $"{string.Join("; ", missing)} (CI=true requires it).";
        }

        private static string Describe(string name, string path)
            => $"../shared/{name} is missing ('{Path.GetFullPath(path)}' does not exist;"
                + $" {RepositoryLayout.SharedDirectoryVariable} moves ../shared)";
    }
}
