using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Layers.Tests.Robustness
{
    /// <summary>
    /// Structure-aware mutations of a JSON config: one value (anywhere in the tree) replaced by an edge value of its kind, by
    /// another kind, by nesting thousands deep, or deleted. The text stays valid JSON (except for the depth the reader refuses).
    /// </summary>
    public static class ConfigMutations
    {
        private static readonly string[] Numbers = { "0", "-1", "1e12", "2147483647", "-2147483648", "4294967296", "1e308", "0.5", "-0.0" };

        private static readonly string[] Strings =
        {
            "NoSuchLayer", "", "System.Net.Mail", "../../outside", "relu6x", "float16", "channels_sideways", "same\u0000",
        };

        /// <summary>A mutated copy of <paramref name="json"/> and a description naming the path and the change.</summary>
        public static (string Description, string Json) Mutate(string json, Random random)
        {
            var root = JsonNode.Parse(json)!;
            var nodes = new List<(string Path, JsonNode Node)>();
            Collect(root, "$", nodes);
            var (path, node) = nodes[random.Next(1, nodes.Count)];   // never the root itself
            string placeholder = "\u0001mutation\u0001";
            string replacement;
            string change;
            int choice = random.Next(100);
            if (choice < 15)
            {
                Delete(node);
                return ($"{path}: deleted", root.ToJsonString());
            }
            if (choice < 25)
            {
                int depth = new[] { 64, 600, 20_000 }[random.Next(3)];
                replacement = new string('[', depth) + new string(']', depth);
                change = $"nested {depth} deep";
            }
            else if (choice < 35)
            {
                replacement = new[] { "null", "{}", "[]", "true", "\"1\"", "[1, 2, 3]" }[random.Next(6)];
                change = $"replaced by {replacement}";
            }
            else if (node is JsonValue value && value.TryGetValue(out string? _))
            {
                if (random.Next(4) == 0)
                {
                    int length = new[] { 10_000, 1_000_000 }[random.Next(2)];
                    replacement = "\"" + new string('x', length) + "\"";
                    change = $"a string of {length} characters";
                }
                else
                {
                    string text = Strings[random.Next(Strings.Length)];
                    replacement = JsonValue.Create(text).ToJsonString();
                    change = $"replaced by {replacement}";
                }
            }
            else if (node is JsonValue)
            {
                replacement = Numbers[random.Next(Numbers.Length)];
                change = $"replaced by {replacement}";
            }
            else
            {
                // An object or array: duplicate one of its children, or empty it.
                replacement = random.Next(2) == 0 ? (node is JsonArray ? "[]" : "{}") : "[" + node.ToJsonString() + "]";
                change = replacement.Length <= 2 ? $"replaced by {replacement}" : "wrapped in an array";
            }
            Replace(node, placeholder);
            string written = root.ToJsonString();
            string quoted = "\"" + placeholder.Replace("\u0001", "\\u0001", StringComparison.Ordinal) + "\"";
            if (!written.Contains(quoted, StringComparison.Ordinal))
                throw new InvalidOperationException($"The placeholder for {path} was not written as {quoted}.");
            return ($"{path}: {change}", written.Replace(quoted, replacement, StringComparison.Ordinal));
        }

        private static void Collect(JsonNode? node, string path, List<(string, JsonNode)> nodes)
        {
            if (node is null)
                return;
            nodes.Add((path, node));
            if (node is JsonObject obj)
            {
                foreach (var (key, child) in obj)
                    Collect(child, $"{path}.{key}", nodes);
            }
            else if (node is JsonArray array)
            {
                for (int i = 0; i < array.Count; i++)
                    Collect(array[i], $"{path}[{i}]", nodes);
            }
        }

        private static void Delete(JsonNode node)
        {
            switch (node.Parent)
            {
                case JsonObject obj:
                    obj.Remove(obj.First(p => ReferenceEquals(p.Value, node)).Key);
                    break;
                case JsonArray array:
                    array.Remove(node);
                    break;
            }
        }

        private static void Replace(JsonNode node, string placeholder)
        {
            switch (node.Parent)
            {
                case JsonObject obj:
                    obj[obj.First(p => ReferenceEquals(p.Value, node)).Key] = placeholder;
                    break;
                case JsonArray array:
                    array[array.IndexOf(node)] = placeholder;
                    break;
            }
        }
    }
}
