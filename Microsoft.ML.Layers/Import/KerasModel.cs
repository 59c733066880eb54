using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Losses;
using Microsoft.ML.Layers.Metrics;
using Microsoft.ML.Layers.Optimizers;
using PureHDF;

namespace Microsoft.ML.Layers.Import
{
    /// <summary>The kinds of file <see cref="KerasModel"/> reads, told apart by their bytes (never by the extension).</summary>
    public enum KerasFileFormat
    {
        /// <summary>Not a Keras file.</summary>
        Unknown,

        /// <summary>A legacy HDF5 model (<c>model.save("m.h5")</c> in Keras 1, 2 or tf.keras): architecture and weights.</summary>
        LegacyHdf5Model,

        /// <summary>A legacy HDF5 weights file (<c>model.save_weights("w.h5")</c>): weights only, by layer name.</summary>
        LegacyHdf5Weights,

        /// <summary>A Keras 3 <c>.keras</c> zip (<c>config.json</c>, <c>metadata.json</c>, <c>model.weights.h5</c>).</summary>
        Keras3Archive,

        /// <summary>A model zip written by this library's <see cref="Model.Save(string, bool)"/>.</summary>
        LayersArchive,

        /// <summary>An architecture as JSON (<c>model.to_json()</c>, <c>*_config.json</c>), without weights.</summary>
        ConfigJson,
    }

    /// <summary>
    /// Imports models saved by Keras: legacy HDF5 files of Keras 1, 2 and tf.keras, Keras 3 <c>.keras</c> archives, and an
    /// architecture JSON with a weights file. The result is an ordinary <see cref="Model"/> (or <see cref="Sequential"/>):
    /// predict with it, fine-tune it with
    /// <see cref="Model.Compile(Optimizer, Loss, System.Collections.Generic.IEnumerable{Metric}?,
    /// System.Collections.Generic.IReadOnlyList{double}?)"/>
    /// and <c>Fit</c>, save it with <see cref="Model.Save(string, bool)"/>, or hand it to the ML.NET trainers.
    /// </summary>
    /// <remarks>
    /// Importing never executes code from the file: a <c>Lambda</c> layer, a TensorFlow op layer or a class that is not
    /// registered in <see cref="ComponentRegistry"/> is refused with a <see cref="KerasImportException"/> naming it. So is any
    /// layer or argument this library does not support; no half-built model is ever returned. Imported models are not
    /// compiled: call <c>Compile</c> before <c>Fit</c>.
    /// <code>
    /// Model model = KerasModel.Load("mnist_cnn.h5");
    /// Tensor probabilities = model.Predict(images);
    /// </code>
    /// </remarks>
    public static class KerasModel
    {
        /// <summary>Imports a model file: legacy <c>.h5</c>, Keras 3 <c>.keras</c>, or this library's own model zip.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
        /// <exception cref="FileNotFoundException">No such file.</exception>
        /// <exception cref="IOException">The file cannot be opened.</exception>
        /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
        /// <exception cref="KerasImportException">The file is not a complete model, or uses something this library cannot
        /// import; the message names the file, whatever failed is the inner exception.</exception>
        public static Model Load(string path, ModelLoadOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(path);
            using var stream = OpenFile(path);
            return Load(stream, path, options);
        }

        /// <summary>
        /// Imports a model from a stream (copied to memory first when it cannot seek); <paramref name="name"/> names it in errors.
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
        /// <exception cref="KerasImportException">The data is not a complete model, or uses something this library cannot
        /// import (also when reading the stream fails); whatever failed is the inner exception.</exception>
        public static Model Load(Stream stream, string? name = null, ModelLoadOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(stream);
            var resolved = LoadScope.Resolve(options);
            return WithFile(name, () => LoadStream(stream, name, resolved));
        }

