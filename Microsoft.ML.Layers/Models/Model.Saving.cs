using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Losses;
using Microsoft.ML.Layers.Metrics;
using Microsoft.ML.Layers.Optimizers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    public partial class Model
    {
        internal const string ConfigEntry = "config.json";
        internal const string MetadataEntry = "metadata.json";
        internal const string WeightsEntry = "model.weights.safetensors";
        internal const string CompileEntry = "compile.json";
        internal const string OptimizerEntry = "optimizer.safetensors";

        /// <summary>
        /// Saves the model to one zip file (like Keras's <c>.keras</c>): <c>config.json</c> (the architecture in Keras's
        /// layout), <c>model.weights.safetensors</c> (every weight, readable by other tools), <c>metadata.json</c>, and when the
        /// model is compiled, <c>compile.json</c> and (with <paramref name="includeOptimizer"/>) <c>optimizer.safetensors</c>.
        /// The file is written to a temporary name first, so a failed save leaves no partial file.
        /// </summary>
        public void Save(string path, bool includeOptimizer = true)
        {
            ArgumentNullException.ThrowIfNull(path);
            WriteAtomically(path, stream => Save(stream, includeOptimizer));
        }

        /// <summary>The metadata keys holding the SHA-256 (lower-case hex) of the weights and optimizer entries.</summary>
        internal const string WeightsHashKey = "weights_sha256";
        internal const string OptimizerHashKey = "optimizer_sha256";

        /// <summary>Writes the model zip of <see cref="Save(string, bool)"/> to a stream (ML.NET's model files embed it this
        /// way).</summary>
        public void Save(Stream stream, bool includeOptimizer = true)
        {
            ArgumentNullException.ThrowIfNull(stream);
            {
                using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
                WriteEntry(zip, ConfigEntry, s => JsonSerializer.Serialize(s, GetConfig().ToJson(), IndentedJson));
                var metadata = new JsonObject
                {
                    ["library"] = "Microsoft.ML.Layers",
                    ["version"] = typeof(Model).Assembly.GetName().Version?.ToString(),
                    ["keras_version"] = "3",
                    ["date_saved"] = DateTime.UtcNow.ToString("yyyy-MM-dd@HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
                };
                metadata[WeightsHashKey] = WriteEntry(zip, WeightsEntry, s => SafeTensors.Write(s, NamedWeights()));
                if (IsCompiled)
                {
                    WriteEntry(zip, CompileEntry, s => JsonSerializer.Serialize(s, CompileConfig(), IndentedJson));
                    if (includeOptimizer)
                    {
                        var state = Optimizer!.GetState(TrainableWeights);
                        metadata[OptimizerHashKey] = WriteEntry(zip, OptimizerEntry, s => SafeTensors.Write(s, state.ToList()));
                    }
                }
                // Last, so that it can record the hashes of the entries before it.
                WriteEntry(zip, MetadataEntry, s => JsonSerializer.Serialize(s, metadata));
            }
        }

        /// <summary>The writer's options: indented, and deep enough for any config <see cref="ModelLoadOptions"/> lets load.</summary>
        private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true, MaxDepth = 1000 };

        /// <summary>
        /// Saves only the weights, as one safetensors file; its metadata records their SHA-256, which
        /// <see cref="LoadWeights(string, ModelLoadOptions?)"/> verifies.
        /// </summary>
        public void SaveWeights(string path)
        {
            ArgumentNullException.ThrowIfNull(path);
            WriteAtomically(path, stream => SafeTensors.Write(stream, NamedWeights()));
        }

        /// <summary>Loads weights written by <see cref="SaveWeights"/> (or the weights entry of <see cref="Save(string, bool)"/>) into this
        /// model, after checking the file against <paramref name="options"/> (the defaults when null) and, when the file
        /// records one, its SHA-256.</summary>
        /// <exception cref="FileNotFoundException">No such file.</exception>
        /// <exception cref="IOException">The file cannot be opened.</exception>
        /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
        /// <exception cref="FormatException">The file is corrupted, over a limit, or names or shapes differ from this model's; no
        /// weight changes then. Whatever failed while reading is the inner exception.</exception>
        public void LoadWeights(string path, ModelLoadOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(path);
            if (!File.Exists(path))
                throw new FileNotFoundException($"No weights file at '{path}'.", path);
            using var scope = NewDisposeScope();
            LoadErrors.AsFormatException(() => AssignWeights(SafeTensors.ReadFile(path, LoadScope.Resolve(options),
                table => CheckWeightTable(table, path)).Tensors, path), path);
        }

        /// <summary>
        /// Loads a model written by <see cref="Save(string, bool)"/>: rebuilds the architecture (registered classes only), sets the weights
        /// and, when saved, the compile configuration and optimizer state. Every entry read is verified (its zip CRC-32, and
        /// the SHA-256 of the weights and optimizer state that the metadata records) and checked against
        /// <paramref name="options"/> (the defaults when null) before anything is allocated.
        /// </summary>
        /// <exception cref="FileNotFoundException">No such file.</exception>
        /// <exception cref="IOException">The file cannot be opened.</exception>
        /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
        /// <exception cref="FormatException">The file is not a model zip, an entry is missing or corrupted, a limit is exceeded, or
        /// the weights do not fit the architecture; the message names the file, whatever failed is the inner exception. No
        /// partially loaded model is returned, and what was built is disposed.</exception>
        public static Model Load(string path, ModelLoadOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(path);
            if (!File.Exists(path))
                throw new FileNotFoundException($"No model file at '{path}'.", path);
            using var stream = File.OpenRead(path);
            return Load(stream, path, options);
        }

        /// <summary>Reads a model zip written by <see cref="Save(Stream, bool)"/>, as <see cref="Load(string, ModelLoadOptions?)"/>
        /// does; <paramref name="description"/> names it in errors.</summary>
        /// <exception cref="FormatException">The data is not a complete, valid model zip or exceeds a limit; the message names
        /// <paramref name="description"/>, whatever failed is the inner exception. No partially loaded model is returned, and
        /// what was built is disposed.</exception>
        public static Model Load(Stream stream, string description, ModelLoadOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(stream);
            string path = description ?? "model";
            options = LoadScope.Resolve(options);
            ZipArchive zip;
            try
            {
                zip = new ZipArchive(stream, ZipArchiveMode.Read);
            }
            catch (Exception e) when (LoadErrors.NeedsWrapping(e, path))
            {
                throw new FormatException($"'{path}' is not a model file written by Model.Save (not a valid zip: {e.Message}).", e);
            }
            using (zip)
            {
                Layer? layer = null;
                try
                {
                    var metadata = zip.GetEntry(MetadataEntry) is null ? null
                        : ReadJsonEntry(zip, MetadataEntry, path, options) as JsonObject;
                    var configJson = ReadJsonEntry(zip, ConfigEntry, path, options);
                    Model? model = null;
                    // The architecture is built once the weights entry's table is known, so that the config may only create
                    // weights the file accounts for, and the table must match the model before any stored tensor is allocated.
                    var weights = ReadTensorEntry(zip, WeightsEntry, path, options, options.MaxWeightsEntryBytes,
                        nameof(ModelLoadOptions.MaxWeightsEntryBytes), HashIn(metadata, WeightsHashKey, path), table =>
                        {
                            long budget = Math.Min(options.MaxTotalWeightBytes, LoadScope.BudgetFor(table.DataBytes));
                            using (LoadScope.Begin(options, budget, $"the weights entry of '{path}'"))
                                layer = Layer.Deserialize(LayerConfig.FromJson(configJson), options);
                            model = layer as Model ?? throw new FormatException($"'{path}' holds a {layer.GetType().Name}, not a model.");
                            model.CheckWeightTable(table, $"{path}:{WeightsEntry}");
                        });
                    try
                    {
                        using var scope = NewDisposeScope();
                        model!.AssignWeights(weights, $"{path}:{WeightsEntry}");
                    }
                    finally
                    {
                        foreach (var (_, tensor) in weights)
                            tensor.Dispose();
                    }
                    if (zip.GetEntry(CompileEntry) is not null)
                    {
                        var compile = ReadJsonEntry(zip, CompileEntry, path, options) as JsonObject
                            ?? throw new FormatException($"'{path}': {CompileEntry} is not a JSON object.");
                        model.ApplyCompileConfig(compile, path);
                        if (zip.GetEntry(OptimizerEntry) is not null)
                        {
                            using var scope = NewDisposeScope();
                            var state = ReadTensorEntry(zip, OptimizerEntry, path, options, options.MaxOptimizerEntryBytes,
                                nameof(ModelLoadOptions.MaxOptimizerEntryBytes), HashIn(metadata, OptimizerHashKey, path));
                            model.Optimizer!.SetState(model.TrainableWeights, state.ToDictionary(p => p.Key, p => p.Value));
                        }
                    }
                    return model;
                }
                catch (Exception e) when (LoadErrors.NeedsWrapping(e, path) || e is FormatException)
                {
                    layer?.Dispose();
                    if (e is FormatException && !LoadErrors.NeedsWrapping(e, path))
                        throw;
                    throw LoadErrors.ToFormatException(e, path);
                }
            }
        }

        /// <summary>The hash recorded under <paramref name="key"/>, or null when the file predates hashes.</summary>
        private static string? HashIn(JsonObject? metadata, string key, string path)
        {
            if (metadata?[key] is not JsonNode node)
                return null;
            return node is JsonValue value && value.TryGetValue<string>(out var hex) && hex.Length == 64 ? hex
                : throw new FormatException($"'{path}', entry '{MetadataEntry}': '{key}' must be a SHA-256 in hex. Received: " +
                    $"{ComponentConfig.Truncate(node.ToJsonString())}");
        }

        private static JsonNode? ReadJsonEntry(ZipArchive zip, string name, string path, ModelLoadOptions options)
        {
            var bytes = VerifiedEntryStream.ReadAll(Entry(zip, name, path), path, options.MaxJsonEntryBytes,
                nameof(ModelLoadOptions.MaxJsonEntryBytes));
            return JsonLimits.Parse(bytes, $"'{path}', entry '{name}'", options);
        }

        /// <summary>Reads a safetensors entry, verified (size, CRC-32 and, when recorded, SHA-256) before it is returned.</summary>
        private static IReadOnlyList<KeyValuePair<string, Tensor>> ReadTensorEntry(ZipArchive zip, string name, string path,
            ModelLoadOptions options, long limit, string limitName, string? expectedHash,
            Action<SafeTensors.TensorTable>? beforeAllocating = null)
        {
            using var stream = VerifiedEntryStream.Open(Entry(zip, name, path), path, limit, limitName);
            IReadOnlyList<KeyValuePair<string, Tensor>> tensors;
            try
            {
                tensors = SafeTensors.Read(stream, $"{path}:{name}", stream.DeclaredLength, options, beforeAllocating).Tensors;
            }
            catch (FormatException e)
            {
                // Corruption explains a malformed or mismatched entry best: a bad CRC (Complete throws) or SHA-256 is reported
                // when it is the cause.
                CheckHash(stream, stream.Complete(), expectedHash, e);
                throw;
            }
            try
            {
                CheckHash(stream, stream.Complete(), expectedHash, inner: null);
                return tensors;
            }
            catch
            {
                foreach (var (_, tensor) in tensors)
                    tensor.Dispose();
                throw;
            }
        }

        private static void CheckHash(VerifiedEntryStream stream, byte[] sha256, string? expectedHash, Exception? inner)
        {
            string actual = Convert.ToHexStringLower(sha256);
            if (expectedHash is not null && !string.Equals(actual, expectedHash, StringComparison.OrdinalIgnoreCase))
                throw new FormatException($"{stream.Where} is corrupted: its SHA-256 is {actual}, '{MetadataEntry}' records " +
                    $"{expectedHash}.", inner);
        }

        private static ZipArchiveEntry Entry(ZipArchive zip, string name, string path)
            => zip.GetEntry(name) ?? throw new FormatException($"'{path}' has no '{name}' entry: it is not a complete model file.");

        /// <summary>
        /// Every weight under its path in the model, in <see cref="Layer.Weights"/> order: the nested layers' keys and the
        /// weight's name joined by '/', e.g. <c>dense/kernel</c> (layers of a Sequential or functional model are known by
        /// their names, layers held in fields of a subclassed model by the field: <c>_hidden/kernel</c>). Paths depend only
        /// on the architecture, so they match when the model is rebuilt from its config.
        /// </summary>
        internal IReadOnlyList<KeyValuePair<string, Tensor>> NamedWeights()
        {
            var paths = new Dictionary<Tensor, string>(ReferenceEqualityComparer.Instance);
            foreach (var (path, parameter) in named_parameters())
                paths.TryAdd(parameter, path.Replace('.', '/'));
            return Weights.Select(w => KeyValuePair.Create(paths.TryGetValue(w, out var path) ? path : w.Path, (Tensor)w)).ToList();
        }

        /// <summary>Checks every name and shape first, then assigns: on any mismatch nothing changes.</summary>
        internal void AssignWeights(IReadOnlyList<KeyValuePair<string, Tensor>> stored, string description)
        {
            var expected = NamedWeights();
            var byName = stored.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            CheckWeightTable(expected, byName.ToDictionary(p => p.Key, p => p.Value.shape, StringComparer.Ordinal), description);
            foreach (var (name, weight) in expected)
                ((Parameter)weight).Assign(byName[name].to(weight.dtype));
        }

        /// <summary>Checks a stored table of tensors against this model's weights (names and shapes) before any is read.</summary>
        /// <exception cref="FormatException">A weight is missing or extra, or a shape differs.</exception>
        internal void CheckWeightTable(SafeTensors.TensorTable table, string description)
        {
            var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
            foreach (var tensor in table.Tensors)
                shapes[tensor.Name] = tensor.Shape;
            CheckWeightTable(NamedWeights(), shapes, description);
        }

        private void CheckWeightTable(IReadOnlyList<KeyValuePair<string, Tensor>> expected, IReadOnlyDictionary<string, long[]> stored,
            string description)
        {
            var missing = expected.Where(e => !stored.ContainsKey(e.Key)).Select(e => e.Key).ToList();
            var extra = stored.Keys.Except(expected.Select(e => e.Key)).ToList();
            if (missing.Count > 0 || extra.Count > 0)
            {
                throw new FormatException(
                    $"'{description}' does not hold the weights of model '{Name}'." +
                    (missing.Count > 0 ? $" Missing: {string.Join(", ", missing.Take(10))}." : "") +
                    (extra.Count > 0 ? $" Unexpected: {string.Join(", ", extra.Take(10))}." : ""));
            }
            foreach (var (name, weight) in expected)
            {
                if (!weight.shape.SequenceEqual(stored[name]))
                    throw new FormatException($"'{description}': weight '{name}' has shape {new Shape(stored[name])} in the file " +
                        $"but {Shape.Of(weight)} in the model.");
            }
        }

        private JsonObject CompileConfig() => new()
        {
            ["optimizer"] = Optimizer!.GetConfig().ToJson(),
            ["loss"] = new JsonArray(_losses!.Select(l => (JsonNode)l.GetConfig().ToJson()).ToArray()),
            ["loss_weights"] = new JsonArray(_lossWeights!.Select(w => (JsonNode)JsonValue.Create(w)).ToArray()),
            ["metrics"] = _outputMetricSpecs is null ? MetricNames(_metricSpecs)
                : new JsonObject(OutputNames.Zip(_outputMetricSpecs,
                    (output, specs) => KeyValuePair.Create(output, (JsonNode?)MetricNames(specs)))),
        };

        private static JsonArray MetricNames(IEnumerable<MetricSpec> specs)
            => new(specs.Select(m => (JsonNode)JsonValue.Create(m.Name)).ToArray());

        private void ApplyCompileConfig(JsonObject compile, string path)
        {
            var optimizerConfig = ComponentConfig.FromJson(compile["optimizer"]);
            var optimizerType = ComponentRegistry.TryResolveRegistered(typeof(Optimizer), optimizerConfig.ClassName)
                ?? throw new FormatException($"'{path}': unknown optimizer class '{optimizerConfig.ClassName}'.");
            var optimizer = (Optimizer)ComponentRegistry.Instantiate(optimizerType, optimizerConfig, typeof(Optimizer));
            var losses = (compile["loss"] as JsonArray ?? throw new FormatException($"'{path}': compile.json has no loss list."))
                .Select(l => Loss.FromConfig(ComponentConfig.FromJson(l))).ToList();
            var weights = (compile["loss_weights"] as JsonArray)?.Select(w => w!.GetValue<double>()).ToList();
            switch (compile["metrics"])
            {
                case JsonObject perOutput:
                    var byOutput = perOutput.ToDictionary(
                        p => p.Key, p => (IReadOnlyList<Metric>)KnownMetrics(p.Value).Select(Metric.Get).ToList());
                    Compile(optimizer, losses, byOutput, weights);
                    break;
                case var names:
                    Compile(optimizer, losses, KnownMetrics(names), weights);
                    break;
            }
        }

        /// <summary>The built-in metric names of a saved list; the others are left out with a warning.</summary>
        private List<string> KnownMetrics(JsonNode? names)
        {
            var known = new List<string>();
            foreach (var name in (names as JsonArray ?? new JsonArray()).Select(m => m!.GetValue<string>()))
            {
                try
                {
                    Metric.Get(name);
                    known.Add(name);
                }
                catch (ArgumentException)
                {
                    WarningWriter($"Model '{Name}' was saved with the metric '{name}', which is not a built-in metric; it is not " +
                        $"restored. Compile again to add it.");
                }
            }
            return known;
        }

        internal static void WriteAtomically(string path, Action<Stream> write)
        {
            string full = Path.GetFullPath(path);
            string? directory = Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(directory))
                Directory.CreateDirectory(directory);
            string temporary = full + $".{Guid.NewGuid():N}.tmp";
            try
            {
                using (var stream = File.Create(temporary))
                    write(stream);
                File.Move(temporary, full, overwrite: true);
            }
            finally
            {
                if (File.Exists(temporary))
                    File.Delete(temporary);
            }
        }

        /// <summary>Writes one entry; returns the SHA-256 of its bytes in hex.</summary>
        private static string WriteEntry(ZipArchive zip, string name, Action<Stream> write)
        {
            using var stream = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
            using var hashing = new HashingWriteStream(stream);
            write(hashing);
            return hashing.HashHex();
        }
    }
}
