using Microsoft.ML.Layers;
using Microsoft.ML.Layers.Estimators;
using Microsoft.ML.Layers.Import;
using Microsoft.ML.Layers.Optimizers;
using Microsoft.ML.Runtime;

namespace Microsoft.ML
{
    /// <summary>
    /// The front door of the ML.NET side: <c>ml.Regression.Trainers.NeuralNetwork</c>,
    /// <c>ml.BinaryClassification.Trainers.NeuralNetwork</c> and <c>ml.MulticlassClassification.Trainers.NeuralNetwork</c>,
    /// each with a simple-argument overload and an <see cref="NeuralNetworkOptions"/> overload.
    /// </summary>
    /// <remarks>
    /// <list type="table">
    /// <listheader><term>Task</term><description>Input columns → output columns</description></listheader>
    /// <item><term>Regression</term><description>Label: Single; features → <c>Score</c> (Single).</description></item>
    /// <item><term>Binary</term><description>Label: Boolean; features → <c>Score</c> (raw), <c>Probability</c>, <c>PredictedLabel</c>
    /// (Boolean).</description></item>
    /// <item><term>Multiclass</term><description>Label: key; features → <c>Score</c> (class probabilities, slot names),
    /// <c>PredictedLabel</c> (key with the label's values).</description></item>
    /// </list>
    /// Features: Vector&lt;Single&gt; (or Single, Double, Boolean, integers, keys, and vectors of them; variable-length vectors are padded
    /// per batch with a mask).
    /// The network given is a template: each Fit trains a copy of it, freshly initialized when the network is not built yet, and
    /// starting from its weights when it is (a network trained before, or imported with <see cref="KerasModel.Load(string, ModelLoadOptions?)"/>).
    /// </remarks>
    public static class NeuralNetworkCatalog
    {
        /// <summary>A regression trainer for <paramref name="network"/> (one output unit).</summary>
        /// <param name="catalog">The trainer catalog.</param>
        /// <param name="network">The network template; each Fit trains a copy.</param>
        /// <param name="labelColumnName">The label column.</param>
        /// <param name="featureColumnName">The feature column.</param>
        /// <param name="epochs">Passes over the training data (<see cref="NeuralNetworkOptions.Epochs"/>).</param>
        /// <param name="batchSize">Rows per optimizer step (<see cref="NeuralNetworkOptions.BatchSize"/>).</param>
        /// <param name="learningRate">Adam's learning rate (<see cref="NeuralNetworkOptions.LearningRate"/>).</param>
        public static NeuralNetworkTrainer NeuralNetwork(this RegressionCatalog.RegressionTrainers catalog, Layer network,
            string labelColumnName = "Label", string featureColumnName = "Features", int epochs = NeuralNetworkOptions.DefaultEpochs,
            int batchSize = NeuralNetworkOptions.DefaultBatchSize, float learningRate = NeuralNetworkOptions.DefaultLearningRate)
            => Create(catalog, network, NeuralNetworkTask.Regression,
                Simple(labelColumnName, featureColumnName, epochs, batchSize, learningRate));

        /// <summary>A regression trainer for <paramref name="network"/> with options.</summary>
        public static NeuralNetworkTrainer NeuralNetwork(this RegressionCatalog.RegressionTrainers catalog, Layer network,
            NeuralNetworkOptions options)
            => Create(catalog, network, NeuralNetworkTask.Regression, options);

        /// <summary>A binary classification trainer for <paramref name="network"/> (one output unit: a logit, or a sigmoid
        /// probability).</summary>
        /// <param name="catalog">The trainer catalog.</param>
        /// <param name="network">The network template; each Fit trains a copy.</param>
        /// <param name="labelColumnName">The label column.</param>
        /// <param name="featureColumnName">The feature column.</param>
        /// <param name="epochs">Passes over the training data (<see cref="NeuralNetworkOptions.Epochs"/>).</param>
        /// <param name="batchSize">Rows per optimizer step (<see cref="NeuralNetworkOptions.BatchSize"/>).</param>
        /// <param name="learningRate">Adam's learning rate (<see cref="NeuralNetworkOptions.LearningRate"/>).</param>
        public static NeuralNetworkTrainer NeuralNetwork(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
            Layer network,
            string labelColumnName = "Label", string featureColumnName = "Features", int epochs = NeuralNetworkOptions.DefaultEpochs,
            int batchSize = NeuralNetworkOptions.DefaultBatchSize, float learningRate = NeuralNetworkOptions.DefaultLearningRate)
            => Create(catalog, network, NeuralNetworkTask.BinaryClassification,
                Simple(labelColumnName, featureColumnName, epochs, batchSize, learningRate));