        private static Model LoadStream(Stream stream, string? name, ModelLoadOptions options)
        {
            using var seekable = Seekable(stream);
            var format = DetectFormat(seekable);
            return format switch
            {
                KerasFileFormat.LegacyHdf5Model => WithFile(name, () => LoadLegacyModel(seekable, name, options)),
                KerasFileFormat.Keras3Archive => WithFile(name, () => LoadKeras3Archive(seekable, name, options)),
                KerasFileFormat.LayersArchive => Model.Load(seekable, name ?? "model", options),
                KerasFileFormat.LegacyHdf5Weights => throw new KerasImportException(
                    "it holds weights only (model.save_weights). Pass the architecture too: KerasModel.Load(architectureJsonPath, " +
                    "weightsPath).", name),
                KerasFileFormat.ConfigJson => throw new KerasImportException(
                    "it holds an architecture only (model.to_json()). Pass its weights file too: KerasModel.Load(architectureJsonPath, " +
                    "weightsPath), or use KerasModel.FromJson for an untrained model.", name),
                _ => throw new KerasImportException(
                    "it is neither an HDF5 file (legacy .h5), a zip (.keras) nor JSON. The file is corrupted, truncated or of another " +
                    "kind.", name),
            };
        }

        /// <summary>
        /// Imports an architecture JSON (<c>model.to_json()</c>) with a weights file: a legacy HDF5 weights file
        /// (<c>save_weights("w.h5")</c>), a full legacy <c>.h5</c> model (its weights are used), or a Keras 3 <c>.weights.h5</c>.
        /// </summary>
        /// <exception cref="ArgumentNullException">A path is <see langword="null"/>.</exception>
        /// <exception cref="FileNotFoundException">A file does not exist.</exception>
        /// <exception cref="IOException">A file cannot be opened.</exception>
        /// <exception cref="UnauthorizedAccessException">A file may not be read.</exception>
        /// <exception cref="KerasImportException">A file is not what it should be, or the weights do not fit the architecture;
        /// the message names the file, whatever failed is the inner exception.</exception>
        public static Model Load(string architecturePath, string weightsPath, ModelLoadOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(architecturePath);
            ArgumentNullException.ThrowIfNull(weightsPath);
            var resolved = LoadScope.Resolve(options);
            CheckExists(architecturePath);
            var architectureBytes = WithFile(architecturePath, () => ReadLimited(architecturePath, resolved));
            CheckExists(weightsPath);
            var (config, kerasMajor) = WithFile(architecturePath, () => ReadConfigJson(architectureBytes, architecturePath, resolved));
            // The architecture is translated (and checked) first, so its problems are reported against its own file.
            var translated = WithFile(architecturePath, () => new KerasConfigTranslator(kerasMajor, architecturePath).Translate(config));
            using var weights = OpenFile(weightsPath);
            return WithFile(weightsPath, () =>
            {
                if (!Hdf5Reader.IsHdf5(weights))
                    throw new KerasImportException("it is not an HDF5 weights file.", weightsPath);
                using var file = Hdf5Reader.Open(weights, weightsPath);
                IH5Group root = file;
                bool keras3 = Hdf5Reader.Has(file, "layers") && !Hdf5Reader.HasAttribute(file, "layer_names");
                if (Hdf5Reader.Has(file, "model_weights"))
                    root = Hdf5Reader.Group(file, "model_weights", weightsPath);
                int weightsMajor = KerasConfigTranslator.MajorVersion(Hdf5Reader.StringAttribute(root, "keras_version", weightsPath));
                return Build(translated, keras3 ? 3 : Math.Min(kerasMajor, weightsMajor), weightsPath, resolved,
                    WeightBudget(weights.Length, resolved), (loader, model) =>
                    {
                        if (keras3)
                            loader.LoadKeras3(model, file);
                        else
                            loader.LoadLegacy(model, root);
                    }, architecturePath);
            });
        }

        /// <summary>
        /// Builds an untrained model from an architecture JSON of any Keras generation (Keras's <c>model_from_json</c>);
        /// the weights are freshly initialized.
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="json"/> is <see langword="null"/>.</exception>
        /// <exception cref="KerasImportException">The text is not a Keras architecture, or uses something this library cannot
        /// import; whatever failed is the inner exception.</exception>
        public static Model FromJson(string json, ModelLoadOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(json);
            var resolved = LoadScope.Resolve(options);
            return WithFile(null, () =>
            {
                var (config, kerasMajor) = ReadConfigJson(Encoding.UTF8.GetBytes(json), null, resolved);
                return Build(new KerasConfigTranslator(kerasMajor, null).Translate(config), kerasMajor, null, resolved,
                    resolved.MaxTotalWeightBytes, load: null);
            });
        }

