using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Estimators;
using Microsoft.ML.Layers.Estimators.Data;
using Microsoft.ML.Layers.Estimators.Scoring;
using Microsoft.ML.Runtime;

[assembly: LoadableClass(typeof(NeuralNetworkPredictionTransformer), null, typeof(SignatureLoadModel),
    "Neural Network Prediction Transformer", NeuralNetworkPredictionTransformer.LoaderSignature)]

namespace Microsoft.ML.Layers.Estimators
{
    /// <summary>
    /// A trained network inside an ML.NET pipeline: adds ML.NET's score columns for its task (see <see cref="ScoreColumns"/>).
    /// <c>Transform</c> is lazy and scores many rows per forward pass; <c>PredictionEngine</c> uses a single-row path.
    /// Saved into the ML.NET model zip with the network's Keras config and safetensors weights.
    /// </summary>
    /// <remarks>
    /// This is not one of ML.NET's own prediction transformers: those score one row per call through a value mapper, which
    /// cannot batch a network's forward pass. It implements the same contracts (<see cref="ISingleFeaturePredictionTransformer{TModel}"/>),
    /// and its columns carry the same annotations, so <c>Evaluate</c> and permutation feature importance treat it alike.
    /// </remarks>
    public sealed class NeuralNetworkPredictionTransformer : ISingleFeaturePredictionTransformer<NeuralNetworkModelParameters>, ICanSaveModel
    {
        internal const string LoaderSignature = "MLLayersNeuralNetwork";
        private const string StreamName = "NeuralNetwork.bin";
        private const int FormatVersion = 1;

        private readonly IHost _host;

        internal NeuralNetworkPredictionTransformer(IHostEnvironment env, NeuralNetworkModelParameters model, DataViewType featureColumnType, int scoringBatchSize)
        {
            _host = (env ?? throw new ArgumentNullException(nameof(env))).Register(nameof(NeuralNetworkPredictionTransformer));
            Model = model;
            FeatureColumnType = featureColumnType;
            ScoringBatchSize = scoringBatchSize;
        }

        // Found by ML.NET's component catalog through the LoadableClass registration above.
        private NeuralNetworkPredictionTransformer(IHostEnvironment env, ModelLoadContext ctx)
        {
            _host = env.Register(nameof(NeuralNetworkPredictionTransformer));
            ctx.CheckAtModel(VersionInfo());
            NeuralNetworkModelParameters? model = null;
            DataViewType? featureType = null;
            int batchSize = 0;
            bool found = ctx.TryLoadBinaryStream(StreamName, reader =>
            {
                // Layout: int format version; int task; int feature count; feature names; bool outputs probabilities;
                // int class count; class names; feature column type; int scoring batch size; int length + model zip bytes.
                int version = reader.ReadInt32();
                if (version != FormatVersion)
                    throw new FormatException($"Unsupported neural network model format {version} (this library reads {FormatVersion}).");
                var task = (NeuralNetworkTask)reader.ReadInt32();
                var features = Enumerable.Range(0, reader.ReadInt32()).Select(_ => reader.ReadString()).ToList();
                bool probabilities = reader.ReadBoolean();
                int classCount = reader.ReadInt32();
                var names = Enumerable.Range(0, reader.ReadInt32()).Select(_ => reader.ReadString().AsMemory()).ToArray();
                featureType = ColumnTypes.Read(reader);
                batchSize = reader.ReadInt32();
                int length = reader.ReadInt32();
                if (length <= 0 || length > reader.BaseStream.Length)
                    throw new FormatException($"The embedded network has an invalid length ({length}).");
                var zip = reader.ReadBytes(length);
                if (zip.Length != length)
                    throw new FormatException($"The embedded network is truncated: {zip.Length} of {length} bytes.");
                using var stream = new MemoryStream(zip);
                var network = Layers.Model.Load(stream, "the neural network inside the ML.NET model");
                model = new NeuralNetworkModelParameters(network, task, features, probabilities, new VBuffer<ReadOnlyMemory<char>>(names.Length, names), classCount);
            });
            if (!found || model is null || featureType is null)
                throw new FormatException($"The ML.NET model has no '{StreamName}' stream: it was not written by {nameof(NeuralNetworkPredictionTransformer)}.");
            Model = model;
            FeatureColumnType = featureType;
            ScoringBatchSize = batchSize;
        }

        /// <summary>The trained network and its task.</summary>
        public NeuralNetworkModelParameters Model { get; }

        /// <summary>The (first) feature column, as ML.NET's permutation feature importance expects.</summary>
        public string FeatureColumnName => Model.FeatureColumnNames[0];

        /// <summary>The type of the (first) feature column at training time.</summary>
        public DataViewType FeatureColumnType { get; }

        /// <summary>Rows per forward pass in <see cref="Transform"/>.</summary>
        public int ScoringBatchSize { get; }

        /// <inheritdoc />
        public bool IsRowToRowMapper => true;

        private NetworkScorer Bind(DataViewSchema inputSchema)
        {
            var inputs = Model.FeatureColumnNames.Select(name => InputColumn.Bind(inputSchema, name)).ToList();
            return new NetworkScorer(Model, inputs, new ScoreColumns(Model, inputSchema));
        }

        /// <summary>The input schema plus the score columns.</summary>
        /// <exception cref="ArgumentOutOfRangeException">A feature column is missing or of an unsupported type.</exception>
        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
        {
            ArgumentNullException.ThrowIfNull(inputSchema);
            return ScoredDataView.AppendColumns(inputSchema, Bind(inputSchema).Columns.Added);
        }

        /// <summary>The scored view of <paramref name="input"/>: lazy, batched.</summary>
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

        private static VersionInfo VersionInfo() => new(
            modelSignature: "MLLAYNNT",
            verWrittenCur: 0x00010001,
            verReadableCur: 0x00010001,
            verWeCanReadBack: 0x00010001,
            loaderSignature: LoaderSignature,
            loaderAssemblyName: typeof(NeuralNetworkPredictionTransformer).Assembly.FullName);

        void ICanSaveModel.Save(ModelSaveContext ctx)
        {
            ctx.CheckAtModel();
            ctx.SetVersionInfo(VersionInfo());
            using var zip = new MemoryStream();
            Model.Network.Save(zip, includeOptimizer: false);
            ctx.SaveBinaryStream(StreamName, writer =>
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
                ColumnTypes.Write(writer, FeatureColumnType);
                writer.Write(ScoringBatchSize);
                var bytes = zip.ToArray();
                writer.Write(bytes.Length);
                writer.Write(bytes);
            });
        }
    }
}
