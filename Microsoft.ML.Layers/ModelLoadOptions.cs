using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Limits and permissions that the loaders (<see cref="Model.Load(string, ModelLoadOptions?)"/>,
    /// <see cref="Model.LoadWeights(string, ModelLoadOptions?)"/>, <c>KerasModel.Load</c>, <see cref="Layer.Deserialize(string,
    /// ModelLoadOptions?)"/>, and ML.NET's <c>MLContext.Model.Load</c> of this library's transformers through
    /// <see cref="BeginScope"/>) apply to a file before trusting it: every size is checked against the file's declared sizes
    /// before anything is allocated, bytes are counted while they are inflated (a zip whose header lies stops at the limit),
    /// and the weights a config creates may not exceed what the file's weights account for. The defaults are generous for real
    /// models (far above any Keras application model); raise them for larger models, lower them for files from untrusted
    /// sources. A file over a limit fails with the loader's documented exception naming the limit.
    /// <code>
    /// var model = Model.Load("big.zip", new ModelLoadOptions { MaxWeightsEntryBytes = 32L &lt;&lt; 30 });
    /// </code>
    /// </summary>
    public sealed class ModelLoadOptions
    {
        private long _maxWeightsEntryBytes = 8L << 30;
        private long _maxOptimizerEntryBytes = 24L << 30;
        private long _maxJsonEntryBytes = 64L << 20;
        private int _maxJsonDepth = 512;
        private int _maxNameLength = 1024;
        private int _maxLayerCount = 100_000;
        private long _maxTotalWeightBytes = 8L << 30;

        /// <summary>The defaults (a new instance each time, so changing it changes nothing else).</summary>
        public static ModelLoadOptions Default => new();

        /// <summary>
        /// Makes <paramref name="options"/> apply to every load on this thread (and its async continuations) that is given no
        /// options, until the result is disposed. This is how options reach loaders that take none, such as ML.NET's
        /// <c>MLContext.Model.Load</c> of a pipeline holding a network:
        /// <code>
        /// using (ModelLoadOptions.BeginScope(new ModelLoadOptions { MaxTotalWeightBytes = 1L &lt;&lt; 30 }))
        ///     model = mlContext.Model.Load("pipeline.zip", out var schema);
        /// </code>
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
        public static IDisposable BeginScope(ModelLoadOptions options) => LoadScope.UseOptions(options);

        /// <summary>
        /// Assemblies that a config's <c>module</c> may cause to be loaded, by simple name (e.g. <c>"MyCompany.Layers"</c>),
        /// loaded from the application's own probing paths, never from a path. Empty by default: a class is then looked up
        /// only in assemblies already loaded in the process, and no file can make the process load an assembly. A name that
        /// is empty or holds a path separator is refused when it is added, with an <see cref="ArgumentException"/>.
        /// </summary>
        public ICollection<string> AllowedAssemblies { get; } = new AssemblyNames();

        /// <summary>
        /// The largest decompressed size of the weights (<c>model.weights.safetensors</c> in a model zip, or a weights file
        /// read by <c>LoadWeights</c>), in bytes. Default 8 GiB.
        /// </summary>
        public long MaxWeightsEntryBytes
        {
            get => _maxWeightsEntryBytes;
            set => _maxWeightsEntryBytes = Positive(value, nameof(MaxWeightsEntryBytes));
        }

        /// <summary>
        /// The largest decompressed size of the optimizer state (<c>optimizer.safetensors</c>), in bytes. Default 24 GiB
        /// (Adam keeps two slots per weight).
        /// </summary>
        public long MaxOptimizerEntryBytes
        {
            get => _maxOptimizerEntryBytes;
            set => _maxOptimizerEntryBytes = Positive(value, nameof(MaxOptimizerEntryBytes));
        }

        /// <summary>
        /// The largest decompressed size of a JSON entry (<c>config.json</c>, <c>compile.json</c>, <c>metadata.json</c>) and of a
        /// safetensors header, in bytes. Default 64 MiB (the config of a 100,000-layer model is a few MiB).
        /// </summary>
        public long MaxJsonEntryBytes
        {
            get => _maxJsonEntryBytes;
            set => _maxJsonEntryBytes = Positive(value, nameof(MaxJsonEntryBytes));
        }

        /// <summary>
        /// The deepest nesting of JSON objects and arrays accepted. Default 512: each nested model adds about 4 levels, so
        /// models nested over 100 deep load. At most 1,000 (the JSON reader's own ceiling).
        /// </summary>
        public int MaxJsonDepth
        {
            get => _maxJsonDepth;
            set => _maxJsonDepth = value is >= 1 and <= 1000 ? value
                : throw new ArgumentOutOfRangeException(nameof(MaxJsonDepth), value, $"{nameof(MaxJsonDepth)} must be between 1 and " +
                    $"1000. Received: {value}.");
        }

        /// <summary>
        /// The longest layer, weight or class name accepted (the config's <c>name</c>, <c>class_name</c>, <c>module</c> and
        /// <c>registered_name</c> values and the safetensors tensor names), in characters. Default 1,024.
        /// </summary>
        public int MaxNameLength
        {
            get => _maxNameLength;
            set => _maxNameLength = (int)Positive(value, nameof(MaxNameLength));
        }

        /// <summary>The most layers a config may describe, nested models' layers included. Default 100,000.</summary>
        public int MaxLayerCount
        {
            get => _maxLayerCount;
            set => _maxLayerCount = (int)Positive(value, nameof(MaxLayerCount));
        }

        /// <summary>
        /// The most bytes the weights may take in memory, summed over every tensor the weights file declares, checked before
        /// any of them is allocated. Default 8 GiB (two billion float32 weights).
        /// </summary>
        public long MaxTotalWeightBytes
        {
            get => _maxTotalWeightBytes;
            set => _maxTotalWeightBytes = Positive(value, nameof(MaxTotalWeightBytes));
        }

        /// <summary>A list of simple assembly names that refuses anything else as it is added.</summary>
        private sealed class AssemblyNames : Collection<string>
        {
            protected override void InsertItem(int index, string item)
                => base.InsertItem(index, Checked(item));

            protected override void SetItem(int index, string item)
                => base.SetItem(index, Checked(item));

            private static string Checked(string name)
                => !string.IsNullOrWhiteSpace(name) && name.IndexOfAny(new[] { '/', '\\', ',', ':' }) < 0 ? name
                    : throw new ArgumentException($"AllowedAssemblies takes simple assembly names such as \"MyCompany.Layers\", never a " +
                        $"path or a full name. Received: '{name}'.", nameof(name));
        }

        private static long Positive(long value, string name)
            => value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive. Received: {value}.");
    }
}
