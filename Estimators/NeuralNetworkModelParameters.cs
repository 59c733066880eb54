using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Estimators
{
    /// <summary>
    /// A trained network and what it was trained for: the task, the feature columns it reads, and for classification the
    /// label's class names. The <see cref="NeuralNetworkTransformerBase.Model"/> of a trained pipeline.
    /// </summary>
    public sealed class NeuralNetworkModelParameters
    {
        internal NeuralNetworkModelParameters(Model network, NeuralNetworkTask task, IReadOnlyList<string> featureColumnNames,
            bool outputsProbabilities, VBuffer<ReadOnlyMemory<char>> classNames, int classCount, string outputColumnName = "",
            int outputWidth = 0)
        {
            OutputColumnName = outputColumnName;
            OutputWidth = outputWidth;
            Network = network;
            Task = task;
            FeatureColumnNames = featureColumnNames;
            OutputsProbabilities = outputsProbabilities;
            ClassNames = classNames;
            ClassCount = classCount;
        }

        /// <summary>The trained network (a Microsoft.ML.Layers model: Summary, Predict, Save, fine-tuning all work).</summary>
        public Model Network { get; }

        /// <summary>The task the network was trained for.</summary>
        public NeuralNetworkTask Task { get; }

        /// <summary>The input columns, in the order of the network's inputs.</summary>
        public IReadOnlyList<string> FeatureColumnNames { get; }

        /// <summary>
        /// Whether the network's output layer already outputs probabilities (a final Softmax layer, or a sigmoid or softmax
        /// activation on the layer computing the output, nested models followed); otherwise its outputs are logits and the
        /// scorer applies the sigmoid or softmax.
        /// </summary>
        public bool OutputsProbabilities { get; }

        /// <summary>The label's class names (multiclass), in key order.</summary>
        public VBuffer<ReadOnlyMemory<char>> ClassNames { get; }

        /// <summary>The number of classes (multiclass), else 1.</summary>
        public int ClassCount { get; }

        /// <summary>The output column of a feature extraction (<see cref="NeuralNetworkTask.FeatureExtraction"/>).</summary>
        public string OutputColumnName { get; }

        /// <summary>The values per row of a feature extraction's output (the network output flattened per row).</summary>
        public int OutputWidth { get; }
    }
}
