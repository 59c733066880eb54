using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Estimators;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Estimators
{
    /// <summary>The estimator of <see cref="NeuralNetworkTransformer"/>: binds the columns and, for an unbuilt network, builds it from the
    /// data's shape.</summary>
    public sealed class NeuralNetworkTransformerEstimator : IEstimator<NeuralNetworkTransformer>
    {
        private readonly IHost _host;
        private readonly Layer _network;
        private readonly string _outputColumnName;
        private readonly IReadOnlyList<string> _inputColumnNames;
        private readonly string? _outputLayerName;
        private readonly int _scoringBatchSize;

        internal NeuralNetworkTransformerEstimator(IHostEnvironment env, Layer network, string outputColumnName,
            IReadOnlyList<string> inputColumnNames, string? outputLayerName, int scoringBatchSize)
        {
            _host = (env ?? throw new ArgumentNullException(nameof(env))).Register(nameof(NeuralNetworkTransformerEstimator));
            _network = network ?? throw new ArgumentNullException(nameof(network));
            _outputColumnName = string.IsNullOrWhiteSpace(outputColumnName)
                ? throw new ArgumentException("The output column needs a name.", nameof(outputColumnName)) : outputColumnName;
            _inputColumnNames = inputColumnNames is { Count: > 0 } ? inputColumnNames
                : throw new ArgumentException("At least one input column is needed.", nameof(inputColumnNames));
            _outputLayerName = outputLayerName;
            _scoringBatchSize = scoringBatchSize > 0 ? scoringBatchSize
                : throw new ArgumentOutOfRangeException(nameof(scoringBatchSize), $"Received: {scoringBatchSize}");
        }

        /// <summary>Binds the input columns and measures the output width on the first row.</summary>
        /// <exception cref="ArgumentOutOfRangeException">An input column is missing or of an unsupported type.</exception>
        /// <exception cref="InvalidOperationException">The data is empty, or the named layer does not exist.</exception>
        public NeuralNetworkTransformer Fit(IDataView input)
        {
            ArgumentNullException.ThrowIfNull(input);
            var inputs = _inputColumnNames.Select(name => InputColumn.Bind(input.Schema, name, "input")).ToList();
            var network = Truncate(_network as Model ?? new Sequential(new[] { _network }, name: "network"));
            int width;
            using (NewDisposeScope())
            using (no_grad())
            {
                var first = new DataViewBatches(input, inputs, null, 1, checkFinite: false).FirstOrDefault()
                    ?? throw new InvalidOperationException("The data is empty: the network's output size is measured on the first row.");
                var output = first.Inputs.Count == 1 ? network.Apply(first.Inputs[0], training: false)
                    : network.Apply(first.Inputs, training: false);
                width = (int)(output.numel() / Math.Max(1, output.shape[0]));
            }
            var parameters = new NeuralNetworkModelParameters(network, NeuralNetworkTask.FeatureExtraction, _inputColumnNames.ToList(),
                false,
                default, 0, _outputColumnName, width);
            return new NeuralNetworkTransformer(_host, parameters, inputs[0].Column.Type, _scoringBatchSize);
        }

        /// <summary>The network up to and including the named inner layer (sharing its weights), or the whole network.</summary>
        private Model Truncate(Model network)
        {
            if (_outputLayerName is null)
                return network;
            var layer = network.Layers.FirstOrDefault(l => l.Name == _outputLayerName) ?? throw new InvalidOperationException(
                $"The network has no layer named '{_outputLayerName}'. Its layers: " +
                $"{string.Join(", ", network.Layers.Select(l => l.Name))}.");
            if (network is Sequential sequential)
            {
                var kept = new List<Layer>();
                if (sequential.InputLayerOrNull is InputLayer inputLayer)
                    kept.Add(inputLayer);
                foreach (var l in sequential.Layers)
                {
                    kept.Add(l);
                    if (l == layer)
                        break;
                }
                return new Sequential(kept, name: $"{network.Name}_to_{layer.Name}");
            }
            if (network.Graph is FunctionalGraph graph)
            {
                var node = graph.Nodes.FirstOrDefault(n => n.Layer == layer)
                    ?? throw new InvalidOperationException($"Layer '{_outputLayerName}' is an input of the network.");
                return new Model(graph.Inputs, new[] { node.Outputs[0] }, name: $"{network.Name}_to_{layer.Name}");
            }
            throw new InvalidOperationException($"An inner layer's output can be taken from Sequential and functional models; " +
                $"'{network.Name}' is subclassed.");
        }

        /// <summary>Adds the output column (a vector of Single) to the schema shape.</summary>
        public SchemaShape GetOutputSchema(SchemaShape inputSchema)
        {
            ArgumentNullException.ThrowIfNull(inputSchema);
            foreach (var name in _inputColumnNames)
                InputColumn.CheckShape(inputSchema, name, "input");
            var columns = inputSchema.ToDictionary(c => c.Name);
            columns[_outputColumnName] = new SchemaShape.Column(_outputColumnName, SchemaShape.Column.VectorKind.Vector,
                NumberDataViewType.Single, false);
            return new SchemaShape(columns.Values);
        }
    }
}
