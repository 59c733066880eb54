using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;

namespace Microsoft.ML.Layers.Estimators.Tests.Robustness
{
    /// <summary>
    /// A small ML.NET pipeline (min-max normalizer and a network regression), trained and saved with
    /// <c>MLContext.Model.Save</c> in a child process; the saved .zip and the trained model's score digest.
    /// </summary>
    public sealed class SavedPipelineFixture : IDisposable
    {
        public SavedPipelineFixture()
        {
            Directory = System.IO.Directory.CreateTempSubdirectory("mllayers-mlnet-fuzz-").FullName;
            ZipPath = Path.Combine(Directory, "pipeline.zip");
            var trained = EstimatorsChildProbe.Run("train-regression", new[] { ZipPath }, TimeSpan.FromSeconds(120),
                MlNetZipFuzzTests.MemoryLimit).Single();
            Assert.True(trained.Loaded, $"training failed: {trained.Detail}");
            TrainedDigest = trained.Detail;
            Bytes = File.ReadAllBytes(ZipPath);
        }

        /// <summary>A temporary directory for the saved and mutated files.</summary>
        public string Directory { get; }

        /// <summary>The saved pipeline.</summary>
        public string ZipPath { get; }

        /// <summary>Its bytes.</summary>
        public byte[] Bytes { get; }

        /// <summary>"sha256 nan=count" of the trained (not reloaded) model's scores on the probe's fixed input.</summary>
        public string TrainedDigest { get; }

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>
    /// Issue 14, deliverable 8 for the ML.NET .zip: seeded corruptions of a saved pipeline, each loaded with
    /// <c>MLContext.Model.Load</c> and scored in one bounded child process per test. Each must fail with one of the recorded
    /// exception types or score bit-identically to the clean file: never a crash, a hang, a memory blow-up, a different
    /// score or a NaN score. <c>MLLAYERS_FUZZ_LONG=1</c> runs ten times as many mutations.
    /// </summary>
    public sealed class MlNetZipFuzzTests : IClassFixture<SavedPipelineFixture>
    {
        internal const long MemoryLimit = 3L << 30;
        // About 30 s alone; the bound is for hangs, and CI runs the two test assemblies side by side on two cores.
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(Long ? 1800 : 300);
        private static bool Long => Environment.GetEnvironmentVariable("MLLAYERS_FUZZ_LONG") == "1";
        private static int Scaled(int count) => Long ? 10 * count : count;

        private readonly SavedPipelineFixture _saved;

        public MlNetZipFuzzTests(SavedPipelineFixture saved) => _saved = saved;

        [Fact]
        public void TheProbeReportsAChildThatDiesInsteadOfPassingOverIt()
        {
            var error = Assert.ThrowsAny<Exception>(() => EstimatorsChildProbe.Run("abort", new[] { _saved.ZipPath }, Timeout, MemoryLimit));

            Assert.Contains("died on " + _saved.ZipPath, error.Message);
        }

        [Fact]
        public void TheCleanZipScoresInAFreshProcessExactlyAsTheTrainedModel()
        {
            var outcome = EstimatorsChildProbe.Run("score", new[] { _saved.ZipPath }, Timeout, MemoryLimit).Single();

            Assert.True(outcome.Loaded, outcome.Detail);
            Assert.Equal(_saved.TrainedDigest, outcome.Detail);
            Assert.EndsWith(" nan=0", outcome.Detail);
        }

