using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
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
        private const long MaxHeaderBytes = 100L * 1024 * 1024;

        private static readonly Dictionary<ScalarType, string> Codes = new()
        {
            [ScalarType.Float64] = "F64", [ScalarType.Float32] = "F32", [ScalarType.Float16] = "F16", [ScalarType.BFloat16] = "BF16",
            [ScalarType.Int64] = "I64", [ScalarType.Int32] = "I32", [ScalarType.Int16] = "I16", [ScalarType.Int8] = "I8",
            [ScalarType.Byte] = "U8", [ScalarType.Bool] = "BOOL",
        };

        private static readonly Dictionary<string, ScalarType> Types = Codes.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

        /// <summary>Writes named tensors, in the given order, with optional string metadata.</summary>
        public static void Write(Stream stream, IReadOnlyList<KeyValuePair<string, Tensor>> tensors,
            IReadOnlyDictionary<string, string>? metadata = null)
        {
            ArgumentNullException.ThrowIfNull(stream);
            ArgumentNullException.ThrowIfNull(tensors);
            var header = new JsonObject();
            if (metadata is not null && metadata.Count > 0)
                header["__metadata__"] = new JsonObject(metadata.Select(p => KeyValuePair.Create(p.Key,
                    (JsonNode?)JsonValue.Create(p.Value))));
            long offset = 0;
            var contiguous = new List<Tensor>();
            using var scope = NewDisposeScope();
            foreach (var (name, tensor) in tensors)
            {
                if (header.ContainsKey(name))
                    throw new ArgumentException($"Two tensors are named '{name}'.", nameof(tensors));
                if (!Codes.TryGetValue(tensor.dtype, out var code))
                    throw new ArgumentException($"Tensor '{name}' has dtype {tensor.dtype}, which safetensors cannot store.",
                        nameof(tensors));
                var data = tensor.detach().cpu().contiguous();
                long length = data.numel() * data.ElementSize;
                header[name] = new JsonObject
                {
                    ["dtype"] = code,
                    ["shape"] = new JsonArray(data.shape.Select(d => (JsonNode)JsonValue.Create(d)).ToArray()),
                    ["data_offsets"] = new JsonArray(offset, offset + length),
                };
                offset += length;
                contiguous.Add(data);
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

        /// <summary>Reads every tensor (in file order) and the metadata.</summary>
        /// <exception cref="FormatException">The file is truncated or malformed; the message says what is wrong.</exception>
        public static (IReadOnlyList<KeyValuePair<string, Tensor>> Tensors,
            IReadOnlyDictionary<string, string> Metadata) Read(Stream stream, string description)
        {
            ArgumentNullException.ThrowIfNull(stream);
            var bytes = ReadAll(stream);
            if (bytes.Length < 8)
                throw new FormatException($"'{description}' is not a safetensors file: it is {bytes.Length} bytes long, shorter than its " +
                    $"8-byte header length.");
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            if (headerLength > (ulong)MaxHeaderBytes || headerLength > (ulong)(bytes.Length - 8))
                throw new FormatException($"'{description}' is truncated or corrupted: its header claims {headerLength} bytes, but the " +
                    $"file has {bytes.Length - 8} after the length.");
            JsonObject header;
            try
            {
                header = JsonNode.Parse(bytes.AsSpan(8, (int)headerLength)) as JsonObject
                    ?? throw new FormatException($"'{description}': the safetensors header is not a JSON object.");
            }
            catch (JsonException e)
            {
                throw new FormatException($"'{description}': the safetensors header is not valid JSON ({e.Message}).", e);
            }
            long dataStart = 8 + (long)headerLength;
            long dataLength = bytes.Length - dataStart;
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<(string Name, ScalarType Type, long[] Shape, long Begin, long End)>();
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
                entries.Add(ParseEntry(name, node, description, dataLength));
            }
            var ordered = entries.OrderBy(e => e.Begin).ToList();
            for (int i = 1; i < ordered.Count; i++)
            {
                if (ordered[i].Begin < ordered[i - 1].End)
                    throw new FormatException($"'{description}': tensors '{ordered[i - 1].Name}' and '{ordered[i].Name}' overlap.");
            }

            var result = new List<KeyValuePair<string, Tensor>>();
            foreach (var entry in ordered)
            {
                var tensor = empty(entry.Shape, dtype: entry.Type);
                if (entry.End > entry.Begin)
                    bytes.AsSpan((int)(dataStart + entry.Begin), (int)(entry.End - entry.Begin)).CopyTo(tensor.bytes);
                result.Add(KeyValuePair.Create(entry.Name, tensor));
            }
            return (result, metadata);
        }

        private static (string, ScalarType, long[], long, long) ParseEntry(string name, JsonNode? node, string description, long dataLength)
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
            long elements = 1;
            foreach (var d in shape)
                elements = checked(elements * d);
            if (checked(elements * elementSize) != end - begin)
                throw new FormatException($"{where}: shape [{string.Join(", ", shape)}] of {code} needs {elements * elementSize} bytes, " +
                    $"but its range holds {end - begin}.");
            return (name, type, shape, begin, end);
        }

        private static byte[] ReadAll(Stream stream)
        {
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            return memory.ToArray();
        }
    }
}
