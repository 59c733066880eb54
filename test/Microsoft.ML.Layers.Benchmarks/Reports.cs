using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Callbacks;
using Microsoft.ML.Layers.Estimators;
using Microsoft.ML.Layers.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Benchmarks
{
    /// <summary>
    /// The measurements that are distributions or trajectories rather than means: per-call latency percentiles, memory
    /// across epochs and predictions, and time to accuracy. Each line of the result is (name, value, note).
    /// </summary>
    public static class Reports
    {
        /// <summary>1 again, in <see cref="Interleaved"/> rounds: (a), (b), (c), (d) one after the other, and the median of each.</summary>
        public static IEnumerable<(string Name, string Value)> TrainingInterleaved()
        {
            var benchmark = new TrainingThroughputBenchmarks();
            benchmark.Setup();
            try
            {
                var variants = new (string Name, Action Run)[]
                {
                    ("(a) raw TorchSharp loop", benchmark.RawTorchSharp),
                    ("(b) Sequential.Fit", benchmark.SequentialFit),
                    ("(c) trainer, in-memory IDataView", benchmark.TrainerInMemory),
                    ("(d) trainer, streaming binary IDV", benchmark.TrainerStreaming),
                };
                int rounds = BenchmarkSettings.Quick ? 2 : 9;
                var medians = Interleaved.MedianMilliseconds(variants.Select(v => v.Run).ToList(), rounds);
                double rows = BenchmarkSettings.Rows * (double)BenchmarkSettings.Epochs;
                for (int v = 0; v < variants.Length; v++)
                {
                    yield return ($"{variants[v].Name}: rows/s (ratio to (a)), median of {rounds} interleaved rounds",
                        $"{rows / (medians[v] / 1e3):N0}  ({medians[0] / medians[v]:0.00})");
                }
            }
            finally
            {
                benchmark.Cleanup();
            }
        }

        /// <summary>
        /// 4. p50/p99 of single calls: the raw forward, <c>PredictionEngine.Predict</c> and the network's own <c>Apply</c> on a
        /// prepared tensor (Layer.Apply's machinery without ML.NET), interleaved call by call so all see the same machine.
        /// </summary>
        public static IEnumerable<(string Name, string Value)> Latency()
        {
            var benchmark = new LatencyBenchmarks();
            benchmark.Setup();
            try
            {
                var (engine, raw, rows) = benchmark.Parts;
                var network = benchmark.Network;
                int calls = BenchmarkSettings.Quick ? 2_000 : 50_000;
                var rawTimes = new double[calls];
                var engineTimes = new double[calls];
                var applyTimes = new double[calls];
                for (int i = 0; i < 2_000; i++)
                {
                    LatencyBenchmarks.RawSingleRow(raw, rows[i % rows.Length].Features);
                    engine.Predict(rows[i % rows.Length]);
                    LatencyBenchmarks.ModelApplySingleRow(network, rows[i % rows.Length].Features);
                }
                for (int i = 0; i < calls; i++)
                {
                    var row = rows[i % rows.Length];
                    long start = Stopwatch.GetTimestamp();
                    LatencyBenchmarks.RawSingleRow(raw, row.Features);
                    long middle = Stopwatch.GetTimestamp();
                    engine.Predict(row);
                    long end = Stopwatch.GetTimestamp();
                    LatencyBenchmarks.ModelApplySingleRow(network, row.Features);
                    long last = Stopwatch.GetTimestamp();
                    rawTimes[i] = (middle - start) * 1e6 / Stopwatch.Frequency;
                    engineTimes[i] = (end - middle) * 1e6 / Stopwatch.Frequency;
                    applyTimes[i] = (last - end) * 1e6 / Stopwatch.Frequency;
                }
                double rawP50 = Percentile(rawTimes, 50), rawP99 = Percentile(rawTimes, 99);
                double engineP50 = Percentile(engineTimes, 50), engineP99 = Percentile(engineTimes, 99);
                double applyP50 = Percentile(applyTimes, 50), applyP99 = Percentile(applyTimes, 99);
                yield return ("raw single-row forward p50 / p99", $"{rawP50:0.0} / {rawP99:0.0} µs");
                yield return ("PredictionEngine.Predict p50 / p99", $"{engineP50:0.0} / {engineP99:0.0} µs");
                yield return ("PredictionEngine p50 / raw p50 (target <= 1.5)", $"{engineP50 / rawP50:0.00}");
                yield return ("Model.Apply on a prepared 1x64 tensor p50 / p99 (ratio to raw p50)",
                    $"{applyP50:0.0} / {applyP99:0.0} µs ({applyP50 / rawP50:0.00})");
            }
            finally
            {
                benchmark.Cleanup();
            }
        }

        /// <summary>5. Working set and live tensors across 20 epochs of Fit, then 100k predictions (Transform and PredictionEngine).</summary>
        public static IEnumerable<(string Name, string Value)> Memory()
        {
            set_num_threads(BenchmarkSettings.Threads);
            using var data = new BenchmarkData(BenchmarkSettings.Rows);
            int epochs = BenchmarkSettings.Quick ? 3 : 20;
            var process = Process.GetCurrentProcess();
            long WorkingSetMb()
            {
                process.Refresh();
                return process.WorkingSet64 >> 20;
            }
            long Live() => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

            var perEpoch = new List<(long WorkingSet, long Live)>();
            using var model = TrainingThroughputBenchmarks.Network();
            model.Compile(new Adam(1e-3), "mse");
            model.Fit(data.X, data.Y, batchSize: 256, epochs: epochs, verbose: 0,
                callbacks: new[] { new LambdaCallback(onEpochEnd: (_, _) => perEpoch.Add((WorkingSetMb(), Live()))) });
            yield return ($"Sequential.Fit: working set after epoch 1 / {epochs} (MB)", $"{perEpoch[0].WorkingSet} / {perEpoch[^1].WorkingSet}");
            yield return ($"Sequential.Fit: live tensors after epoch 1 / {epochs}", $"{perEpoch[0].Live} / {perEpoch[^1].Live}");

            var trained = data.ML.Regression.Trainers.NeuralNetwork(TrainingThroughputBenchmarks.Network(),
                new NeuralNetworkOptions { Epochs = 1, BatchSize = 256 }).Fit(data.InMemory);
            long liveBefore = Live(), workingBefore = WorkingSetMb();
            for (int pass = 0; pass < 3; pass++)
            {
                var scored = trained.Transform(data.InMemory);
                _ = scored.GetColumn<float>("Score").Sum();
            }
            using (var engine = data.ML.Model.CreatePredictionEngine<Row, LatencyBenchmarks.Prediction>(trained))
            {
                foreach (var row in data.Rows)
                    engine.Predict(row);
            }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            yield return ($"{3 * data.Rows.Length:N0} Transform + {data.Rows.Length:N0} PredictionEngine predictions: live tensors before / after", $"{liveBefore} / {Live()}");
            yield return ("... working set before / after (MB)", $"{workingBefore} / {WorkingSetMb()}");
            process.Refresh();
            yield return ("peak working set of the process (MB)", $"{process.PeakWorkingSet64 >> 20}");
        }

        /// <summary>6. Seconds for the NeuralNetwork trainer's CNN to reach 0.97 micro-accuracy on optdigits' test file, against ML.NET's trainers.</summary>
        public static IEnumerable<(string Name, string Value)> TimeToAccuracy()
        {
            string? dataDirectory = FindSharedData();
            if (dataDirectory is null)
            {
                yield return ("time to accuracy", "skipped: ../shared/data not found (optdigits is needed)");
                yield break;
            }
            set_num_threads(BenchmarkSettings.Threads);
            var ml = new MLContext(seed: 1);
            var train = ml.Data.LoadFromTextFile<Digit>(Path.Combine(dataDirectory, "optdigits-train.csv"), separatorChar: ',');
            var test = ml.Data.LoadFromTextFile<Digit>(Path.Combine(dataDirectory, "optdigits-test.csv"), separatorChar: ',');
            var prepare = ml.Transforms.Conversion.MapValueToKey("Label", "Number").Append(ml.Transforms.NormalizeMinMax("Features")).Fit(train);
            var preparedTrain = prepare.Transform(train);
            var preparedTest = prepare.Transform(test);

            var clock = new Stopwatch();
            double? secondsTo97 = null;
            double bestAccuracy = 0;
            int epochs = BenchmarkSettings.Quick ? 3 : 30;
            var network = DigitsNetwork();
            var options = new NeuralNetworkOptions
            {
                Epochs = epochs,
                BatchSize = 64,
                LearningRate = 2e-3f,
                // The test file is the validation data: val_accuracy is the test micro-accuracy after each epoch.
                Callbacks = new Callback[]
                {
                    new LambdaCallback(onEpochEnd: (_, logs) =>
                    {
                        double accuracy = logs["val_accuracy"];
                        bestAccuracy = Math.Max(bestAccuracy, accuracy);
                        if (accuracy >= 0.97 && secondsTo97 is null)
                            secondsTo97 = clock.Elapsed.TotalSeconds;
                    }),
                },
            };
            clock.Start();
            ml.MulticlassClassification.Trainers.NeuralNetwork(network, options).Fit(preparedTrain, preparedTest);
            double total = clock.Elapsed.TotalSeconds;
            yield return ("NeuralNetwork CNN: seconds to 0.97 test micro-accuracy", secondsTo97 is double s ? $"{s:0.0} s (best {bestAccuracy:0.000} in {epochs} epochs, {total:0.0} s)" : $"not reached (best {bestAccuracy:0.000} in {total:0.0} s)");

            foreach (var (name, trainer) in new (string, IEstimator<ITransformer>)[]
            {
                ("ML.NET LightGbm", ml.MulticlassClassification.Trainers.LightGbm()),
                ("ML.NET SdcaMaximumEntropy", ml.MulticlassClassification.Trainers.SdcaMaximumEntropy()),
            })
            {
                var watch = Stopwatch.StartNew();
                var model = trainer.Fit(preparedTrain);
                double seconds = watch.Elapsed.TotalSeconds;
                double accuracy = ml.MulticlassClassification.Evaluate(model.Transform(preparedTest)).MicroAccuracy;
                yield return ($"{name}: test micro-accuracy, training seconds", $"{accuracy:0.000}, {seconds:0.0} s");
            }
        }

        /// <summary>The optdigits CNN of the time-to-accuracy report (and of the distributed report).</summary>
        public static Sequential DigitsNetwork() => new(
            new Reshape(8, 8, 1),
            new Conv2D(32, kernelSize: 3, padding: Padding.Same, activation: "relu"),
            new MaxPooling2D(2),
            new Conv2D(64, kernelSize: 3, padding: Padding.Same, activation: "relu"),
            new Flatten(),
            new Dropout(0.25),
            new Dense(64, activation: "relu"),
            new Dense(10));

        public sealed class Digit
        {
            [LoadColumn(0, 63), VectorType(64)] public float[] Features { get; set; } = Array.Empty<float>();

            [LoadColumn(64)] public float Number { get; set; }
        }

        internal static string? FindSharedData()
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "MLLayers.sln")))
                {
                    string shared = Path.Combine(directory.FullName, "..", "shared", "data");
                    return File.Exists(Path.Combine(shared, "optdigits-train.csv")) ? Path.GetFullPath(shared) : null;
                }
            }
            return null;
        }

        private static double Percentile(double[] values, double percentile)
        {
            var sorted = values.OrderBy(v => v).ToArray();
            return sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(percentile / 100 * sorted.Length) - 1)];
        }
    }
}
