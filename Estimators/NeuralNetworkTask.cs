namespace Microsoft.ML.Layers.Estimators
{
    /// <summary>The prediction task, which fixes the label type ML.NET uses for it.</summary>
    public enum NeuralNetworkTask
    {
        /// <summary>A <c>Single</c> label; output <c>Score</c>.</summary>
        Regression,

        /// <summary>A <c>Boolean</c> label; outputs <c>Score</c>, <c>Probability</c>, <c>PredictedLabel</c>.</summary>
        BinaryClassification,

        /// <summary>A key-typed label; outputs <c>Score</c> (per-class probabilities) and <c>PredictedLabel</c> (key).</summary>
        MulticlassClassification,

        /// <summary>No label: the network's output (or an inner layer's) becomes one vector column
        /// (<c>ml.Transforms.NeuralNetwork</c>).</summary>
        FeatureExtraction,
    }
}