        /// <summary>A binary classification trainer for <paramref name="network"/> with options.</summary>
        public static NeuralNetworkTrainer NeuralNetwork(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
            Layer network, NeuralNetworkOptions options)
            => Create(catalog, network, NeuralNetworkTask.BinaryClassification, options);

        /// <summary>A multiclass trainer for <paramref name="network"/> (one output unit per class of the key-typed label).</summary>
        /// <param name="catalog">The trainer catalog.</param>
        /// <param name="network">The network template; each Fit trains a copy.</param>
        /// <param name="labelColumnName">The label column.</param>
        /// <param name="featureColumnName">The feature column.</param>
        /// <param name="epochs">Passes over the training data (<see cref="NeuralNetworkOptions.Epochs"/>).</param>
        /// <param name="batchSize">Rows per optimizer step (<see cref="NeuralNetworkOptions.BatchSize"/>).</param>
        /// <param name="learningRate">Adam's learning rate (<see cref="NeuralNetworkOptions.LearningRate"/>).</param>
        public static NeuralNetworkTrainer NeuralNetwork(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
            Layer network,
            string labelColumnName = "Label", string featureColumnName = "Features", int epochs = NeuralNetworkOptions.DefaultEpochs,
            int batchSize = NeuralNetworkOptions.DefaultBatchSize, float learningRate = NeuralNetworkOptions.DefaultLearningRate)
            => Create(catalog, network, NeuralNetworkTask.MulticlassClassification,
                Simple(labelColumnName, featureColumnName, epochs, batchSize, learningRate));

        /// <summary>A multiclass trainer for <paramref name="network"/> with options.</summary>
        public static NeuralNetworkTrainer NeuralNetwork(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
            Layer network, NeuralNetworkOptions options)
            => Create(catalog, network, NeuralNetworkTask.MulticlassClassification, options);

        /// <summary>
        /// Applies <paramref name="network"/> to <paramref name="inputColumnName"/> and writes its output, or the output of the
        /// inner layer named <paramref name="outputLayerName"/>, as a vector column: embeddings and features in a pipeline.
        /// </summary>
        public static NeuralNetworkTransformerEstimator NeuralNetwork(this TransformsCatalog catalog, Layer network,
            string outputColumnName,
            string inputColumnName = "Features", string? outputLayerName = null, int scoringBatchSize = 1024)
            => NeuralNetwork(catalog, network, outputColumnName, new[] { inputColumnName }, outputLayerName, scoringBatchSize);

        /// <summary>Applies a network with several inputs (one per column, in the network's input order) and writes its output as a vector
        /// column.</summary>
        public static NeuralNetworkTransformerEstimator NeuralNetwork(this TransformsCatalog catalog, Layer network,
            string outputColumnName,
            string[] inputColumnNames, string? outputLayerName = null, int scoringBatchSize = 1024)
        {
            System.ArgumentNullException.ThrowIfNull(catalog);
            return new NeuralNetworkTransformerEstimator(((Microsoft.ML.Data.IInternalCatalog)catalog).Environment, network,
                outputColumnName, inputColumnNames, outputLayerName, scoringBatchSize);
        }

        private static NeuralNetworkOptions Simple(string label, string features, int epochs, int batchSize, float learningRate)
            => new() { LabelColumnName = label, FeatureColumnNames = new[] { features }, Epochs = epochs, BatchSize = batchSize,
                LearningRate = learningRate };

        private static NeuralNetworkTrainer Create(TrainCatalogBase.CatalogInstantiatorBase catalog, Layer network, NeuralNetworkTask task,
            NeuralNetworkOptions options)
        {
            System.ArgumentNullException.ThrowIfNull(catalog);
            System.ArgumentNullException.ThrowIfNull(network);
            System.ArgumentNullException.ThrowIfNull(options);
            return new NeuralNetworkTrainer(((Microsoft.ML.Data.IInternalCatalog)catalog).Environment, network, task, options);
        }
    }
}