        /// <summary>
        /// Single bit flips anywhere in the .zip: local headers, ML.NET's own entries, the central directory, and the compressed
        /// network entry. Each copy must fail with a type ML.NET's loading was seen to throw (<see cref="RecordedTypes"/>) or
        /// score the same; a flip inside the network entry's compressed bytes must fail with the FormatException naming the
        /// entry (its CRC-32, a deflate error, or the stream's SHA-256), or score the same. Flips inside the data of the
        /// entries ML.NET loads before the network (<see cref="LoadedBeforeTheNetwork"/>) are left to
        /// <see cref="BitFlipsInMlNetsOwnEntriesNeverScoreDifferently"/>: ML.NET's own loaders read them before the network's
        /// loader can verify the zip, and one of them hangs on some (<see cref="MlNetsNormalizerLoaderHangsOnACorruptedEntry"/>).
        /// </summary>
        [Fact]
        public void BitFlipsAnywhereInTheZipFailWithARecordedTypeOrScoreTheSame()
        {
            string network = NetworkEntry(_saved.Bytes);
            var (start, end) = EntryDataRange(_saved.Bytes, network);
            var random = new Random(1401);
            var inEntry = new HashSet<string>();
            var before = ZipBytes.EntryNames(_saved.Bytes).Where(LoadedBeforeTheNetwork).Select(n => EntryDataRange(_saved.Bytes, n)).ToList();
            var files = Enumerable.Range(0, Scaled(300)).Select(i =>
            {
                var copy = (byte[])_saved.Bytes.Clone();
                int bit;
                do
                    bit = random.Next(copy.Length * 8);
                while (before.Any(r => bit / 8 >= r.Start && bit / 8 < r.End));
                copy[bit / 8] ^= (byte)(1 << (bit % 8));
                string file = Write($"zip-flip-{i}-bit-{bit}.zip", copy);
                if (bit / 8 >= start && bit / 8 < end)
                    inEntry.Add(file);
                return file;
            }).ToList();

            var outcomes = EstimatorsChildProbe.Run("score", files, Timeout, MemoryLimit);

            Check(outcomes, o => !inEntry.Contains(o.File) || NamesTheNetworkEntry(o));
            Assert.True(inEntry.Count > files.Count / 10, $"only {inEntry.Count} of {files.Count} flips hit the network entry");
        }

        /// <summary>
        /// Bit flips in the compressed data of ML.NET's own entries (here the min-max normalizer's parameters): neither ML.NET
        /// nor .NET's zip reader checks the entries' CRC-32, so these loaded a different model silently until the network's
        /// loader verified every entry of the zip. Three flips found by the long run (<c>MLLAYERS_FUZZ_LONG=1</c>, seed 1401), at
        /// byte.bit 112.5, 114.6 and 119.4 of the normalizer's <c>Model.key</c> data, which depends only on the training rows.
        /// </summary>
        [Fact]
        public void BitFlipsInMlNetsOwnEntriesNeverScoreDifferently()
        {
            var (start, _) = EntryDataRange(_saved.Bytes, "TransformerChain/Transform_000/Normalizer_000/Model.key");
            var files = new[] { (112, 5), (114, 6), (119, 4) }.Select(f =>
            {
                var copy = (byte[])_saved.Bytes.Clone();
                copy[start + f.Item1] ^= (byte)(1 << f.Item2);
                return Write($"normalizer-flip-{f.Item1}.{f.Item2}.zip", copy);
            }).ToList();

            var outcomes = EstimatorsChildProbe.Run("score", files, Timeout, MemoryLimit);

            Check(outcomes, o => o.ErrorChain.Any(e => e.StartsWith("System.FormatException", StringComparison.Ordinal)
                && e.Contains("Normalizer_000/Model.key' is corrupted", StringComparison.Ordinal)));
            Assert.All(outcomes, o => Assert.False(o.Loaded, $"{o.File} loaded"));
        }

        /// <summary>
        /// The entries ML.NET reads before the network transformer's loader runs (the chain's own key and the normalizer before
        /// the network in this pipeline): the network's loader verifies every entry's CRC-32, but only once it runs.
        /// </summary>
        private static bool LoadedBeforeTheNetwork(string entry)
            => entry == "TransformerChain/Model.key" || entry.StartsWith("TransformerChain/Transform_000/", StringComparison.Ordinal);

