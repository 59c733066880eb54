using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Checks untrusted JSON against <see cref="ModelLoadOptions"/> in one pass over its bytes, before a document is built:
    /// nesting depth, the length of names (<c>name</c>, <c>class_name</c>, <c>module</c>, <c>registered_name</c>) and the
    /// number of layers (objects in a <c>layers</c> list, nested models included). Then parses it with the same depth limit.
    /// </summary>
    internal static class JsonLimits
    {
        private static readonly byte[][] NameKeys =
        {
            "name"u8.ToArray(), "class_name"u8.ToArray(), "module"u8.ToArray(), "registered_name"u8.ToArray(),
        };

        /// <summary>Checks and parses <paramref name="utf8"/>; <paramref name="where"/> names the file and entry in errors.</summary>
        /// <exception cref="FormatException">The JSON is invalid or exceeds a limit.</exception>
        public static JsonNode? Parse(byte[] utf8, string where, ModelLoadOptions options)
        {
            Check(utf8, where, options);
            try
            {
                return JsonNode.Parse(utf8, documentOptions: new JsonDocumentOptions { MaxDepth = options.MaxJsonDepth });
            }
            catch (JsonException e)
            {
                throw new FormatException($"{where} is not valid JSON ({e.Message}).", e);
            }
        }

        /// <summary>Checks <paramref name="utf8"/> against the limits without building a document.</summary>
        /// <exception cref="FormatException">The JSON is invalid or exceeds a limit.</exception>
        public static void Check(ReadOnlySpan<byte> utf8, string where, ModelLoadOptions options)
        {
            if (utf8.Length > options.MaxJsonEntryBytes)
                throw new FormatException($"{where} is {utf8.Length} bytes of JSON, more than the limit of {options.MaxJsonEntryBytes} " +
                    $"(ModelLoadOptions.MaxJsonEntryBytes); raise the limit to load it.");
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = options.MaxJsonDepth });
            // For each open container: whether it is an array under the key "layers".
            var layerLists = new Stack<bool>();
            bool nextIsLayers = false;
            bool nextIsName = false;
            string? key = null;
            int layers = 0;
            try
            {
                while (reader.Read())
                {
                    switch (reader.TokenType)
                    {
                        case JsonTokenType.PropertyName:
                            nextIsLayers = reader.ValueTextEquals("layers"u8);
                            nextIsName = IsNameKey(ref reader);
                            key = nextIsName ? reader.GetString() : null;
                            continue;
                        case JsonTokenType.StartObject:
                            if (layerLists.Count > 0 && layerLists.Peek() && ++layers > options.MaxLayerCount)
                                throw new FormatException($"{where} describes more than {options.MaxLayerCount} layers " +
                                    $"(ModelLoadOptions.MaxLayerCount); raise the limit to load it.");
                            layerLists.Push(false);
                            break;
                        case JsonTokenType.StartArray:
                            layerLists.Push(nextIsLayers);
                            break;
                        case JsonTokenType.EndObject:
                        case JsonTokenType.EndArray:
                            layerLists.Pop();
                            break;
                        case JsonTokenType.String when nextIsName:
                            int length = Length(ref reader, options.MaxNameLength);
                            if (length > options.MaxNameLength)
                                throw new FormatException($"{where}: a '{key}' value is {length} characters long, more than the limit of " +
                                    $"{options.MaxNameLength} (ModelLoadOptions.MaxNameLength). It starts with " +
                                    $"'{Encoding.UTF8.GetString(reader.ValueSpan[..Math.Min(40, reader.ValueSpan.Length)])}'.");
                            break;
                    }
                    nextIsLayers = false;
                    nextIsName = false;
                }
            }
            catch (JsonException e)
            {
                throw new FormatException($"{where} is not valid JSON or nests deeper than {options.MaxJsonDepth} levels " +
                    $"(ModelLoadOptions.MaxJsonDepth): {e.Message}", e);
            }
        }

        private static bool IsNameKey(ref Utf8JsonReader reader)
        {
            foreach (var name in NameKeys)
            {
                if (reader.ValueTextEquals(name))
                    return true;
            }
            return false;
        }

        /// <summary>The length in characters of the current string, exact up to a little past <paramref name="limit"/>.</summary>
        private static int Length(ref Utf8JsonReader reader, int limit)
        {
            var raw = reader.ValueSpan;
            if (raw.Length <= limit)
                return raw.Length;
            if (!reader.ValueIsEscaped)
                return Encoding.UTF8.GetCharCount(raw);
            // An escape (\uXXXX) takes up to six bytes for one character: unescape only when the result may fit.
            return raw.Length > 6L * limit ? raw.Length / 6 + 1 : reader.GetString()!.Length;
        }
    }
}
