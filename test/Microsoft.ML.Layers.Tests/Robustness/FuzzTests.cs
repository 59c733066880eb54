using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Import;
using Microsoft.ML.Layers.TestFramework;
using PureHDF;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Robustness
{
    /// <summary>
    /// Seeded fuzz passes over each file format the library reads, every mutated copy loaded in one child process per test
    /// (<see cref="ChildProbe"/>, time and resident-memory bounds): each copy fails with the loader's documented exception or
    /// loads the very same model (bit-identical predictions); never a crash, a hang or a runaway allocation. A few hundred
    /// mutations per format; <c>MLLAYERS_FUZZ_LONG=1</c> runs ten times as many (<see cref="FuzzSettings"/>). A failure
    /// lists the copies, by seed index and mutation, that broke the rule.
    /// </summary>
    public sealed class FuzzTests : IDisposable
    {
        private const long MemoryLimit = 3L << 29;   // 1.5 GiB
        private static readonly TimeSpan Timeout = FuzzSettings.Timeout(TimeSpan.FromMinutes(4));

        private readonly string _directory = Directory.CreateTempSubdirectory("mllayers-fuzz-").FullName;
        private readonly ITestOutputHelper _output;

        public FuzzTests(ITestOutputHelper output) => _output = output;

        public void Dispose() => Directory.Delete(_directory, recursive: true);

        /// <summary>
        /// A real legacy Keras 2.3.1 file (Dense 16 -> 32 and ReLU). Legacy HDF5 carries no checksum, so a flip inside the raw
        /// weight values, their data layouts or the <c>model_config</c> text can load a different model by design; such copies
        /// are counted, not failed. Every other copy: <see cref="KerasImportException"/> or the same predictions.
        /// </summary>
        /// <remarks>
        /// Under <c>MLLAYERS_FUZZ_LONG=1</c> this fails at copy 2716 (the child passes 1.5 GiB resident after gigabytes of
        /// allocations by earlier copies): the finding of <see cref="CorruptedKerasFilesFoundByTheFuzzPassesDoNotAllocateGigabytes"/>.
        /// </remarks>
        [KerasReferenceFact]
        public void SeededMutationsOfALegacyH5FailWithAnImportErrorOrLoadTheSameModel()
        {
            string original = Path.Combine(RepositoryLayout.KerasReferenceDirectory, "examples", "activations", "ReLU_0_model.h5");
            byte[] bytes = File.ReadAllBytes(original);
            var unprotected = UnprotectedRegions(original, bytes);
            var random = new Random(1401);
            var (files, byFile) = Mutations.Write(Mutations.Mixed(bytes, random, FuzzSettings.Count(300)), _directory, "h5", ".h5");

            var outcomes = Probe("keras-predict", files.Prepend(original).ToList(),
                f => $"seed 1401, {byFile.GetValueOrDefault(f)?.Description ?? "unchanged"}", "2", "16");

            Check(outcomes, byFile, typeof(KerasImportException).FullName!,
                m => !m.IsTruncation && unprotected.Any(r => m.Touches(r.Start, r.End)));
        }

        /// <summary>
        /// A Keras 3 <c>.keras</c> archive (written here as Keras writes it: a zip with CRC-32s, the weights stored
        /// uncompressed): every copy fails with <see cref="KerasImportException"/> or loads the same model.
        /// </summary>
        /// <remarks>
        /// FINDING (issue 14, fails until fixed): <c>KerasModel.LoadKeras3Archive</c> reads <c>config.json</c>,
        /// <c>metadata.json</c> and <c>model.weights.h5</c> with plain <c>ZipArchiveEntry.Open()</c>, so the zip's CRC-32 is never
        /// checked: with seed 1402, flips of bytes 804, 922 and 1191 (inside the stored weights) load a different model. The fix:
        /// read the entries through <c>VerifiedEntryStream.ReadAll/Open</c> as <c>Model.Load</c> does (it also bounds the
        /// entry's size, see <see cref="BoundedLoadTests"/>).
        /// </remarks>
        [Fact]
        public void SeededMutationsOfAKerasArchiveFailWithAnImportErrorOrLoadTheSameModel()
        {
            string original = Path.Combine(_directory, "model.keras");
            File.WriteAllBytes(original, RobustnessFixtures.Keras3Archive());
            var random = new Random(1402);
            var (files, byFile) = Mutations.Write(
                Mutations.Mixed(File.ReadAllBytes(original), random, FuzzSettings.Count(300)), _directory, "keras", ".keras");

            var outcomes = Probe("keras-predict", files.Prepend(original).ToList(),
                f => $"seed 1402, {byFile.GetValueOrDefault(f)?.Description ?? "unchanged"}", "2", "3");

            Check(outcomes, byFile, typeof(KerasImportException).FullName!, _ => false);
        }

        /// <summary>
        /// Copies the fuzz passes above turned up whose import allocates gigabytes of managed memory from a 13.5 KB (.h5) or a
        /// few-KB (.keras) file before failing with the documented error: the mutations are regenerated from their seeds (the
        /// CI passes: seed 1401 copy 127, seed 1402 copy 250; the long .h5 pass: seed 1401 copies 1345, 2493 and 2716 of 3000).
        /// Each must fail or load having allocated at most 64 MB (the clean files allocate under 1 MB).
        /// </summary>
        /// <remarks>
        /// FINDING (issue 14, "memory is not bounded by the file's size"): all five fail with the documented
        /// <see cref="KerasImportException"/>, but only after allocating 0.9 to 4.3 GB. Inner exceptions: PureHDF's
        /// <c>H5StreamDriver.ReadBytes</c> (attribute and object-header messages decoded with corrupted sizes, for example
        /// <c>'/@model_config' cannot be read (EndOfStreamException)</c> after 1.7 GB for h5 copy 127, an overwrite of 36 bytes at
        /// 2926; 3.6 GB for long copy 2493, 26 bytes at 12456; <c>'vars/0' cannot be read (OverflowException)</c> after 4.3 GB
        /// for .keras copy 250, bit 4 of byte 1149).
        /// The resident set stays small in a fresh process because the big arrays are never touched, but in a long-running
        /// one the garbage collector's budget grows and the long .h5 pass passes 1.5 GiB resident at copy 2716. No tiny fix:
        /// the reader would have to check every size PureHDF decodes against the file's length (or read through a stream
        /// that refuses reads past it), and PureHDF decodes object headers internally. Mitigated, not fixed: a failed import
        /// that allocated over 256 MiB runs a full compacting collection (KerasModel.WithFile); docs/keras-import.md says so.
        /// </remarks>
        [KerasReferenceFact(Skip = "Known limit (docs/keras-import.md): PureHDF 2.2 sizes buffers from corrupted HDF5 headers " +
            "and allocates up to 4.3 GB before the import fails; the failed import collects them at once")]
        public void CorruptedKerasFilesFoundByTheFuzzPassesDoNotAllocateGigabytes()
        {
            const long limit = 64L << 20;
            byte[] h5 = File.ReadAllBytes(Path.Combine(RepositoryLayout.KerasReferenceDirectory, "examples", "activations",
                "ReLU_0_model.h5"));
            var ci = Mutations.Mixed(h5, new Random(1401), 300).ToList();
            var longRun = Mutations.Mixed(h5, new Random(1401), 3000).ToList();
            var keras = Mutations.Mixed(RobustnessFixtures.Keras3Archive(), new Random(1402), 300).ToList();
            // The importer finds the format in the bytes; the probe's input shape fits the .h5 (a .keras copy that loads cannot
            // predict on it, which the probe reports as loaded).
            var (files, byFile) = Mutations.Write(new[] { ci[127], longRun[1345], longRun[2493], longRun[2716], keras[250] },
                _directory, "found", ".bin");

            var outcomes = Probe("keras-predict", files, f => byFile[f].Description, "2", "16");

            var failures = outcomes
                .Where(o => o.AllocatedBytes > limit || (!o.Loaded && o.ErrorType != typeof(KerasImportException).FullName))
                .Select(o => $"{Path.GetFileName(o.File)} ({byFile[o.File].Description}): allocated {o.AllocatedBytes:N0} bytes; " +
                    o.Detail).ToList();
            Assert.True(failures.Count == 0, string.Join("\n", failures));
        }

        /// <summary>
        /// A standalone safetensors file (<see cref="Model.SaveWeights"/>, with the SHA-256 of its tensors in its metadata)
        /// loaded with <see cref="Model.LoadWeights"/> into a fresh model of the same architecture: every copy fails with
        /// <see cref="FormatException"/> or gives the same predictions.
        /// </summary>
        [Fact]
        public void SeededMutationsOfAWeightsFileFailWithAFormatErrorOrLoadTheSameWeights()
        {
            string original = Path.Combine(_directory, "weights.safetensors");
            using (var model = RobustnessFixtures.SmallMlp(seed: 5))
                model.SaveWeights(original);
            var random = new Random(1403);
            var (files, byFile) = Mutations.Write(
                Mutations.Mixed(File.ReadAllBytes(original), random, FuzzSettings.Count(300)), _directory, "weights", ".safetensors");

            var outcomes = Probe("weights", files.Prepend(original).ToList(),
                f => $"seed 1403, {byFile.GetValueOrDefault(f)?.Description ?? "unchanged"}");

            // The clean file must change the fresh model's predictions, or "the same predictions" would prove nothing.
            using (var fresh = RobustnessFixtures.SmallMlp(seed: 99))
                Assert.NotEqual(ChildProbe.Digest(fresh.Predict(ones(2, 4))), outcomes[0].Detail);
            Check(outcomes, byFile, typeof(FormatException).FullName!, _ => false);
        }

        /// <summary>
        /// Structure-aware: values of a saved model's <c>config.json</c> replaced (numbers by 0, -1, 1e12, 2147483647, ...;
        /// strings by a million characters or unknown names; keys deleted; values nested thousands deep), re-zipped with
        /// correct CRCs so that the content checks must catch them. Each copy loads (a changed config may be another valid
        /// model) or fails with <see cref="FormatException"/>; never a crash, a hang or more than 1.5 GiB.
        /// </summary>
        [Fact]
        public void StructureAwareConfigMutationsLoadOrFailWithAFormatError()
        {
            byte[] zip;
            using (var model = RobustnessFixtures.SmallMlp(seed: 5))
                zip = RobustnessFixtures.Saved(model);
            string config = Encoding.UTF8.GetString(ZipBytes.ReadEntry(zip, Model.ConfigEntry));
            var random = new Random(1404);
            var descriptions = new Dictionary<string, string>();
            var files = new List<string>();
            for (int i = 0; i < FuzzSettings.Count(300); i++)
            {
                var (description, mutated) = ConfigMutations.Mutate(config, random);
                string file = Path.Combine(_directory, $"config-{i:D4}.zip");
                File.WriteAllBytes(file, ZipBytes.WithEntry(zip, Model.ConfigEntry, Encoding.UTF8.GetBytes(mutated)));
                files.Add(file);
                descriptions[file] = description;
            }

            var outcomes = Probe("model-load", files, f => $"seed 1404, {descriptions[f]}", "4");

            var failures = outcomes.Where(o => !o.Loaded && o.ErrorType != typeof(FormatException).FullName)
                .Select(o => $"{Path.GetFileName(o.File)} ({descriptions[o.File]}): {o.Detail}").ToList();
            var most = outcomes.OrderByDescending(o => o.AllocatedBytes).First();
            _output.WriteLine($"{outcomes.Count(o => o.Loaded)} of {outcomes.Count} mutated configs loaded; " +
                $"{outcomes.Count(o => !o.Loaded)} failed with FormatException; the most managed bytes a load allocated: " +
                $"{most.AllocatedBytes:N0} ({Path.GetFileName(most.File)}: {descriptions[most.File]})");
            Assert.True(failures.Count == 0, $"seed 1404: {failures.Count} of {outcomes.Count} mutated configs failed with an " +
                $"undocumented exception:\n{string.Join("\n", failures.Take(20))}");
        }

        /// <summary>
        /// Runs the probe over the files in one child within <see cref="Timeout"/> and <see cref="MemoryLimit"/>; when the child
        /// crashes, hangs or passes the memory bound, the failure names the mutation of the file it was reading.
        /// </summary>
        private static IReadOnlyList<ProbeOutcome> Probe(string kind, List<string> files, Func<string, string> describe,
            params string[] options)
        {
            try
            {
                return ChildProbe.Run(kind, files, Timeout, MemoryLimit, options);
            }
            catch (ProbeFailedException e) when (e.File is not null && files.Contains(e.File))
            {
                throw new ProbeFailedException($"{Path.GetFileName(e.File)} ({describe(e.File)}) was not refused cleanly:\n{e.Message}",
                    e.File);
            }
        }

        /// <summary>
        /// Checks the outcomes of a byte-level fuzz run whose first file is the clean original: each copy threw
        /// <paramref name="documented"/> or gave the clean predictions, except copies <paramref name="mayDiffer"/> allows to load
        /// differently (a format without a checksum over those bytes).
        /// </summary>
        private void Check(IReadOnlyList<ProbeOutcome> outcomes, Dictionary<string, Mutation> byFile, string documented,
            Func<Mutation, bool> mayDiffer)
        {
            var clean = outcomes[0];
            Assert.True(clean.Loaded && !clean.Detail.StartsWith("predict failed", StringComparison.Ordinal),
                $"the clean file did not load: {clean.Detail}");
            var failures = new List<string>();
            int same = 0, typed = 0, allowed = 0;
            foreach (var outcome in outcomes.Skip(1))
            {
                var mutation = byFile[outcome.File];
                string what = $"{Path.GetFileName(outcome.File)} ({mutation.Description})";
                if (outcome.Loaded && outcome.Detail == clean.Detail)
                    same++;
                else if (!outcome.Loaded && outcome.ErrorType == documented)
                    typed++;
                else if (outcome.Loaded && mayDiffer(mutation))
                    allowed++;
                else
                    failures.Add(outcome.Loaded ? $"{what}: loaded a different model ({outcome.Detail})" : $"{what}: {outcome.Detail}");
            }
            var most = outcomes.Skip(1).OrderByDescending(o => o.AllocatedBytes).First();
            _output.WriteLine($"{same} loaded the same model, {typed} failed with {documented}, {allowed} changed unprotected " +
                $"bytes and loaded differently, {failures.Count} broke the rule; the clean file allocated {clean.AllocatedBytes:N0} " +
                $"managed bytes, the most any copy did was {most.AllocatedBytes:N0} ({Path.GetFileName(most.File)})");
            Assert.True(failures.Count == 0, $"{failures.Count} of {outcomes.Count - 1} mutations broke the rule (typed error or the " +
                $"same model):\n{string.Join("\n", failures.Take(25))}");
        }

        /// <summary>
        /// The byte ranges of a legacy Keras file no checksum protects and that change the model when changed: each dataset's
        /// layout message (version 1 object headers carry no checksum) with the data it points to or holds, and the
        /// <c>model_config</c> JSON text.
        /// </summary>
        private static List<(long Start, long End)> UnprotectedRegions(string path, byte[] bytes)
        {
            var regions = new List<(long, long)>();
            // Layout message (type 8) version 3: class 1 (contiguous) has an 8-byte address and an 8-byte size; class 0
            // (compact) a 2-byte size and the data itself.
            for (int at = bytes.AsSpan().IndexOf("\b\0"u8); at >= 0 && at + 12 < bytes.Length;
                at = bytes.AsSpan(at + 1).IndexOf("\b\0"u8) is int next and >= 0 ? at + 1 + next : -1)
            {
                int size = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at + 2));
                if (bytes[at + 8] != 3 || at + 8 + size > bytes.Length)
                    continue;
                if (bytes[at + 9] == 1 && size == 24)
                {
                    long address = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at + 10));
                    long length = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at + 18));
                    regions.Add((at + 10, at + 26));
                    if (address >= 0 && length >= 0 && address + length <= bytes.Length)
                        regions.Add((address, address + length));
                }
                else if (bytes[at + 9] == 0)
                    regions.Add((at + 10, at + 8 + size));
            }
            Assert.True(regions.Count >= 4, $"found only {regions.Count / 2} dataset layouts in {path}");
            using var file = H5File.OpenRead(path);
            var config = Encoding.UTF8.GetBytes(file.Attribute("model_config").Read<string>());
            int start = bytes.AsSpan().IndexOf(config);
            Assert.True(start >= 0, $"the model_config text was not found in {path}");
            regions.Add((start, start + config.Length));
            return regions;
        }
    }
}
