using System;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Estimators;
using Microsoft.ML.Layers.Optimizers;

namespace Microsoft.ML.Layers.Samples
{
    /// <summary>
    /// Taxi fare regression with ML.NET's published taxi-fare preparation (outlier fares dropped from training, one-hot
    /// vendor, rate code and payment type, mean-variance normalized passengers, time and distance) feeding a small dense
    /// network; 10% of the training rows validate each epoch. ML.NET's SDCA and FastTree train on the same features.
    /// </summary>
    public static class TaxiSample
    {
        public static bool Run(SampleRun run)
        {
            var ml = run.ML;
            var (train, test) = TaxiTrip.Load(run);
            // As ML.NET's taxi-fare sample does: fares outside $1..$150 are data errors, left out of training (not of the test).
            var cleaned = ml.Data.FilterRowsByColumn(train, nameof(TaxiTrip.FareAmount), lowerBound: 1, upperBound: 150);
            var split = ml.Data.TrainTestSplit(cleaned, testFraction: 0.1, seed: 1);
            var prepare = Prepare(ml);
            (double, string) RSquared(ITransformer model)
            {
                var metrics = ml.Regression.Evaluate(model.Transform(test), labelColumnName: nameof(TaxiTrip.FareAmount));
                return (metrics.RSquared, $"RMSE {metrics.RootMeanSquaredError:0.000}");
            }

            int epochs = run.Epochs(10, quick: 3);
            var network = run.Train("NeuralNetwork (Dense 64/32/1)", () => run.FitNetwork(prepare, _ => ml.Regression.Trainers.NeuralNetwork(
                Network(),
                new NeuralNetworkOptions { LabelColumnName = nameof(TaxiTrip.FareAmount), Epochs = epochs, BatchSize = 128, LearningRate = 3e-3f, Callbacks = new[] { run.Progress(epochs) } }),
                split.TrainSet, split.TestSet), RSquared, "R-squared");
            run.WriteCurve("loss");

            run.Train("Sdca (ML.NET)", () => prepare.Append(ml.Regression.Trainers.Sdca(nameof(TaxiTrip.FareAmount))).Fit(cleaned), RSquared, "R-squared");
            run.Train("FastTree (ML.NET)", () => prepare.Append(ml.Regression.Trainers.FastTree(nameof(TaxiTrip.FareAmount),
                numberOfTrees: run.Quick ? 20 : 100)).Fit(cleaned), RSquared, "R-squared");
            run.PrintComparison();

            bool reloaded = run.SaveReloadAndCompare(network, train.Schema, test, "Score");
            return OnnxRoundTrip.Check(run, network, test, "Score") && reloaded;
        }

        /// <summary>ML.NET's taxi-fare preparation: one-hot categories, mean-variance normalized numbers, one Features vector.</summary>
        public static IEstimator<ITransformer> Prepare(MLContext ml) => ml.Transforms.Categorical.OneHotEncoding(new[]
            {
                new InputOutputColumnPair("VendorIdEncoded", "VendorId"),
                new InputOutputColumnPair("RateCodeEncoded", "RateCode"),
                new InputOutputColumnPair("PaymentTypeEncoded", "PaymentType"),
            })
            .Append(ml.Transforms.NormalizeMeanVariance(new[]
            {
                new InputOutputColumnPair("PassengerCountNormalized", "PassengerCount"),
                new InputOutputColumnPair("TripTimeNormalized", "TripTime"),
                new InputOutputColumnPair("TripDistanceNormalized", "TripDistance"),
            }))
            .Append(ml.Transforms.Concatenate("Features", "VendorIdEncoded", "RateCodeEncoded", "PaymentTypeEncoded",
                "PassengerCountNormalized", "TripTimeNormalized", "TripDistanceNormalized"));

        /// <summary>The small dense network the taxi samples train: 64 and 32 ReLU units, one fare.</summary>
        public static Sequential Network() => new(new Dense(64, activation: "relu"), new Dense(32, activation: "relu"), new Dense(1));
    }
}
