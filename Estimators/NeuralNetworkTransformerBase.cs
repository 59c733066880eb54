using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Estimators;
using Microsoft.ML.Layers.Estimators.Internal;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Layers.Estimators
{
    /// <summary>
    /// What every transformer that runs a network shares: binding its input columns, the lazy batched <c>Transform</c>, the
    /// single-row mapper for <c>PredictionEngine</c>, and saving into the ML.NET model zip (the network's Keras config and
    /// safetensors weights, embedded as the same zip <see cref="Layers.Model.Save(System.IO.Stream, bool)"/> writes).
    /// </summary>
    /// <remarks>
    /// Loading (<c>MLContext.Model.Load</c>) verifies the CRC-32 of every entry of the model zip and the SHA-256 of the network,
    /// and applies <see cref="ModelLoadOptions"/> (through <see cref="ModelLoadOptions.BeginScope"/>). Whatever is wrong with
    /// the network or the zip makes the transformer's loader throw a <see cref="System.FormatException"/> naming the entry,
    /// with the original failure as its inner exception; ML.NET creates loaders by reflection, so the caller receives it
    /// wrapped in a <see cref="System.Reflection.TargetInvocationException"/> (sometimes inside an
    /// <see cref="System.InvalidOperationException"/>). No partially loaded network is kept.
    /// </remarks>
    public abstract class NeuralNetworkTransformerBase : ITransformer, ICanSaveModel
    {
        private const string StreamName = "NeuralNetwork.bin";
        private const int FormatVersion = 1;

        // The stream ends with this tag and the SHA-256 of everything before it (files written before the hash have neither).
        private static readonly byte[] HashTag = "MLLSHA25"u8.ToArray();
        private const int HashBytes = 32;

        private protected NeuralNetworkTransformerBase(IHostEnvironment env, string name, NeuralNetworkModelParameters model,
            DataViewType featureColumnType, int scoringBatchSize)
        {
            Host = (env ?? throw new ArgumentNullException(nameof(env))).Register(name);
            Model = model;
            FeatureColumnType = featureColumnType;
            ScoringBatchSize = scoringBatchSize;
        }

        private protected NeuralNetworkTransformerBase(IHostEnvironment env, string name, ModelLoadContext ctx, VersionInfo version)
        {
            Host = env.Register(name);
            ctx.CheckAtModel(version);
            NeuralNetworkModelParameters? model = null;
            DataViewType? featureType = null;
            int batchSize = 0;
            // Whatever fails while reading (a corrupted entry of the zip, a truncated stream, a corrupted network) is a
            // FormatException naming the network; ML.NET inflates the entry before the callback runs, so the call is wrapped too.
            if (ctx.Repository is not null)
                LoadErrors.KeepingFormatExceptions(() => RepositoryIntegrity.Verify(ctx.Repository), "the ML.NET model");
            bool found = LoadErrors.AsFormatException(() => ctx.TryLoadBinaryStream(StreamName,
                verifiedReader => LoadErrors.AsFormatException(() =>
            {
                using var reader = new BinaryReader(new MemoryStream(VerifiedPayload(verifiedReader)));
                // Layout: int format version; int task; int feature count; feature names; bool outputs probabilities;
                // int class count; class names; string output column; int output width; feature column type;
                // int scoring batch size; int length + model zip bytes; then (since the hash) the tag and SHA-256 of all that.
                int format = reader.ReadInt32();
                if (format != FormatVersion)
                    throw new FormatException($"Unsupported neural network model format {format} (this library reads {FormatVersion}).");
                var task = (NeuralNetworkTask)reader.ReadInt32();
                if (!Enum.IsDefined(task))
                    throw new FormatException($"Unknown task {(int)task} in the model (the file is corrupted).");
                int featureCount = reader.ReadInt32();
                if (featureCount is < 1 or > 10_000)
                    throw new FormatException($"Invalid feature column count {featureCount} in the model (the file is corrupted).");
                var features = Enumerable.Range(0, featureCount).Select(_ => reader.ReadString()).ToList();
                bool probabilities = reader.ReadBoolean();
                int classCount = reader.ReadInt32();
                int nameCount = reader.ReadInt32();
                if (nameCount < 0 || nameCount > 10_000_000)
                    throw new FormatException($"Invalid class name count {nameCount} in the model (the file is corrupted).");
                var names = Enumerable.Range(0, nameCount).Select(_ => reader.ReadString().AsMemory()).ToArray();
                string outputColumn = reader.ReadString();
                int outputWidth = reader.ReadInt32();
                featureType = ColumnTypes.Read(reader);
                batchSize = reader.ReadInt32();
                if (batchSize < 1)
                    throw new FormatException($"Invalid scoring batch size {batchSize} in the model (expected at least 1): corrupted.");
                int length = reader.ReadInt32();
                if (length <= 0 || length > reader.BaseStream.Length)
                    throw new FormatException($"The embedded network has an invalid length ({length}).");
                var zip = reader.ReadBytes(length);
                if (zip.Length != length)
                    throw new FormatException($"The embedded network is truncated: {zip.Length} of {length} bytes.");
                using var stream = new MemoryStream(zip);
                var network = Layers.Model.Load(stream, NetworkDescription);
                model = new NeuralNetworkModelParameters(network, task, features, probabilities,
                    new VBuffer<ReadOnlyMemory<char>>(names.Length, names), classCount, outputColumn, outputWidth);
            }, NetworkDescription)), NetworkDescription);
            if (!found || model is null || featureType is null)
                throw new FormatException($"The ML.NET model has no '{StreamName}' stream: it was not written by this library.");
            Model = model;
            FeatureColumnType = featureType;
            ScoringBatchSize = batchSize;
        }

        private const string NetworkDescription = "the neural network inside the ML.NET model";

        private protected IHost Host { get; }

        /// <summary>The network and what it does.</summary>
        public NeuralNetworkModelParameters Model { get; }

        /// <summary>The type of the (first) input column at training time.</summary>
        public DataViewType FeatureColumnType { get; }

        /// <summary>Rows per forward pass in <see cref="Transform"/>.</summary>
        public int ScoringBatchSize { get; }

        /// <inheritdoc />
        public bool IsRowToRowMapper => true;

        private protected abstract VersionInfo GetVersionInfo();

        private NetworkScorer Bind(DataViewSchema inputSchema)
        {
            var inputs = Model.FeatureColumnNames.Select(name => InputColumn.Bind(inputSchema, name)).ToList();
            if (FeatureColumnType is VectorDataViewType { Size: > 0 } trained && inputs[0].Column.Type is VectorDataViewType given
                && given.Size != trained.Size)
            {
                throw new ArgumentOutOfRangeException(nameof(inputSchema),
                    $"The feature column '{inputs[0].Column.Name}' has type {given}, but the network was trained on {trained}: the " +
                    $"vector size must be {trained.Size}.");
            }
            return new NetworkScorer(Model, inputs, new ScoreColumns(Model, inputSchema));
        }

        /// <summary>The input schema plus the added columns.</summary>
        /// <exception cref="ArgumentOutOfRangeException">An input column is missing or of an unsupported type.</exception>
        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
        {
            ArgumentNullException.ThrowIfNull(inputSchema);
            return ScoredDataView.AppendColumns(inputSchema, Bind(inputSchema).Columns.Added);
        }

        /// <summary>The transformed view of <paramref name="input"/>: lazy, many rows per forward pass.</summary>
        public IDataView Transform(IDataView input)
        {
            ArgumentNullException.ThrowIfNull(input);
            return new ScoredDataView(input, Bind(input.Schema), ScoringBatchSize);
        }

        /// <summary>The single-row mapper that <c>PredictionEngine</c> uses.</summary>
        public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
        {
            ArgumentNullException.ThrowIfNull(inputSchema);
            return new NetworkRowMapper(inputSchema, Bind(inputSchema));
        }

        /// <summary>
        /// The stream's bytes without the hash trailer, after checking the SHA-256 the trailer records (streams written before
        /// the hash have no trailer and are returned whole).
        /// </summary>
        private static byte[] VerifiedPayload(BinaryReader reader)
        {
            var stream = reader.BaseStream;
            long length = stream.Length - stream.Position;
            if (length > Array.MaxLength)
                throw new FormatException($"The '{StreamName}' stream of the ML.NET model is {length} bytes long, more than it can be.");
            var bytes = reader.ReadBytes((int)length);
            int payload = bytes.Length - HashTag.Length - HashBytes;
            if (payload < 0 || !bytes.AsSpan(payload, HashTag.Length).SequenceEqual(HashTag))
                return bytes;
            var recorded = bytes.AsSpan(payload + HashTag.Length);
            var actual = System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(0, payload));
            if (!actual.AsSpan().SequenceEqual(recorded))
                throw new FormatException($"The '{StreamName}' stream of the ML.NET model is corrupted: its SHA-256 is " +
                    $"{Convert.ToHexStringLower(actual)}, the stream records {Convert.ToHexStringLower(recorded)}.");
            return bytes.AsSpan(0, payload).ToArray();
        }

        void ICanSaveModel.Save(ModelSaveContext ctx)
        {
            ctx.CheckAtModel();
            ctx.SetVersionInfo(GetVersionInfo());
            using var zip = new MemoryStream();
            Model.Network.Save(zip, includeOptimizer: false);
            using var payload = new MemoryStream();
            using (var writer = new BinaryWriter(payload, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(FormatVersion);
                writer.Write((int)Model.Task);
                writer.Write(Model.FeatureColumnNames.Count);
                foreach (var name in Model.FeatureColumnNames)
                    writer.Write(name);
                writer.Write(Model.OutputsProbabilities);
                writer.Write(Model.ClassCount);
                var names = Model.ClassNames.DenseValues().ToList();
                writer.Write(names.Count);
                foreach (var name in names)
                    writer.Write(name.ToString());
                writer.Write(Model.OutputColumnName);
                writer.Write(Model.OutputWidth);
                ColumnTypes.Write(writer, FeatureColumnType);
                writer.Write(ScoringBatchSize);
                var bytes = zip.ToArray();
                writer.Write(bytes.Length);
                writer.Write(bytes);
            }
            ctx.SaveBinaryStream(StreamName, writer =>
            {
                var content = payload.GetBuffer().AsSpan(0, (int)payload.Length);
                writer.Write(content);
                writer.Write(HashTag);
                writer.Write(System.Security.Cryptography.SHA256.HashData(content));
            });
        }

        private protected static VersionInfo Version(string signature, string loaderSignature, Type type) => new(
            modelSignature: signature,
            verWrittenCur: 0x00010001,
            verReadableCur: 0x00010001,
            verWeCanReadBack: 0x00010001,
            loaderSignature: loaderSignature,
            loaderAssemblyName: type.Assembly.FullName);
    }
}