        /// <summary>
        /// ML.NET 5.0.1's own loader hangs on a corrupted entry that precedes the network: a flipped bit in the normalizer's
        /// compressed <c>Model.key</c> can inflate to a column type whose slot count exceeds the entry, and
        /// <c>Utils.ReadBinaryDataIntoSpan</c> (called by <c>NormalizingTransformer.ColumnOptions.LoadType</c>) loops forever
        /// on a stream at its end. Found by CI (bit 5896 of the saved pipeline: bit 0 of byte 115 of that entry's data).
        /// Nothing of this library has run yet at that point, so it cannot be caught here; it is documented in docs/mlnet.md.
        /// </summary>
        [Fact(Skip = "ML.NET 5.0.1 bug, not this library's: Utils.ReadBinaryDataIntoSpan loops forever at the end of a corrupted " +
            "NormalizingTransformer entry, which ML.NET loads before the network (docs/mlnet.md)")]
        public void MlNetsNormalizerLoaderHangsOnACorruptedEntry()
        {
            var (start, _) = EntryDataRange(_saved.Bytes, "TransformerChain/Transform_000/Model.key");
            var copy = (byte[])_saved.Bytes.Clone();
            copy[start + 115] ^= 1;

            var outcome = EstimatorsChildProbe.Run("score", new[] { Write("normalizer-hang.zip", copy) }, TimeSpan.FromSeconds(60),
                MemoryLimit).Single();

            Assert.False(outcome.Loaded && outcome.Detail != _saved.TrainedDigest, outcome.Detail);
        }

        /// <summary>
        /// A deflate error in the network entry's compressed bytes (the first block header set to the reserved block type 3)
        /// should fail with the FormatException naming the entry, like every other corruption of it.
        /// </summary>
        [Fact]
        public void ADeflateErrorInTheNetworkEntryIsAFormatExceptionNamingIt()
        {
            var (start, _) = EntryDataRange(_saved.Bytes, NetworkEntry(_saved.Bytes));
            var copy = (byte[])_saved.Bytes.Clone();
            copy[start] = 0xFF;   // BFINAL = 1, BTYPE = 11: a reserved block type, an error for every inflater

            var outcome = EstimatorsChildProbe.Run("score", new[] { Write("deflate-error.zip", copy) }, Timeout, MemoryLimit).Single();

            Assert.False(outcome.Loaded, outcome.Detail);
            Assert.True(NamesTheNetworkEntry(outcome), string.Join(" > ", outcome.ErrorChain));
        }

        /// <summary>
        /// Mutations of the network entry's decompressed bytes, re-zipped with correct CRCs so that only the stream's own
        /// SHA-256 trailer can catch them: bit flips, overwritten runs of bytes, truncations. With the trailer's tag intact,
        /// each must fail with the FormatException reporting the SHA-256 mismatch; a mutation that breaks the tag makes the
        /// stream read as one written before the hash, which must still fail with a FormatException naming the stream or
        /// score the same.
        /// </summary>
        [Fact]
        public void MutationsInsideTheNetworkEntryAreCaughtByItsSha256()
        {
            string entry = NetworkEntry(_saved.Bytes);
            var stream = ZipBytes.ReadEntry(_saved.Bytes, entry);
            int tag = stream.Length - HashTag.Length - 32;
            Assert.True(stream.AsSpan(tag, HashTag.Length).SequenceEqual(HashTag), "the network stream has no SHA-256 trailer");
            var random = new Random(1402);
            var tagIntact = new HashSet<string>();
            var files = new List<string>();
            void Add(string name, byte[] mutated)
            {
                string file = Write(name, ZipBytes.WithEntry(_saved.Bytes, entry, mutated));
                files.Add(file);
                // A run of zeros over zeros changes nothing: such a copy is the clean file, not a mutation the hash must catch.
                if (mutated.Length == stream.Length && mutated.AsSpan(tag, HashTag.Length).SequenceEqual(HashTag)
                    && !mutated.AsSpan().SequenceEqual(stream))
                    tagIntact.Add(file);
            }
            for (int i = 0; i < Scaled(150); i++)
            {
                var mutated = (byte[])stream.Clone();
                long bit = random.NextInt64(stream.Length * 8L);
                mutated[bit / 8] ^= (byte)(1 << (int)(bit % 8));
                Add($"entry-flip-{i}-bit-{bit}.zip", mutated);
            }
            for (int i = 0; i < Scaled(50); i++)
            {
                var mutated = (byte[])stream.Clone();
                int length = random.Next(1, 65);
                int offset = random.Next(stream.Length - length + 1);
                int fill = random.Next(3);   // 0: random bytes, 1: zeros, 2: 0xFF
                for (int j = offset; j < offset + length; j++)
                    mutated[j] = fill == 0 ? (byte)random.Next(256) : fill == 1 ? (byte)0 : (byte)0xFF;
                Add($"entry-run-{i}-at-{offset}-length-{length}-fill-{fill}.zip", mutated);
            }
            for (int i = 0; i < Scaled(20); i++)
            {
                int length = random.Next(stream.Length);
                Add($"entry-truncated-{i}-to-{length}.zip", stream[..length]);
            }

            var outcomes = EstimatorsChildProbe.Run("score", files, Timeout, MemoryLimit);

            Check(outcomes, o => NamesTheNetworkEntry(o)
                && (!tagIntact.Contains(o.File) || o.ErrorChain.Any(e => e.Contains("is corrupted: its SHA-256 is", StringComparison.Ordinal))));
            var loaded = outcomes.Where(o => o.Loaded && tagIntact.Contains(o.File)).Select(o => Path.GetFileName(o.File)).ToList();
            Assert.True(loaded.Count == 0, $"{loaded.Count} mutations with the SHA-256 trailer intact loaded: {string.Join(", ", loaded)}");
        }

