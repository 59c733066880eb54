using System;
using System.IO.Compression;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.ML.Data;

namespace Microsoft.ML.Layers.Estimators.Internal
{
    /// <summary>
    /// Verifies the CRC-32 and size of every entry of the ML.NET model zip that holds a network, once per load. Neither ML.NET
    /// nor .NET's zip reader checks them, so without this a flipped bit in another transformer's entry (a normalizer's
    /// scales, a key mapping) silently loads a different pipeline; the network's own stream also carries a SHA-256.
    /// </summary>
    internal static class RepositoryIntegrity
    {
        // The repositories already verified: a pipeline with several networks reads its entries once.
        private static readonly ConditionalWeakTable<RepositoryReader, object> Verified = new();

        // RepositoryReader keeps its ZipArchive private; ML.NET is pinned to one build (MLNetCompatibility checks it).
        private static readonly FieldInfo ArchiveField = typeof(RepositoryReader).GetField("_archive",
            BindingFlags.NonPublic | BindingFlags.Instance) ?? throw new InvalidOperationException(
                "This ML.NET build's RepositoryReader has no '_archive' field: Microsoft.ML.Layers.Estimators supports the ML.NET " +
                "version it was built against only.");

        /// <summary>Reads every entry of <paramref name="repository"/> through the verifying stream; returns how many it read (0
        /// when the repository was verified before).</summary>
        /// <exception cref="FormatException">An entry is corrupted (its CRC-32 or size differs from the zip's record), or is
        /// larger than <see cref="ModelLoadOptions.MaxWeightsEntryBytes"/>; the message names the entry.</exception>
        public static int Verify(RepositoryReader repository)
        {
            if (Verified.TryGetValue(repository, out _))
                return 0;
            var options = LoadScope.Resolve(null);
            var archive = (ZipArchive)ArchiveField.GetValue(repository)!;
            foreach (var entry in archive.Entries)
            {
                using var stream = VerifiedEntryStream.Open(entry, "the ML.NET model", options.MaxWeightsEntryBytes,
                    nameof(ModelLoadOptions.MaxWeightsEntryBytes));
                stream.Complete();
            }
            Verified.AddOrUpdate(repository, new object());
            return archive.Entries.Count;
        }
    }
}
