using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// A serialized object in Keras's layout: <c>{"module": ..., "class_name": ..., "config": {...}, "registered_name": ...}</c>.
    /// <see cref="Values"/> is the <c>config</c> dictionary: constructor arguments under their snake_case Keras names.
    /// </summary>
    public class ComponentConfig
    {
        /// <summary>Creates a config for <paramref name="className"/> with the given values (copied).</summary>
        public ComponentConfig(string className, JsonObject? values = null, string? module = null)
        {
            if (string.IsNullOrWhiteSpace(className))
                throw new ArgumentException("A config needs a class name.", nameof(className));
            ClassName = className;
            Values = values is null ? new JsonObject() : (JsonObject)values.DeepClone();
            Module = module;
        }

        /// <summary>The registered class name (<c>"Dense"</c>, <c>"GlorotUniform"</c>, ...).</summary>
        public string ClassName { get; }

        /// <summary>
        /// Where the class comes from: <c>"keras.layers"</c> (and similar) for built-in classes, or the .NET assembly name
        /// of a user's registered class, which deserialization uses to find it.
        /// </summary>
        public string? Module { get; set; }

        /// <summary>The <c>config</c> dictionary.</summary>
        public JsonObject Values { get; }

        /// <summary>The keys of <see cref="Values"/>.</summary>
        public IEnumerable<string> Keys => Values.Select(p => p.Key);

        /// <summary>Whether <paramref name="key"/> is present (possibly with a null value).</summary>
        public bool Contains(string key) => Values.ContainsKey(key);

        /// <summary>Sets a value: numbers, strings, booleans, arrays, <see cref="Shape"/>, dtypes, and serializable objects.</summary>
        public ComponentConfig With(string key, object? value)
        {
            Set(key, value);
            return this;
        }

        /// <summary>Sets a value without returning the config.</summary>
        protected void Set(string key, object? value)
        {
            ArgumentNullException.ThrowIfNull(key);
            Values[key] = KerasJson.ToNode(value, key);
        }

        /// <summary>Reads a required value, converted to <typeparamref name="T"/>.</summary>
        /// <exception cref="KeyNotFoundException">The key is missing; the message names the class and the key.</exception>
        /// <exception cref="FormatException">The value cannot be converted to <typeparamref name="T"/>.</exception>
        public T Get<T>(string key)
        {
            if (!Values.TryGetPropertyValue(key, out var node))
                throw new KeyNotFoundException($"The config of '{ClassName}' has no '{key}'. Keys present: {string.Join(", ", Keys)}.");
            return (T)KerasJson.FromNode(node, typeof(T), $"{ClassName}.{key}")!;
        }

        /// <summary>Reads a value, or <paramref name="defaultValue"/> when the key is missing.</summary>
        public T Get<T>(string key, T defaultValue)
            => Values.TryGetPropertyValue(key, out var node) ? (T)KerasJson.FromNode(node, typeof(T), $"{ClassName}.{key}")! : defaultValue;

        /// <summary>Reads a value converted to <paramref name="type"/>.</summary>
        public object? Get(string key, Type type)
        {
            if (!Values.TryGetPropertyValue(key, out var node))
                throw new KeyNotFoundException($"The config of '{ClassName}' has no '{key}'. Keys present: {string.Join(", ", Keys)}.");
            return KerasJson.FromNode(node, type, $"{ClassName}.{key}");
        }

        /// <summary>The Keras JSON object for this config.</summary>
        public virtual JsonObject ToJson()
        {
            var json = new JsonObject
            {
                ["module"] = Module,
                ["class_name"] = ClassName,
                ["config"] = Values.DeepClone(),
                ["registered_name"] = Module is null || Module.StartsWith("keras", StringComparison.Ordinal) ? null : ClassName,
            };
            return json;
        }

        /// <summary>The Keras JSON text for this config.</summary>
        public string ToJsonString(bool indented = false)
            => ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = indented, MaxDepth = 1000 });

        /// <inheritdoc />
        public override string ToString() => ToJsonString();

        /// <summary>
        /// Reads a serialized object: a dictionary with <c>class_name</c> and <c>config</c> (Keras 2 and 3), or a bare
        /// string, which Keras uses for objects given by name (<c>"glorot_uniform"</c>).
        /// </summary>
        /// <exception cref="FormatException">The JSON is neither.</exception>
        public static ComponentConfig FromJson(JsonNode? node)
        {
            var (className, values, module) = Parse(node);
            return new ComponentConfig(className, values, module);
        }

        /// <summary>Parses Keras JSON text; see <see cref="FromJson(JsonNode?)"/>.</summary>
        public static ComponentConfig FromJson(string json) => FromJson(KerasJson.ParseText(json));

        internal static (string ClassName, JsonObject Values, string? Module) Parse(JsonNode? node)
        {
            switch (node)
            {
                case JsonValue value when value.TryGetValue<string>(out var name):
                    return (name, new JsonObject(), null);
                case JsonObject obj:
                    if (!obj.TryGetPropertyValue("class_name", out var classNode) || classNode is not JsonValue classValue
                        || !classValue.TryGetValue<string>(out var className))
                    {
                        throw new FormatException($"A serialized object needs a string 'class_name'. Received: " +
                            $"{Truncate(obj.ToJsonString())}");
                    }
                    obj.TryGetPropertyValue("config", out var configNode);
                    var values = configNode switch
                    {
                        null => new JsonObject(),
                        JsonObject o => o,
                        // Keras 3 serializes functions (activations) as {"class_name": "function", "config": "relu"}.
                        JsonValue v => new JsonObject { ["value"] = v.DeepClone() },
                        _ => throw new FormatException($"The 'config' of '{className}' must be an object. Received: " +
                            $"{Truncate(configNode.ToJsonString())}"),
                    };
                    string? module = obj.TryGetPropertyValue("module", out var moduleNode) && moduleNode is JsonValue mv
                        && mv.TryGetValue<string>(out var m) ? m : null;
                    return (className, values, module);
                default:
                    throw new FormatException($"Expected a serialized object (a name or a dictionary with 'class_name'). Received: " +
                        $"{Truncate(node?.ToJsonString() ?? "null")}");
            }
        }

        internal static string Truncate(string text) => text.Length <= 200 ? text : text.Substring(0, 200) + "...";
    }
}