        private static readonly byte[] HashTag = "MLLSHA25"u8.ToArray();

        /// <summary>
        /// The exception types <c>MLContext.Model.Load</c> of a corrupted pipeline was seen to throw (seeds 1401 and 1402,
        /// also with <c>MLLAYERS_FUZZ_LONG=1</c>), outermost first down to the transformer's documented FormatException
        /// naming the network entry (whose inner exception, the original failure, may be of any type):
        /// <see cref="System.Reflection.TargetInvocationException"/> and <see cref="InvalidOperationException"/> ("Error during
        /// class instantiation"): ML.NET creates loaders by reflection and wraps what they throw, so a user never sees the
        /// FormatException at the top; the rest come from ML.NET's own entries and .NET's zip reader: <see cref="FormatException"/>
        /// (ML.NET's decode checks), <see cref="InvalidOperationException"/> (its version checks), <see cref="InvalidDataException"/>
        /// (central directory, deflate data), <see cref="FileNotFoundException"/>, <see cref="FileLoadException"/> and
        /// <see cref="System.Globalization.CultureNotFoundException"/> (a flip in the loader assembly name ML.NET records, then
        /// parses and loads), <see cref="ArgumentOutOfRangeException"/> (a flipped vector size in ML.NET's own column types),
        /// <see cref="ArgumentException"/>, and <see cref="EndOfStreamException"/> (ML.NET's reader of the <c>Schema</c> entry).
        /// </summary>
        private static readonly HashSet<string> RecordedTypes = new()
        {
            "System.Reflection.TargetInvocationException",
            "System.InvalidOperationException",
            "System.FormatException",
            "System.IO.InvalidDataException",
            "System.IO.FileNotFoundException",
            "System.IO.FileLoadException",
            "System.Globalization.CultureNotFoundException",
            "System.ArgumentOutOfRangeException",
            "System.ArgumentException",
            "System.IO.EndOfStreamException",
        };

        /// <summary>What ML.NET wraps around the transformer's own exception.</summary>
        private static readonly HashSet<string> WrapperTypes = new()
        {
            "System.Reflection.TargetInvocationException",
            "System.InvalidOperationException",
        };

        /// <summary>The chain's types from the outermost down to the transformer's documented FormatException (all of them when
        /// there is none).</summary>
        private static IEnumerable<string> TypesAboveTheDocumentedError(ProbeOutcome outcome)
        {
            foreach (var e in outcome.ErrorChain)
            {
                if (IsTheDocumentedError(e))
                    yield break;
                yield return e.Split(':')[0];
            }
        }

        private static bool IsTheDocumentedError(string e)
            => e.StartsWith("System.FormatException: ", StringComparison.Ordinal)
                && (e.Contains("NeuralNetwork.bin", StringComparison.Ordinal)
                    || e.Contains("the neural network inside the ML.NET model", StringComparison.Ordinal));

        /// <summary>Whether the chain holds the transformer's FormatException naming the network entry, wrapped only by ML.NET's
        /// reflection and instantiation errors.</summary>
        private static bool NamesTheNetworkEntry(ProbeOutcome outcome)
            => outcome.ErrorChain.Any(IsTheDocumentedError) && TypesAboveTheDocumentedError(outcome).All(WrapperTypes.Contains);

        private static string NetworkEntry(byte[] zip)
            => ZipBytes.EntryNames(zip).Single(n => n.EndsWith("NeuralNetwork.bin", StringComparison.Ordinal));

