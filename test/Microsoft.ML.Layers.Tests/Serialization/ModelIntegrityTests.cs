using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Optimizers;
using Microsoft.ML.Layers.Losses;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Serialization
{
    /// <summary>
    /// Issue 14, integrity: a corrupted model file fails with a <see cref="FormatException"/> or loads the very same model,
    /// never a different one. The zip's CRC-32 is checked on every entry read, the metadata records the SHA-256 of the weights
    /// and optimizer state, and standalone safetensors files carry the SHA-256 of their tensors.
    /// </summary>
    public sealed class ModelIntegrityTests : IDisposable
    {
        private readonly string _directory = Path.Combine(Path.GetTempPath(), "mllayers-integrity-" + Guid.NewGuid().ToString("N"));

        public ModelIntegrityTests() => Directory.CreateDirectory(_directory);

        public void Dispose() => Directory.Delete(_directory, recursive: true);

        [Fact]
        public void Crc32MatchesTheStandardCheckValue()
        {
            // The check value of CRC-32/ISO-HDLC (zip): CRC of "123456789".
            Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
            var data = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
            var incremental = new Crc32();
            incremental.Append(data.AsSpan(0, 3));
            incremental.Append(data.AsSpan(3));
            Assert.Equal(Crc32.Compute(data), incremental.Value);
            // What the zip writer records for the same bytes.
            using var stream = new MemoryStream();
            using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
            {
                using var entry = zip.CreateEntry("x").Open();
                entry.Write(data);
            }
            stream.Position = 0;
            using var read = new ZipArchive(stream, ZipArchiveMode.Read);
            Assert.Equal(read.GetEntry("x")!.Crc32, Crc32.Compute(data));
        }

        [Fact]
        public void EveryBitFlipInTheWeightsEntryFailsOrLoadsTheSameModel()
        {
            var (bytes, x, expected) = SmallModel(compile: false);
            var (start, length) = EntryData(bytes, Model.WeightsEntry);
            int failed = 0;
            for (long bit = 0; bit < length * 8; bit++)
            {
                if (!LoadsSameOrFails(Flip(bytes, start * 8 + bit), x, expected))
                    continue;
                failed++;
            }
            // The compressed weights hold the model: nearly every flip must be caught (the rest decode to the same bytes).
            Assert.True(failed > length * 8 * 9 / 10, $"only {failed} of {length * 8} flips failed to load");
        }

        [Fact]
        public void SeededBitFlipsAnywhereInACompiledModelFailOrLoadTheSameModel()
        {
            var (bytes, x, expected) = SmallModel(compile: true);
            var random = new Random(14);
            for (int i = 0; i < 200; i++)
                LoadsSameOrFails(Flip(bytes, random.NextInt64(bytes.Length * 8L)), x, expected);
        }

        [Fact]
        public void WeightsThatPassTheCrcButNotTheRecordedHashAreRefused()
        {
            // Another model's weights, stored with a correct CRC (rewritten through ZipArchive): only the SHA-256 in
            // metadata.json can tell.
            var (bytes, _, _) = SmallModel(compile: false);
            manual_seed(99);
            var other = new Sequential(new InputLayer(shape: new Shape(3)), new Dense(4, activation: "tanh"), new Dense(2));
            using var otherStream = new MemoryStream();
            other.Save(otherStream);
            var tampered = ZipBytes.WithEntry(bytes, Model.WeightsEntry, ZipBytes.ReadEntry(otherStream.ToArray(), Model.WeightsEntry));

            var error = Assert.Throws<FormatException>(() => Model.Load(new MemoryStream(tampered), "tampered.zip"));

            Assert.Contains("'tampered.zip', entry 'model.weights.safetensors'", error.Message);
            Assert.Contains("SHA-256", error.Message);
        }

        [Fact]
        public void TheMetadataRecordsTheHashesOfTheWeightsAndOptimizerEntries()
        {
            var (bytes, _, _) = SmallModel(compile: true);
            var metadata = JsonNode.Parse(ZipBytes.ReadEntry(bytes, Model.MetadataEntry))!.AsObject();

            Assert.Equal(Sha256(ZipBytes.ReadEntry(bytes, Model.WeightsEntry)), (string)metadata[Model.WeightsHashKey]!);
            Assert.Equal(Sha256(ZipBytes.ReadEntry(bytes, Model.OptimizerEntry)), (string)metadata[Model.OptimizerHashKey]!);
            Assert.Equal("Microsoft.ML.Layers", (string)metadata["library"]!);
        }

        [Fact]
        public void AModelFileWithoutHashesStillLoads()
        {
            // Files written before the hashes: the metadata has no hash keys; only the CRC is checked.
            var (bytes, x, expected) = SmallModel(compile: true);
            var metadata = JsonNode.Parse(ZipBytes.ReadEntry(bytes, Model.MetadataEntry))!.AsObject();
            metadata.Remove(Model.WeightsHashKey);
            metadata.Remove(Model.OptimizerHashKey);
            var old = ZipBytes.WithEntry(bytes, Model.MetadataEntry, Encoding.UTF8.GetBytes(metadata.ToJsonString()));

            using var model = Model.Load(new MemoryStream(old), "old.zip");

            Assert.Equal(expected, Floats(model.Predict(x)));
        }

        [Fact]
        public void ABadCrcIsReportedWithTheEntryName()
        {
            var (bytes, _, _) = SmallModel(compile: false);
            var (start, _) = EntryData(bytes, Model.ConfigEntry);
            var corrupted = (byte[])bytes.Clone();
            // The recorded CRC (central directory) no longer matches the data.
            int central = CentralEntry(bytes, Model.ConfigEntry);
            corrupted[central + 16] ^= 0x01;

            var error = Assert.Throws<FormatException>(() => Model.Load(new MemoryStream(corrupted), "bad.zip"));

            Assert.Contains("'bad.zip', entry 'config.json'", error.Message);
            Assert.Contains("CRC-32", error.Message);
            Assert.True(start > 0);
        }

        [Fact]
        public void SaveWeightsRecordsTheHashAndLoadWeightsVerifiesIt()
        {
            manual_seed(3);
            var model = new Sequential(new InputLayer(shape: new Shape(3)), new Dense(4), new Dense(2));
            string path = Path.Combine(_directory, "w.safetensors");
            model.SaveWeights(path);
            var bytes = File.ReadAllBytes(path);
            var header = SafeTensorsHeader(bytes);
            Assert.Equal(64, ((string)header["__metadata__"]![SafeTensors.HashKey]!).Length);

            // A flipped bit in the data: the weights still parse, only the hash can tell.
            var flipped = (byte[])bytes.Clone();
            flipped[^3] ^= 0x10;
            File.WriteAllBytes(path, flipped);
            var error = Assert.Throws<FormatException>(() => model.LoadWeights(path));
            Assert.Contains(path, error.Message);
            Assert.Contains("SHA-256", error.Message);

            // The same flip in a file without the hash (written before it, or by another tool) loads: nothing to check.
            header["__metadata__"]!.AsObject().Remove(SafeTensors.HashKey);
            File.WriteAllBytes(path, WithHeader(flipped, header));
            model.LoadWeights(path);
        }

        [Fact]
        public void SafeTensorsDataIsReadInChunksForLargeTensors()
        {
            manual_seed(5);
            using var tensor = randn(1000, 3);
            using var stream = new MemoryStream();
            SafeTensors.Write(stream, new[] { System.Collections.Generic.KeyValuePair.Create("t", tensor) });
            long chunk = SafeTensors.ChunkBytes;
            try
            {
                SafeTensors.ChunkBytes = 1000;
                stream.Position = 0;
                var (tensors, _) = SafeTensors.Read(stream, "chunks", stream.Length, new ModelLoadOptions());
                Assert.True(tensor.equal(tensors[0].Value).all().item<bool>());
                tensors[0].Value.Dispose();
            }
            finally
            {
                SafeTensors.ChunkBytes = chunk;
            }
        }

        // -----------------------------------------------------------------------------------------------------------------

        /// <summary>True when the load failed (with a FormatException); false when it loaded the same model.</summary>
        private static bool LoadsSameOrFails(byte[] bytes, Tensor x, float[] expected)
        {
            Model model;
            try
            {
                model = Model.Load(new MemoryStream(bytes), "flipped.zip");
            }
            catch (FormatException)
            {
                return true;
            }
            using (model)
                Assert.Equal(expected, Floats(model.Predict(x)));
            return false;
        }

        private static (byte[] Bytes, Tensor X, float[] Expected) SmallModel(bool compile)
        {
            manual_seed(1);
            var model = new Sequential(new InputLayer(shape: new Shape(3)), new Dense(4, activation: "tanh"), new Dense(2));
            var x = randn(5, 3);
            if (compile)
            {
                model.Compile(new Adam(0.01), new MeanSquaredErrorLoss());
                model.Fit(x, randn(5, 2), epochs: 1, verbose: 0);
            }
            using var stream = new MemoryStream();
            model.Save(stream);
            return (stream.ToArray(), x, Floats(model.Predict(x)));
        }

        private static float[] Floats(Tensor t) => t.data<float>().ToArray();

        private static byte[] Flip(byte[] bytes, long bit)
        {
            var copy = (byte[])bytes.Clone();
            copy[bit / 8] ^= (byte)(1 << (int)(bit % 8));
            return copy;
        }

        private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));

        /// <summary>The offset of an entry's record in the zip's central directory.</summary>
        internal static int CentralEntry(byte[] zip, string name)
        {
            int eocd = zip.Length - 22;
            while (BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(eocd)) != 0x06054b50)
                eocd--;
            int count = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(eocd + 10));
            int at = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(eocd + 16));
            for (int i = 0; i < count; i++)
            {
                int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(at + 28));
                int extra = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(at + 30));
                int comment = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(at + 32));
                if (Encoding.UTF8.GetString(zip, at + 46, nameLength) == name)
                    return at;
                at += 46 + nameLength + extra + comment;
            }
            throw new InvalidOperationException($"No entry '{name}'.");
        }

        /// <summary>Where an entry's compressed data starts in the zip, and its compressed length.</summary>
        internal static (int Start, int Length) EntryData(byte[] zip, string name)
        {
            int central = CentralEntry(zip, name);
            int compressed = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(central + 20));
            int local = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(central + 42));
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(local + 26));
            int extra = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(local + 28));
            return (local + 30 + nameLength + extra, compressed);
        }

        private static JsonObject SafeTensorsHeader(byte[] file)
        {
            int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
            return JsonNode.Parse(file.AsSpan(8, length))!.AsObject();
        }

        private static byte[] WithHeader(byte[] file, JsonObject header)
        {
            int oldLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
            var text = Encoding.UTF8.GetBytes(header.ToJsonString());
            int padded = (text.Length + 7) / 8 * 8;
            var result = new byte[8 + padded + file.Length - 8 - oldLength];
            BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)padded);
            result.AsSpan(8, padded).Fill((byte)' ');
            text.CopyTo(result, 8);
            file.AsSpan(8 + oldLength).CopyTo(result.AsSpan(8 + padded));
            return result;
        }
    }
}