        /// <summary>What a file holds, read from its first bytes (and, for zips and HDF5, its entries).</summary>
        public static KerasFileFormat DetectFormat(string path)
        {
            ArgumentNullException.ThrowIfNull(path);
            using var stream = OpenFile(path);
            return DetectFormat(stream);
        }

        /// <summary>What a seekable stream holds; the position is restored.</summary>
        public static KerasFileFormat DetectFormat(Stream stream)
        {
            ArgumentNullException.ThrowIfNull(stream);
            if (!stream.CanSeek)
                throw new ArgumentException("DetectFormat needs a seekable stream.", nameof(stream));
            long start = stream.Position;
            try
            {
                if (Hdf5Reader.IsHdf5(stream))
                {
                    try
                    {
                        using var file = H5File.Open(stream, leaveOpen: true);
                        return file.AttributeExists("model_config") ? KerasFileFormat.LegacyHdf5Model
                            : file.AttributeExists("layer_names") || file.LinkExists("layers") ? KerasFileFormat.LegacyHdf5Weights
                            : KerasFileFormat.Unknown;
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        return KerasFileFormat.Unknown;
                    }
                }
                var head = new byte[4];
                int read = stream.Read(head, 0, 4);
                stream.Position = start;
                if (read == 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4)
                {
                    try
                    {
                        using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
                        return zip.GetEntry("model.weights.h5") is not null ? KerasFileFormat.Keras3Archive
                            : zip.GetEntry(Model.WeightsEntry) is not null ? KerasFileFormat.LayersArchive
                            : KerasFileFormat.Unknown;
                    }
                    catch (InvalidDataException)
                    {
                        return KerasFileFormat.Unknown;
                    }
                }
                int first = NextSignificantByte(stream);
                // An architecture saved as a JSON string (json.dump(model.to_json(), f)) starts with "{.
                if (first == '"')
                    first = NextSignificantByte(stream);
                return first == '{' ? KerasFileFormat.ConfigJson : KerasFileFormat.Unknown;
            }
            finally
            {
                stream.Position = start;
            }
        }

        /// <summary>The next byte that is not white space or a UTF-8 byte order mark; -1 at the end.</summary>
        private static int NextSignificantByte(Stream stream)
        {
            int next;
            do
            {
                next = stream.ReadByte();
            }
            while (next is ' ' or '\t' or '\r' or '\n' or 0xEF or 0xBB or 0xBF);
            return next;
        }

        // ---------------------------------------------------------------------------------------------------------

        private static Model LoadLegacyModel(Stream stream, string? name, ModelLoadOptions options)
        {
            using var file = Hdf5Reader.Open(stream, name ?? "stream");
            string modelConfigText = Hdf5Reader.StringAttribute(file, "model_config", name)
                ?? throw new KerasImportException("it has no 'model_config' attribute.", name);
            var modelConfig = ParseJson(Encoding.UTF8.GetBytes(modelConfigText), "model_config", name, options);
            var weightsRoot = Hdf5Reader.Has(file, "model_weights") ? Hdf5Reader.Group(file, "model_weights", name)
                : throw new KerasImportException("it has no 'model_weights' group (was it saved with include_optimizer only?).", name);
            string? version = Hdf5Reader.StringAttribute(file, "keras_version", name)
                ?? Hdf5Reader.StringAttribute(weightsRoot, "keras_version", name);
            // Keras 1 files have no keras_version attribute; their configs use Keras 1's argument names.
            int kerasMajor = version is null ? KerasConfigTranslator.GuessMajorVersion(modelConfig)
                : KerasConfigTranslator.MajorVersion(version);
            return Build(new KerasConfigTranslator(kerasMajor, name).Translate(modelConfig), kerasMajor, name, options,
                WeightBudget(stream.Length, options), (loader, model) => loader.LoadLegacy(model, weightsRoot));
        }

