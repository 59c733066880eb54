using System;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Estimators;
using TorchSharp;

namespace Microsoft.ML.Layers.Samples
{
    /// <summary>
    /// Census income (UCI Adult), two ways of giving a network categorical columns: one-hot vectors concatenated with the
    /// normalized numbers (a Sequential model), or each column as a key with its own Embedding (a functional model with one
    /// input per column, fed through <see cref="NeuralNetworkOptions.FeatureColumnNames"/>). 10% of the training rows
    /// validate each epoch; ML.NET's SDCA and L-BFGS logistic regressions and LightGBM train on the one-hot features.
    /// </summary>
    public static class AdultSample
    {
        public static bool Run(SampleRun run)
        {
            var ml = run.ML;
            var (train, test) = Adult.Load(run);
            var split = ml.Data.TrainTestSplit(train, testFraction: 0.1, seed: 1);
            var auc = run.AucAndAccuracy(test);

            // The numbers as one normalized vector; the categories one-hot, all in "Features" (what ML.NET's trainers take too).
            var numeric = ml.Transforms.Concatenate("Numeric", Adult.Numeric).Append(ml.Transforms.NormalizeMeanVariance("Numeric"));
            var oneHot = ml.Transforms.Categorical.OneHotEncoding(Adult.Categorical.Select(c => new InputOutputColumnPair(c)).ToArray())
                .Append(numeric)
                .Append(ml.Transforms.Concatenate("Features", Adult.Categorical.Append("Numeric").ToArray()));
            // The categories as keys instead, one column each: 1..n for the values seen in training, 0 for others.
            var keys = ml.Transforms.Conversion.MapValueToKey(Adult.Categorical.Select(c => new InputOutputColumnPair(c)).ToArray()).Append(numeric);

            int epochs = run.Epochs(8);
            var options = () => new NeuralNetworkOptions { Epochs = epochs, BatchSize = 128, Callbacks = new[] { run.Progress(epochs) } };
            run.Train("NeuralNetwork (one-hot, Dense 64)", () => run.FitNetwork(oneHot, _ => ml.BinaryClassification.Trainers.NeuralNetwork(
                new Sequential(new Dense(64, activation: "relu"), new Dropout(0.2), new Dense(1)), options()), split.TrainSet, split.TestSet), auc, "AUC");
            run.WriteCurve("accuracy", "one-hot");

            var embedded = run.Train("NeuralNetwork (keys, Embedding each)", () => run.FitNetwork(keys, schema =>
            {
                var network = EmbeddingNetwork(Adult.Categorical.Select(c => (c, SampleRun.KeyCount(schema, c))).ToArray(), Adult.Numeric.Length);
                var embeddingOptions = options();
                embeddingOptions.FeatureColumnNames = Adult.Categorical.Append("Numeric").ToArray();
                return ml.BinaryClassification.Trainers.NeuralNetwork(network, embeddingOptions);
            }, split.TrainSet, split.TestSet), auc, "AUC");
            run.WriteCurve("accuracy", "embedding");

            run.Train("SdcaLogisticRegression (ML.NET)", () => oneHot.Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression()).Fit(train), auc, "AUC");
            run.Train("LbfgsLogisticRegression (ML.NET)", () => oneHot.Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression()).Fit(train), auc, "AUC");
            run.Train("LightGbm (ML.NET)", () => oneHot.Append(ml.BinaryClassification.Trainers.LightGbm(
                numberOfIterations: run.Quick ? 20 : 100)).Fit(train), auc, "AUC");
            run.PrintComparison();

            bool reloaded = run.SaveReloadAndCompare(embedded, train.Schema, test, "Probability");
            return OnnxRoundTrip.Check(run, embedded, test, "Probability") && reloaded;
        }

        /// <summary>
        /// One int64 input per key column, named as the column, each through its own Embedding (about half as many
        /// dimensions as values, 2 to 8), concatenated with the numeric input; then Dense(64)/Dropout/Dense(1) as the
        /// one-hot network.
        /// </summary>
        private static Model EmbeddingNetwork((string Column, int KeyCount)[] categorical, int numericWidth)
        {
            var inputs = categorical.Select(c => Input.Create(1, dtype: torch.ScalarType.Int64, name: c.Column)).ToArray();
            var numeric = Input.Create(numericWidth, name: "Numeric");
            var vectors = categorical.Select((c, i) => new Flatten().Apply(new Embedding(c.KeyCount + 1, Math.Clamp(c.KeyCount / 2, 2, 8)).Apply(inputs[i])));
            var merged = new Concatenate().Apply(vectors.Append(numeric).ToArray());
            var hidden = new Dropout(0.2).Apply(new Dense(64, activation: "relu").Apply(merged));
            return new Model(inputs.Append(numeric).ToArray(), new[] { new Dense(1).Apply(hidden) });
        }
    }
}
