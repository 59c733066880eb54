using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using TorchSharp;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// A layer's config in Keras's layout (<c>{"class_name": "Dense", "config": {"name": "dense", "trainable": true,
    /// "dtype": "float32", "units": 64, ...}}</c>), plus the <c>build_config</c> (the input shape the layer was built
    /// with) that lets deserialization create the weights before they are set.
    /// </summary>
    public sealed class LayerConfig : ComponentConfig
    {
        /// <summary>Creates a layer config for <paramref name="className"/>.</summary>
        public LayerConfig(string className, JsonObject? values = null, string? module = null) : base(className, values, module)
        {
        }

        /// <summary>The layer's name, or <see langword="null"/> when the config has none (a unique one is then generated).</summary>
        public string? Name => Get<string?>("name", null);

        /// <summary>Whether the layer is trainable (<see langword="true"/> when absent).</summary>
        public bool Trainable => Get("trainable", true);

        /// <summary>The variable dtype of the layer's policy, or <see langword="null"/> for the global default.</summary>
        public torch.ScalarType? DType => DTypePolicy?.VariableDType;

        /// <summary>The layer's full dtype policy (plain or mixed), or <see langword="null"/> for the global default.</summary>
        public DTypePolicy? DTypePolicy => Get<DTypePolicy?>("dtype", null);

        /// <summary>The layer's <c>dynamic</c> flag (<see langword="false"/> when absent).</summary>
        public bool Dynamic => Get("dynamic", false);

        /// <summary>
        /// The input shape(s) the layer was built with (Keras's <c>build_config</c>), or <see langword="null"/> for an
        /// unbuilt layer. Deserialization builds the layer from it so that its weights exist.
        /// </summary>
        public JsonNode? BuildConfig { get; set; }

        /// <summary>Sets a config value and returns this config, for <c>base.GetConfig().With("units", Units)</c>.</summary>
        public new LayerConfig With(string key, object? value)
        {
            Set(key, value);
            return this;
        }

        /// <inheritdoc />
        public override JsonObject ToJson()
        {
            var json = base.ToJson();
            if (BuildConfig is not null)
                json["build_config"] = BuildConfig.DeepClone();
            return json;
        }

        /// <summary>Reads a layer config from Keras JSON (a dictionary with <c>class_name</c> and <c>config</c>).</summary>
        /// <exception cref="FormatException">The JSON is not a layer config (no string <c>class_name</c>, a <c>config</c> that is
        /// not an object, ...); the original error, if any, is the inner exception.</exception>
        public static new LayerConfig FromJson(JsonNode? node) => LoadErrors.KeepingFormatExceptions(() =>
        {
            var (className, values, module) = Parse(node);
            var config = new LayerConfig(className, values, module);
            if (node is JsonObject obj && obj.TryGetPropertyValue("build_config", out var build) && build is not null)
                config.BuildConfig = build.DeepClone();
            return config;
        }, "layer config");

        /// <summary>Reads a layer config from Keras JSON text.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="json"/> is <see langword="null"/>.</exception>
        /// <exception cref="FormatException">The text is not valid JSON or not a layer config; the original error is the inner
        /// exception.</exception>
        public static new LayerConfig FromJson(string json)
        {
            ArgumentNullException.ThrowIfNull(json);
            return FromJson(LoadErrors.KeepingFormatExceptions(() => KerasJson.ParseText(json), "layer config"));
        }

        /// <summary>Rejects keys that are neither the layer's own nor Keras's base keys, as constructor binding does (for a layer's
        /// <c>FromConfig</c>).</summary>
        /// <exception cref="FormatException">A key is unknown; the message lists it.</exception>
        internal void RequireKnownKeys(params string[] own)
        {
            var unknown = Keys.Where(k => !own.Contains(k) && !Layer.BaseConfigKeys.Contains(k)).ToList();
            if (unknown.Count > 0)
                throw new FormatException($"The config of '{ClassName}' has keys that it does not take: {string.Join(", ", unknown)}.");
        }

        /// <summary>The base keys a layer's <c>FromConfig</c> passes to its constructor (<see cref="Layer.ApplyBaseConfig"/> applies the
        /// others).</summary>
        internal static IReadOnlySet<string> BoundBaseKeys { get; } = new HashSet<string>(StringComparer.Ordinal) { "name", "trainable" };

        /// <summary>A deep copy.</summary>
        public LayerConfig Clone() => FromJson(ToJson());
    }
}
