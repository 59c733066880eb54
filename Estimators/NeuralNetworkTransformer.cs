using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Estimators;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

[assembly: LoadableClass(typeof(NeuralNetworkTransformer), null, typeof(SignatureLoadModel),
    "Neural Network Feature Transformer", NeuralNetworkTransformer.LoaderSignature)]

namespace Microsoft.ML.Layers.Estimators
{
    /// <summary>
    /// Applies a network to input column(s) and emits its output (or an inner layer's) as a <c>Vector&lt;Single&gt;</c> column:
    /// embeddings and learned features inside a pipeline (<c>ml.Transforms.NeuralNetwork</c>). The network is not trained here;
    /// hand it a network trained standalone, trained earlier in a pipeline (<c>trained.Model.Network</c>), or a fresh one.
    /// </summary>
    public sealed class NeuralNetworkTransformer : NeuralNetworkTransformerBase
    {
        internal const string LoaderSignature = "MLLayersNNFeatures";

        internal NeuralNetworkTransformer(IHostEnvironment env, NeuralNetworkModelParameters model, DataViewType featureColumnType,
            int scoringBatchSize)
            : base(env, nameof(NeuralNetworkTransformer), model, featureColumnType, scoringBatchSize)
        {
        }

        // Found by ML.NET's component catalog through the LoadableClass registration above.
        private NeuralNetworkTransformer(IHostEnvironment env, ModelLoadContext ctx)
            : base(env, nameof(NeuralNetworkTransformer), ctx, VersionInfo())
        {
        }

        /// <summary>The output column.</summary>
        public string OutputColumnName => Model.OutputColumnName;

        private static VersionInfo VersionInfo() => Version("MLLAYNNF", LoaderSignature, typeof(NeuralNetworkTransformer));

        private protected override VersionInfo GetVersionInfo() => VersionInfo();
    }
}
