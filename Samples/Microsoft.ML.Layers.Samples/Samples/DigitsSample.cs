using System;
using Microsoft.ML.Layers.Estimators;
using Microsoft.ML.Layers.Optimizers;

namespace Microsoft.ML.Layers.Samples
{
    /// <summary>
    /// optdigits with a small CNN inside an ML.NET pipeline: 10% of the training file validates each epoch (the curve),
    /// the test file scores the model; ML.NET's SDCA maximum entropy and LightGBM train on the same data.
    /// </summary>
    public static class DigitsSample
    {
        public static bool Run(SampleRun run)
        {
            var ml = run.ML;
            var (train, test) = Digit.Load(run);
            var split = ml.Data.TrainTestSplit(train, testFraction: 0.1, seed: 1);
            var prepare = ml.Transforms.Conversion.MapValueToKey("Label", "Number").Append(ml.Transforms.NormalizeMinMax("Features"));
            double Accuracy(ITransformer model) => ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;

            int epochs = run.Epochs(15);
            // The preparation is fitted first so that the trainer can also see validation data (ML.NET's pattern for it).
            // With --distributed (under mpirun), each process trains on its shard of the rows, in global batches of 64.
            var network = run.Train("NeuralNetwork (small CNN)", () => run.FitNetwork(prepare, _ => ml.MulticlassClassification.Trainers.NeuralNetwork(Digit.Network(),
                new NeuralNetworkOptions
                {
                    Epochs = epochs, BatchSize = 64, LearningRate = 2e-3f, Distribution = run.Distribution,
                    Callbacks = run.IsMainProcess ? new[] { run.Progress(epochs) } : Array.Empty<Layers.Callbacks.Callback>(),
                }),
                split.TrainSet, split.TestSet), Accuracy, "micro-accuracy");
            if (!run.IsMainProcess)
                return true; // The other processes only train; process 0 compares, saves and exports.
            run.WriteCurve("accuracy");

            run.Train("SdcaMaximumEntropy (ML.NET)", () => prepare.Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: run.Quick ? 5 : null)).Fit(train), Accuracy, "micro-accuracy");
            run.Train("LightGbm (ML.NET)", () => prepare.Append(ml.MulticlassClassification.Trainers.LightGbm(
                numberOfIterations: run.Quick ? 20 : 200)).Fit(train), Accuracy, "micro-accuracy");
            run.PrintComparison();

            bool reloaded = run.SaveReloadAndCompare(network, train.Schema, test, "Score");
            return OnnxRoundTrip.Check(run, network, test, "Score") && reloaded;
        }
    }
}
