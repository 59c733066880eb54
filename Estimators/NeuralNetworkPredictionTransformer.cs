using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Estimators;
using Microsoft.ML.Runtime;

[assembly: LoadableClass(typeof(NeuralNetworkPredictionTransformer), null, typeof(SignatureLoadModel),
    "Neural Network Prediction Transformer", NeuralNetworkPredictionTransformer.LoaderSignature)]

namespace Microsoft.ML.Layers.Estimators
{
    /// <summary>
    /// A trained network inside an ML.NET pipeline: adds ML.NET's score columns for its task (<c>Score</c>, and for
    /// classification <c>Probability</c>/<c>PredictedLabel</c>) with the same types and annotations as ML.NET's own trainers.
    /// <c>Transform</c> is lazy and scores many rows per forward pass; <c>PredictionEngine</c> uses a single-row path.
    /// </summary>
    /// <remarks>
    /// This is not one of ML.NET's own prediction transformers: those score one row per call through a value mapper, which
    /// cannot batch a network's forward pass. It implements the same contract (<see cref="ISingleFeaturePredictionTransformer{TModel}"/>),
    /// so <c>Evaluate</c> and permutation feature importance treat it alike.
    /// </remarks>
    public sealed class NeuralNetworkPredictionTransformer : NeuralNetworkTransformerBase,
        ISingleFeaturePredictionTransformer<NeuralNetworkModelParameters>
    {
        internal const string LoaderSignature = "MLLayersNeuralNetwork";

        internal NeuralNetworkPredictionTransformer(IHostEnvironment env, NeuralNetworkModelParameters model,
            DataViewType featureColumnType, int scoringBatchSize)
            : base(env, nameof(NeuralNetworkPredictionTransformer), model, featureColumnType, scoringBatchSize)
        {
        }

        // Found by ML.NET's component catalog through the LoadableClass registration above.
        private NeuralNetworkPredictionTransformer(IHostEnvironment env, ModelLoadContext ctx)
            : base(env, nameof(NeuralNetworkPredictionTransformer), ctx, VersionInfo())
        {
        }

        /// <summary>The (first) feature column, as ML.NET's permutation feature importance expects.</summary>
        public string FeatureColumnName => Model.FeatureColumnNames[0];

        private static VersionInfo VersionInfo() => Version("MLLAYNNT", LoaderSignature, typeof(NeuralNetworkPredictionTransformer));

        private protected override VersionInfo GetVersionInfo() => VersionInfo();
    }
}