        private static Model LoadKeras3Archive(Stream stream, string? name, ModelLoadOptions options)
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            var config = ParseJson(ReadZipEntry(zip, "config.json", name, options.MaxJsonEntryBytes,
                nameof(ModelLoadOptions.MaxJsonEntryBytes)), "config.json", name, options);
            int kerasMajor = 3;
            if (zip.GetEntry("metadata.json") is not null
                && ParseJson(ReadZipEntry(zip, "metadata.json", name, options.MaxJsonEntryBytes, nameof(ModelLoadOptions.MaxJsonEntryBytes)),
                    "metadata.json", name, options)?["keras_version"] is JsonValue version
                && version.TryGetValue<string>(out var text))
            {
                kerasMajor = KerasConfigTranslator.MajorVersion(text);
            }
            using var weights = new MemoryStream(ReadZipEntry(zip, "model.weights.h5", name, options.MaxWeightsEntryBytes,
                nameof(ModelLoadOptions.MaxWeightsEntryBytes)), writable: false);
            using var file = Hdf5Reader.Open(weights, $"{name}:model.weights.h5");
            return Build(new KerasConfigTranslator(kerasMajor, name).Translate(config), kerasMajor, name, options,
                WeightBudget(weights.Length, options), (loader, model) => loader.LoadKeras3(model, file));
        }

        /// <summary>
        /// The weight bytes a config may create when its weights come from <paramref name="weightsBytes"/> bytes of file:
        /// twice that (a float16 file fills float32 weights) plus <see cref="LoadScope.Slack"/>, at most
        /// <see cref="ModelLoadOptions.MaxTotalWeightBytes"/>. Memory is then bounded by the file's size, not by its config.
        /// </summary>
        private static long WeightBudget(long weightsBytes, ModelLoadOptions options)
            => Math.Min(options.MaxTotalWeightBytes, LoadScope.BudgetFor(weightsBytes));

        /// <summary>
        /// Builds a translated config and (with <paramref name="load"/>) fills the model from weights written by Keras
        /// <paramref name="weightsMajor"/>; disposes everything on failure. A failure before the weights are read is reported
        /// against <paramref name="configFile"/> when the architecture came from a file of its own.
        /// </summary>
        private static Model Build(JsonObject translated, int weightsMajor, string? file, ModelLoadOptions options, long weightBudget,
            Action<KerasWeightLoader, Model>? load, string? configFile = null)
        {
            Layer? layer = null;
            var loader = new KerasWeightLoader(weightsMajor, file);
            string? blamed = configFile ?? file;
            try
            {
                using (LoadScope.Begin(options, weightBudget, file is null ? "ModelLoadOptions.MaxTotalWeightBytes" : $"'{file}'"))
                    layer = Layer.Deserialize(LayerConfig.FromJson(translated));
                if (layer is not Model model)
                    throw new KerasImportException($"it holds a single {layer.GetType().Name} layer, not a model.", file, layer.Name);
                if (!model.Built)
                {
                    throw new KerasImportException(
                        "the model config does not declare its input shape (no InputLayer or batch_input_shape), so its weights cannot " +
                        "be created.", file, model.Name);
                }
                if (load is not null)
                {
                    blamed = file;
                    load(loader, model);
                    loader.Commit();
                }
                return model;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                loader.DisposeStaged();
                layer?.Dispose();
                if (e is KerasImportException import)
                    throw import.InFile(blamed);
                if (e is FormatException or ArgumentException or InvalidOperationException or NotSupportedException
                    or System.Collections.Generic.KeyNotFoundException)
                    throw new KerasImportException(e.Message, blamed, innerException: e);
                throw;
            }
        }

        private static (JsonNode? Config, int KerasMajor) ReadConfigJson(byte[] bytes, string? name, ModelLoadOptions options)
        {
            JsonNode? json;
            try
            {
                json = JsonLimits.Parse(bytes, "the architecture JSON", options);
                // json.dump(model.to_json(), f), a common idiom, writes the architecture as a JSON string holding the JSON.
                if (json is JsonValue text && text.TryGetValue<string>(out var inner))
                    json = JsonLimits.Parse(Encoding.UTF8.GetBytes(inner), "the architecture JSON (a JSON string holding the JSON)",
                        options);
            }
            catch (FormatException e)
            {
                throw new KerasImportException(e.Message, name, innerException: e);
            }
            if (json is not JsonObject)
            {
                string found = json is null ? "null"
                    : json is JsonArray ? "a list"
                    : $"the value {ComponentConfig.Truncate(json.ToJsonString())}";
                throw new KerasImportException(
                    $"the architecture JSON must be an object with 'class_name' and 'config' (model.to_json()); it is {found}.", name);
            }
            int kerasMajor = json?["keras_version"] is JsonValue v && v.TryGetValue<string>(out var version)
                ? KerasConfigTranslator.MajorVersion(version)
                : KerasConfigTranslator.GuessMajorVersion(json);
            return (json, kerasMajor);
        }