        /// <summary>Where the compressed bytes of entry <paramref name="name"/> are in <paramref name="zip"/>: [start, end).</summary>
        private static (int Start, int End) EntryDataRange(byte[] zip, string name)
        {
            long compressed;
            using (var archive = new System.IO.Compression.ZipArchive(new MemoryStream(zip)))
                compressed = archive.GetEntry(name)!.CompressedLength;
            var nameBytes = System.Text.Encoding.UTF8.GetBytes(name);
            for (int i = 0; i + 30 <= zip.Length; i++)
            {
                if (zip[i] != 'P' || zip[i + 1] != 'K' || zip[i + 2] != 3 || zip[i + 3] != 4)
                    continue;
                int nameLength = zip[i + 26] | zip[i + 27] << 8;
                int extraLength = zip[i + 28] | zip[i + 29] << 8;
                if (zip.AsSpan(i + 30, nameLength).SequenceEqual(nameBytes))
                {
                    int start = i + 30 + nameLength + extraLength;
                    return (start, start + (int)compressed);
                }
            }
            throw new InvalidOperationException($"no local header for {name}");
        }

        private string Write(string name, byte[] bytes)
        {
            string path = Path.Combine(_saved.Directory, name);
            File.WriteAllBytes(path, bytes);
            return path;
        }

        /// <summary>
        /// Copies the clean pipeline and <paramref name="names"/> (mutated files in the fixture's directory) to a directory that
        /// outlives the test: the network entry records the time it was saved, so a rerun mutates slightly different bytes.
        /// </summary>
        private string KeepForReproduction(IEnumerable<string> names)
        {
            string kept = System.IO.Directory.CreateTempSubdirectory("mllayers-mlnet-fuzz-failures-").FullName;
            File.Copy(_saved.ZipPath, Path.Combine(kept, Path.GetFileName(_saved.ZipPath)));
            foreach (var name in names.Distinct())
                File.Copy(Path.Combine(_saved.Directory, name), Path.Combine(kept, name));
            return kept;
        }

        /// <summary>
        /// Every outcome scored bit-identically to the clean file (so no NaN either), or failed with only
        /// <see cref="RecordedTypes"/> above the documented error in its chain and <paramref name="failedAsExpected"/>; the message lists every
        /// offending file (its name holds the mutation) and the counts.
        /// </summary>
        private void Check(IReadOnlyList<ProbeOutcome> outcomes, Func<ProbeOutcome, bool> failedAsExpected)
        {
            string clean = _saved.TrainedDigest;
            var different = outcomes.Where(o => o.Loaded && o.Detail != clean).Select(o => $"{Path.GetFileName(o.File)} ({o.Detail})")
                .ToList();
            var nan = outcomes.Where(o => o.Loaded && !o.Detail.EndsWith(" nan=0", StringComparison.Ordinal)).ToList();
            var badErrors = outcomes.Where(o => !o.Loaded
                    && (!TypesAboveTheDocumentedError(o).All(RecordedTypes.Contains) || !failedAsExpected(o)))
                .Select(o => $"{Path.GetFileName(o.File)}: {string.Join(" > ", o.ErrorChain)}").ToList();
            var summary = $"{outcomes.Count} files: {outcomes.Count(o => o.Loaded && o.Detail == clean)} scored the same, " +
                $"{different.Count} differently ({nan.Count} with NaN scores), {outcomes.Count(o => !o.Loaded)} failed " +
                $"({badErrors.Count} not as recorded). Failures by type: " + string.Join("; ", outcomes.Where(o => !o.Loaded)
                    .GroupBy(o => string.Join(" > ", o.ErrorChain.Select(e => e.Split(':')[0]))).Select(g => $"{g.Count()} x {g.Key}"));
            if (different.Count + badErrors.Count > 0)
            {
                string kept = KeepForReproduction(different.Concat(badErrors).Select(d => d.Split(' ')[0].TrimEnd(':')));
                Assert.True(different.Count == 0, $"{summary}\nDifferent scores (files kept in {kept}):\n{string.Join("\n", different)}");
                Assert.True(badErrors.Count == 0, $"{summary}\nUnrecorded failures (files kept in {kept}):\n{string.Join("\n", badErrors)}");
            }
        }
    }
}
