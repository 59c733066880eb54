using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Reads and writes the safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
    /// mapping each name to its dtype, shape and byte range, then the raw little-endian data. Readable by other tools.
    /// Reading treats the file as untrusted: every length, offset and shape is checked before any tensor is made.
    /// </summary>
    internal static class SafeTensors
    {
                private static readonly Dictionary<ScalarType, string> Codes = new()
        {
            [ScalarType.Float64] = "F64", [ScalarType.Float32] = "F32", [ScalarType.Float16] = "F16", [ScalarType.BFloat16] = "BF16",
            [ScalarType.Int64] = "I64", [ScalarType.Int32] = "I32", [ScalarType.Int16] = "I16", [ScalarType.Int8] = "I8",
            [ScalarType.Byte] = "U8", [ScalarType.Bool] = "BOOL",
        };

        private static readonly Dictionary<string, ScalarType> Types = Codes.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

        /// <summary>The <c>__metadata__</c> key under which <see cref="Write"/> records the SHA-256 of the tensors.</summary>
        public const string HashKey = "sha256";

        /// <summary>
        /// Writes named tensors, in the given order, with optional string metadata, and records in the metadata the SHA-256 of
        /// the tensor table and data (<see cref="HashKey"/>), which <see cref="Read"/> verifies.
        /// </summary>
        public static void Write(Stream stream, IReadOnlyList<KeyValuePair<string, Tensor>> tensors,
            IReadOnlyDictionary<string, string>? metadata = null)
        {
            ArgumentNullException.ThrowIfNull(stream);
            ArgumentNullException.ThrowIfNull(tensors);
            var names = new HashSet<string>(StringComparer.Ordinal);
            long offset = 0;
            var contiguous = new List<Tensor>();
            var table = new List<Entry>();
            using var scope = NewDisposeScope();
            foreach (var (name, tensor) in tensors)
            {
                if (!names.Add(name))
                    throw new ArgumentException($"Two tensors are named '{name}'.", nameof(tensors));
                if (!Codes.TryGetValue(tensor.dtype, out var code))
                    throw new ArgumentException($"Tensor '{name}' has dtype {tensor.dtype}, which safetensors cannot store.",
                        nameof(tensors));
                var data = tensor.detach().cpu().contiguous();
                long length = data.numel() * data.ElementSize;
                table.Add(new Entry(name, tensor.dtype, data.shape, offset, offset + length));
                offset += length;
                contiguous.Add(data);
            }
            using var hash = HashOfTable(table);
            foreach (var data in contiguous)
            {
                if (data.numel() > 0)
                    hash.AppendData(data.bytes);
            }
            var meta = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal)
            {
                [HashKey] = Convert.ToHexStringLower(hash.GetHashAndReset()),
            };
            var header = new JsonObject
            {
                ["__metadata__"] = new JsonObject(meta.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
            };
            foreach (var entry in table)
            {
                header[entry.Name] = new JsonObject
                {
                    ["dtype"] = Codes[entry.Type],
                    ["shape"] = new JsonArray(entry.Shape.Select(d => (JsonNode)JsonValue.Create(d)).ToArray()),
                    ["data_offsets"] = new JsonArray(entry.Begin, entry.End),
                };
            }
            byte[] headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
            // The data must start on an 8-byte boundary: pad the header with spaces, as the reference implementation does.
            int padding = (8 - headerBytes.Length % 8) % 8;
            Span<byte> length8 = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length8, (ulong)(headerBytes.Length + padding));
            stream.Write(length8);
            stream.Write(headerBytes);
            for (int i = 0; i < padding; i++)
                stream.WriteByte((byte)' ');
            foreach (var data in contiguous)
            {
                if (data.numel() > 0)
                    stream.Write(data.bytes);
            }
        }

        /// <summary>
        /// Reads every tensor (in file order) and the metadata from <paramref name="stream"/>, which holds
        /// <paramref name="length"/> bytes. Sizes are checked against <paramref name="options"/> before anything is allocated,
        /// the data is read straight into the tensors, and the SHA-256 recorded by <see cref="Write"/> is verified when present.
        /// On any error no tensor is left behind.
        /// </summary>
        /// <param name="stream">The data, positioned at the file's start.</param>
        /// <param name="description">The file (and entry), as errors name it.</param>
        /// <param name="length">The bytes <paramref name="stream"/> holds.</param>
        /// <param name="options">The limits.</param>
        /// <param name="beforeAllocating">Called with the checked table of tensors before any of them is allocated: the place
        /// to refuse names or shapes the caller does not expect, so that a file cannot make it allocate what it will not use.
        /// </param>
        /// <exception cref="FormatException">The file is truncated, malformed, over a limit or does not match its hash; the
        /// message says what is wrong.</exception>
        public static (IReadOnlyList<KeyValuePair<string, Tensor>> Tensors,
            IReadOnlyDictionary<string, string> Metadata) Read(Stream stream, string description, long length, ModelLoadOptions options,
            Action<TensorTable>? beforeAllocating = null)
        {
            ArgumentNullException.ThrowIfNull(stream);
            ArgumentNullException.ThrowIfNull(options);
            if (length < 8)
                throw new FormatException($"'{description}' is not a safetensors file: it is {length} bytes long, shorter than its " +
                    $"8-byte header length.");
            Span<byte> length8 = stackalloc byte[8];
            ReadExactly(stream, length8, description);
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(length8);
            if (headerLength > (ulong)(length - 8))
                throw new FormatException($"'{description}' is truncated or corrupted: its header claims {headerLength} bytes, but the " +
                    $"file has {length - 8} after the length.");
            if (headerLength > (ulong)Math.Min(options.MaxJsonEntryBytes, Array.MaxLength))
                throw new FormatException($"'{description}': the safetensors header claims {headerLength} bytes, more than the limit " +
                    $"of {options.MaxJsonEntryBytes} (ModelLoadOptions.MaxJsonEntryBytes).");
            var headerBytes = new byte[headerLength];
            ReadExactly(stream, headerBytes, description);
            JsonObject header = JsonLimits.Parse(headerBytes, $"'{description}' (safetensors header)", options) as JsonObject
                ?? throw new FormatException($"'{description}': the safetensors header is not a JSON object.");
            long dataLength = length - 8 - (long)headerLength;
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<Entry>();
            foreach (var (name, node) in header)
            {
                if (name == "__metadata__")
                {
                    if (node is JsonObject meta)
                    {
                        foreach (var (key, value) in meta)
                            metadata[key] = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? "";
                    }
                    continue;
                }
                if (name.Length > options.MaxNameLength)
                    throw new FormatException($"'{description}': a tensor name is {name.Length} characters long, more than the limit of " +
                        $"{options.MaxNameLength} (ModelLoadOptions.MaxNameLength).");
                entries.Add(ParseEntry(name, node, description, dataLength));
            }
            var ordered = entries.OrderBy(e => e.Begin).ToList();
            for (int i = 1; i < ordered.Count; i++)
            {
                if (ordered[i].Begin < ordered[i - 1].End)
                    throw new FormatException($"'{description}': tensors '{ordered[i - 1].Name}' and '{ordered[i].Name}' overlap.");
            }
            long total = entries.Sum(e => e.End - e.Begin);
            if (total > options.MaxTotalWeightBytes)
                throw new FormatException($"'{description}' holds {total} bytes of tensors, more than the limit of " +
                    $"{options.MaxTotalWeightBytes} (ModelLoadOptions.MaxTotalWeightBytes); raise the limit to load it.");
            beforeAllocating?.Invoke(new TensorTable(entries.Select(e => new StoredTensor(e.Name, e.Type, e.Shape)).ToList(), total));

            using var hash = metadata.ContainsKey(HashKey) ? HashOfTable(entries) : null;
            var result = new List<KeyValuePair<string, Tensor>>();
            try
            {
                long position = 0;
                foreach (var entry in ordered)
                {
                    Skip(stream, entry.Begin - position, hash, description);
                    var tensor = empty(entry.Shape, dtype: entry.Type);
                    result.Add(KeyValuePair.Create(entry.Name, tensor));
                    Fill(stream, tensor, entry.End - entry.Begin, hash, description);
                    position = entry.End;
                }
                Skip(stream, dataLength - position, hash, description);
                if (hash is not null)
                {
                    string actual = Convert.ToHexStringLower(hash.GetHashAndReset());
                    if (!string.Equals(actual, metadata[HashKey], StringComparison.OrdinalIgnoreCase))
                        throw new FormatException($"'{description}' is corrupted: the SHA-256 of its tensors is {actual}, its metadata " +
                            $"records {metadata[HashKey]}.");
                }
                return (result, metadata);
            }
            catch
            {
                foreach (var (_, tensor) in result)
                    tensor.Dispose();
                throw;
            }
        }

        /// <summary>Reads a whole safetensors file (checked against <paramref name="options"/>; see <see cref="Read"/>).</summary>
        public static (IReadOnlyList<KeyValuePair<string, Tensor>> Tensors,
            IReadOnlyDictionary<string, string> Metadata) ReadFile(string path, ModelLoadOptions options,
            Action<TensorTable>? beforeAllocating = null)
        {
            using var stream = File.OpenRead(path);
            if (stream.Length > options.MaxWeightsEntryBytes)
                throw new FormatException($"'{path}' is {stream.Length} bytes long, more than the limit of {options.MaxWeightsEntryBytes} " +
                    $"(ModelLoadOptions.MaxWeightsEntryBytes); raise the limit to load it.");
            return Read(stream, path, stream.Length, options, beforeAllocating);
        }

        /// <summary>A tensor a file declares: its name, dtype and shape.</summary>
        public sealed record StoredTensor(string Name, ScalarType Type, long[] Shape);

        /// <summary>The tensors a file declares, and the bytes of data they take.</summary>
        public sealed record TensorTable(IReadOnlyList<StoredTensor> Tensors, long DataBytes);

        /// <summary>The bytes a tensor is read in at a time (a view's span must fit an <see cref="int"/>).</summary>
        internal static long ChunkBytes { get; set; } = 1L << 30;

        private static void Fill(Stream stream, Tensor tensor, long bytes, IncrementalHash? hash, string description)
        {
            if (bytes == 0)
                return;
            if (bytes <= ChunkBytes)
            {
                var span = tensor.bytes;
                ReadExactly(stream, span, description);
                hash?.AppendData(span);
                return;
            }
            using var flat = tensor.view(-1);
            long count = flat.numel();
            long perChunk = Math.Max(1, ChunkBytes / tensor.ElementSize);
            for (long start = 0; start < count; start += perChunk)
            {
                using var part = flat.narrow(0, start, Math.Min(perChunk, count - start));
                var span = part.bytes;
                ReadExactly(stream, span, description);
                hash?.AppendData(span);
            }
        }

        private static void Skip(Stream stream, long bytes, IncrementalHash? hash, string description)
        {
            var buffer = new byte[(int)Math.Min(Math.Max(bytes, 0), 81920)];
            while (bytes > 0)
            {
                var span = buffer.AsSpan(0, (int)Math.Min(bytes, buffer.Length));
                ReadExactly(stream, span, description);
                hash?.AppendData(span);
                bytes -= span.Length;
            }
        }

        private static void ReadExactly(Stream stream, Span<byte> buffer, string description)
        {
            try
            {
                stream.ReadExactly(buffer);
            }
            catch (EndOfStreamException e)
            {
                throw new FormatException($"'{description}' is truncated: it ends before the bytes its header declares.", e);
            }
        }

        /// <summary>The hash of the tensor table (names, dtypes, shapes and ranges, by name), before the data is appended.</summary>
        private static IncrementalHash HashOfTable(IEnumerable<Entry> entries)
        {
            var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            foreach (var e in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
                hash.AppendData(Encoding.UTF8.GetBytes($"{e.Name}\0{Codes[e.Type]}\0{string.Join(",", e.Shape)}\0{e.Begin}\0{e.End}\n"));
            return hash;
        }

        private sealed record Entry(string Name, ScalarType Type, long[] Shape, long Begin, long End);

        private static Entry ParseEntry(string name, JsonNode? node, string description, long dataLength)
        {
            string where = $"'{description}', tensor '{name}'";
            if (node is not JsonObject info || info["dtype"] is not JsonValue dtypeNode || !dtypeNode.TryGetValue<string>(out var code)
                || info["shape"] is not JsonArray shapeNode || info["data_offsets"] is not JsonArray offsets || offsets.Count != 2)
            {
                throw new FormatException($"{where}: expected {{\"dtype\", \"shape\", \"data_offsets\": [begin, end]}}.");
            }
            if (!Types.TryGetValue(code, out var type))
                throw new FormatException($"{where}: unsupported dtype '{code}'.");
            long[] shape;
            long begin, end;
            try
            {
                shape = shapeNode.Select(d => d!.GetValue<long>()).ToArray();
                begin = offsets[0]!.GetValue<long>();
                end = offsets[1]!.GetValue<long>();
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException)
            {
                throw new FormatException($"{where}: shape and offsets must be integers.", e);
            }
            if (shape.Any(d => d < 0))
                throw new FormatException($"{where}: negative dimension in shape [{string.Join(", ", shape)}].");
            if (begin < 0 || end < begin || end > dataLength)
                throw new FormatException($"{where}: byte range [{begin}, {end}) lies outside the {dataLength} data bytes (the file is " +
                    $"truncated or corrupted).");
            long elementSize = type switch
            {
                ScalarType.Float64 or ScalarType.Int64 => 8,
                ScalarType.Float32 or ScalarType.Int32 => 4,
                ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
                _ => 1,
            };
            long elements = shape.Contains(0) ? 0 : 1;
            foreach (var d in elements == 0 ? Array.Empty<long>() : shape)
            {
                if (d != 0 && elements > (end - begin) / d)
                    throw new FormatException($"{where}: shape [{string.Join(", ", shape)}] needs more bytes than its range holds " +
                        $"({end - begin}).");
                elements *= d;
            }
            if (elements * elementSize != end - begin)
                throw new FormatException($"{where}: shape [{string.Join(", ", shape)}] of {code} needs {elements * elementSize} bytes, " +
                    $"but its range holds {end - begin}.");
            return new Entry(name, type, shape, begin, end);
        }
    }
}