        private static JsonNode? ParseJson(byte[] utf8, string what, string? name, ModelLoadOptions options)
        {
            try
            {
                return JsonLimits.Parse(utf8, $"'{what}'", options);
            }
            catch (FormatException e)
            {
                throw new KerasImportException(e.Message, name, innerException: e);
            }
        }

        /// <summary>Reads a whole archive entry, its declared size checked against <paramref name="limit"/> first and its CRC-32
        /// verified.</summary>
        private static byte[] ReadZipEntry(ZipArchive zip, string entryName, string? name, long limit, string limitName)
        {
            var entry = zip.GetEntry(entryName) ?? throw new KerasImportException($"the archive has no {entryName}.", name);
            try
            {
                return VerifiedEntryStream.ReadAll(entry, name ?? "stream", limit, limitName);
            }
            catch (FormatException e)
            {
                throw new KerasImportException(e.Message, name, innerException: e);
            }
        }

        /// <summary>Reads an architecture file whose size is checked against <see cref="ModelLoadOptions.MaxJsonEntryBytes"/>
        /// first.</summary>
        private static byte[] ReadLimited(string path, ModelLoadOptions options)
        {
            long length = new FileInfo(path).Length;
            if (length > options.MaxJsonEntryBytes)
                throw new KerasImportException($"the architecture file is {length} bytes long, more than the limit of " +
                    $"{options.MaxJsonEntryBytes} (ModelLoadOptions.MaxJsonEntryBytes); raise the limit to load it.", path);
            return File.ReadAllBytes(path);
        }

        /// <summary>
        /// Runs an import step: every failure becomes a <see cref="KerasImportException"/> naming the file (see
        /// <see cref="LoadErrors"/>). A failure after a large allocation is followed by a full collection: the HDF5 reader
        /// (PureHDF 2.2) sizes some buffers from the file before it can check them, so a corrupted size can make it allocate
        /// gigabytes it never fills; collecting at once returns them instead of growing a long-running process.
        /// </summary>
        private static T WithFile<T>(string? file, Func<T> action)
        {
            long allocatedBefore = GC.GetTotalAllocatedBytes();
            try
            {
                return LoadErrors.AsKerasImportException(() =>
                {
                    try
                    {
                        return action();
                    }
                    catch (InvalidDataException e)
                    {
                        throw new KerasImportException($"the archive is corrupted ({e.Message}).", file, innerException: e);
                    }
                }, file);
            }
            catch (KerasImportException) when (GC.GetTotalAllocatedBytes() - allocatedBefore > ReclaimAfterFailedImportBytes)
            {
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                throw;
            }
        }

        /// <summary>The allocation after which a failed import collects (see <see cref="WithFile{T}"/>).</summary>
        private const long ReclaimAfterFailedImportBytes = 256L << 20;

        private static Stream OpenFile(string path) => File.OpenRead(CheckExists(path));

        private static string CheckExists(string path)
            => File.Exists(path) ? path : throw new FileNotFoundException($"No Keras file at '{path}'.", path);

        private static Stream Seekable(Stream stream)
        {
            if (stream.CanSeek)
                return new NonClosingStream(stream);
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            return copy;
        }

        /// <summary>Lets the caller keep ownership of a seekable stream passed in.</summary>
        private sealed class NonClosingStream : Stream
        {
            private readonly Stream _inner;

            public NonClosingStream(Stream inner) => _inner = inner;

            public override bool CanRead => _inner.CanRead;
            public override bool CanSeek => _inner.CanSeek;
            public override bool CanWrite => false;
            public override long Length => _inner.Length;
            public override long Position { get => _inner.Position; set => _inner.Position = value; }
            public override void Flush() { }
            public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
            public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }
}
