using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Layers.Callbacks;
using Microsoft.ML.Layers.Distributed;
using Microsoft.ML.Layers.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.MpiRanks
{
    /// <summary>
    /// Scenario <c>data-parallel</c>: an MLP and a small CNN, each trained with <see cref="DataParallel"/>, each rank on its
    /// contiguous shard of every global batch (no shuffle), then one TrainOnBatch on a global batch, against one process doing
    /// the same on whole batches from the same initial weights (computed inside rank 0). Each rank starts from different random
    /// weights, so the broadcast from rank 0 matters. Checks: the weights match the one-process reference within 1e-5; every
    /// rank holds exactly rank 0's weights; History is identical on every rank and matches the reference's. Then a model with
    /// BatchNormalization: identical weights and moving statistics on every rank; files written by rank 0's callbacks only.
    /// </summary>
    internal static class DataParallelScenario
    {
        private const double Tolerance = 1e-5;

        public static void Run(int rank, int size)
        {
            torch.set_num_threads(1);
            torch.manual_seed(7);
            // 69 rows in batches of 16: the last batch of each epoch has 5 rows, unequal shards (2 and 3 on 2 ranks).
            using var x = randn(69, 5);
            using var y = randn(69, 3);
            // A small CNN on 8x8 images, 3 classes, sparse crossentropy and accuracy: 42 rows in batches of 8 (last batch: 2).
            // All data is drawn before any model seeds the generator with its rank, so every rank has the same data.
            using var images = randn(42, 8, 8, 1);
            using var labels = randint(0, 3, new long[] { 42 }, dtype: ScalarType.Int64);
            Equivalence(rank, "MLP", Mlp, x, y, batchSize: 16, epochs: 3);
            // Shuffled: each rank's generator is in another state (its own model seed); DataParallel seeds them all from rank 0.
            Equivalence(rank, "MLP shuffled", Mlp, x, y, batchSize: 16, epochs: 3, shuffle: true);
            Equivalence(rank, "CNN", Cnn, images, labels, batchSize: 8, epochs: 2);
            BatchNormalizationStaysIdentical(rank, x, y);
            EarlyStoppingDecidesAlike(rank, x, y);
        }

        private static void Equivalence(int rank, string what, Func<long, Sequential> build, Tensor x, Tensor y, int batchSize,
            int epochs, bool shuffle = false)
        {
            long rows = x.shape[0];
            using var strategy = new DataParallel();
            using var model = build(100 + rank);
            var initial = model.Weights.Select(w => w.detach().clone()).ToArray();
            model.Distribution = strategy;
            // After every step, every rank holds exactly rank 0's weights (a broadcast of rank 0's, compared bit for bit).
            // The batch logs the callbacks see (running loss and metrics, reduced in the step's all-reduce) are rank 0's too.
            int checkedSteps = 0;
            var batchLogs = new List<double[]>();
            var sameAfterEveryStep = new LambdaCallback(onTrainBatchEnd: (batch, logs) =>
            {
                RequireRankZerosWeights(model, $"{what}, after step {++checkedSteps}");
                var values = Values(logs);
                var root = (double[])values.Clone();
                Mpi.Broadcast(root);
                Program.Require(values.SequenceEqual(root), $"{what}, step {checkedSteps}: batch logs [{string.Join(", ", values)}], " +
                    $"rank 0's [{string.Join(", ", root)}]");
                batchLogs.Add(values);
            });
            var history = model.Fit(x, y, batchSize: batchSize, epochs: epochs, shuffle: shuffle, verbose: 0,
                callbacks: new[] { sameAfterEveryStep });
            long stepsInFit = epochs * ((rows + batchSize - 1) / batchSize);
            Program.Require(checkedSteps == stepsInFit, $"{what}: steps checked for identical weights: expected {stepsInFit}, " +
                $"received {checkedSteps}");
            Program.Require(strategy.StepCount == stepsInFit, $"{what}: synchronized steps in Fit: expected {stepsInFit}, " +
                $"received {strategy.StepCount}");
            // TrainOnBatch with the strategy: the global batch is sharded and the gradients combined.
            double stepLoss = model.TrainOnBatch(x.narrow(0, 3, batchSize), y.narrow(0, 3, batchSize));
            Program.Require(strategy.StepCount == stepsInFit + 1, $"{what}: synchronized steps after TrainOnBatch: expected " +
                $"{stepsInFit + 1}, received {strategy.StepCount}");
            Console.WriteLine($"rank {rank}: {what}: loss by epoch {string.Join(", ", history["loss"])}; {strategy.FloatsPerStep} " +
                $"floats per step all-reduce");

            // Every rank holds rank 0's weights exactly, and the same History.
            var weights = Flat(model.Weights.Select(w => w.detach()));
            var rootWeights = (float[])weights.Clone();
            Mpi.Broadcast(rootWeights);
            for (int i = 0; i < weights.Length; i++)
            {
                Program.Require(weights[i] == rootWeights[i], $"{what}: weight scalar {i}: rank 0 has {rootWeights[i]}, this rank " +
                    $"{weights[i]}");
            }
            var logs = history.Values.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => p.Value).ToArray();
            var rootLogs = (double[])logs.Clone();
            Mpi.Broadcast(rootLogs);
            Program.Require(logs.SequenceEqual(rootLogs), $"{what}: History differs from rank 0's: [{string.Join(", ", logs)}] " +
                $"against [{string.Join(", ", rootLogs)}]");

            if (rank != 0)
                return;
            // The one-process reference: same initial weights (rank 0's), whole batches, same order.
            using var reference = build(100);
            var referenceInitial = reference.Weights.Select(w => w.detach().clone()).ToArray();
            for (int i = 0; i < initial.Length; i++)
            {
                Program.Require(initial[i].equal(referenceInitial[i]).all().item<bool>(),
                    $"{what}: the reference's initial weight {i} differs from rank 0's");
            }
            // The same permutations as the data-parallel run: the generator seeded as DataParallel seeded it.
            manual_seed(strategy.Seed!.Value);
            var referenceBatchLogs = new List<double[]>();
            var referenceHistory = reference.Fit(x, y, batchSize: batchSize, epochs: epochs, shuffle: shuffle, verbose: 0,
                callbacks: new[] { new LambdaCallback(onTrainBatchEnd: (_, logs) => referenceBatchLogs.Add(Values(logs))) });
            Program.Require(referenceBatchLogs.Count == batchLogs.Count, $"{what}: batch log count: expected {referenceBatchLogs.Count}, " +
                $"received {batchLogs.Count}");
            for (int step = 0; step < batchLogs.Count; step++)
            {
                for (int i = 0; i < batchLogs[step].Length; i++)
                {
                    double expectedValue = referenceBatchLogs[step][i], receivedValue = batchLogs[step][i];
                    Program.Require(Math.Abs(expectedValue - receivedValue) <= Tolerance * Math.Max(1, Math.Abs(expectedValue)),
                        $"{what}: batch logs of step {step + 1}, value {i}: expected {expectedValue} (one process), received {receivedValue}");
                }
            }
            double referenceStepLoss = reference.TrainOnBatch(x.narrow(0, 3, batchSize), y.narrow(0, 3, batchSize));
            Program.Require(Math.Abs(referenceStepLoss - stepLoss) <= Tolerance, $"{what}: TrainOnBatch's loss: expected " +
                $"{referenceStepLoss} (one process), received {stepLoss}");
            var expected = Flat(reference.Weights.Select(w => w.detach()));
            double worst = 0;
            for (int i = 0; i < expected.Length; i++)
                worst = Math.Max(worst, Math.Abs(expected[i] - weights[i]));
            Console.WriteLine($"rank 0: {what}: max |weight - one-process weight| = {worst:E3} over {expected.Length} scalars");
            Program.Require(worst <= Tolerance, $"{what}: weights after data-parallel training: expected within {Tolerance} of one " +
                $"process's, received a difference of {worst}");
            foreach (var (key, values) in referenceHistory.Values)
            {
                var received = history[key];
                for (int e = 0; e < values.Count; e++)
                {
                    Program.Require(Math.Abs(values[e] - received[e]) <= Tolerance * Math.Max(1, Math.Abs(values[e])),
                        $"{what}: History '{key}' epoch {e + 1}: expected {values[e]} (one process), received {received[e]}");
                }
            }
        }

        /// <summary>
        /// With BatchNormalization, each rank normalizes its shard with the shard's statistics, so there is no one-process
        /// equivalence to check; but the moving statistics (non-trainable, averaged over the ranks each step) and every other
        /// weight must be identical on every rank, and differ from the initial ones (they did move).
        /// </summary>
        private static void BatchNormalizationStaysIdentical(int rank, Tensor x, Tensor y)
        {
            using var strategy = new DataParallel();
            torch.manual_seed(200 + rank);
            using var model = new Sequential(new InputLayer(shape: new Shape(5)), new Dense(8), new BatchNormalization(momentum: 0.5),
                new Dense(3));
            model.Compile(new Adam(0.01), "mse");
            model.Distribution = strategy;
            // Callbacks that write files run on rank 0 only: each rank gives its own folder, only rank 0's gets files.
            string folder = Path.Combine(Path.GetTempPath(), $"mpiranks-data-parallel-{Guid.NewGuid():N}");
            Directory.CreateDirectory(folder);
            try
            {
                model.Fit(x, y, batchSize: 16, epochs: 2, shuffle: false, verbose: 0, callbacks: new Callback[]
                {
                    new ModelCheckpoint(Path.Combine(folder, "model.keras")), new CSVLogger(Path.Combine(folder, "log.csv")),
                });
                var files = Directory.GetFiles(folder).Select(Path.GetFileName).OrderBy(f => f, StringComparer.Ordinal).ToArray();
                string expected = rank == 0 ? "log.csv, model.keras" : "";
                Program.Require(string.Join(", ", files) == expected, $"files written by ModelCheckpoint and CSVLogger on rank " +
                    $"{rank}: expected [{expected}], received [{string.Join(", ", files)}]");
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
            var moving = model.NonTrainableWeights;
            Program.Require(moving.Count == 2, $"BatchNormalization's non-trainable weights: expected 2, received {moving.Count}");
            var mean = Flat(new[] { moving[0].detach() });
            Program.Require(mean.Any(v => v != 0), "the moving mean did not move from its initial zeros");
            var weights = Flat(model.Weights.Select(w => w.detach()));
            var root = (float[])weights.Clone();
            Mpi.Broadcast(root);
            for (int i = 0; i < weights.Length; i++)
            {
                Program.Require(weights[i] == root[i], $"BatchNormalization model, weight scalar {i}: rank 0 has {root[i]}, rank " +
                    $"{rank} has {weights[i]}");
            }
        }

        /// <summary>Throws unless this rank's weights are bit for bit rank 0's (every rank must call it).</summary>
        private static void RequireRankZerosWeights(Model model, string when)
        {
            var weights = Flat(model.Weights.Select(w => w.detach()));
            var root = (float[])weights.Clone();
            Mpi.Broadcast(root);
            for (int i = 0; i < weights.Length; i++)
            {
                Program.Require(weights[i] == root[i], $"{when}: weight scalar {i}: rank 0 has {root[i]}, rank {Mpi.Rank} has " +
                    $"{weights[i]}");
            }
        }

        /// <summary>
        /// EarlyStopping with restoreBestWeights on validation data: every rank sees the same val_loss, so every rank stops at
        /// the same epoch and restores the same weights; History has the same length everywhere.
        /// </summary>
        public static void EarlyStoppingDecidesAlike(int rank, Tensor x, Tensor y)
        {
            using var strategy = new DataParallel();
            using var model = Mlp(300 + rank);
            // A learning rate far too high: val_loss stops improving early.
            model.Compile(new Adam(0.3), "mse");
            model.Distribution = strategy;
            var history = model.Fit(x.narrow(0, 0, 48), y.narrow(0, 0, 48), batchSize: 16, epochs: 40, shuffle: false, verbose: 0,
                validationData: (x.narrow(0, 48, 21), y.narrow(0, 48, 21)),
                callbacks: new[] { new EarlyStopping(monitor: "val_loss", patience: 2, restoreBestWeights: true) });
            int epochs = history["loss"].Count;
            var counts = new double[] { epochs };
            var rootCounts = (double[])counts.Clone();
            Mpi.Broadcast(rootCounts);
            Program.Require(counts[0] == rootCounts[0], $"EarlyStopping: rank {rank} ran {epochs} epochs, rank 0 {rootCounts[0]}");
            Program.Require(epochs < 40, $"EarlyStopping: expected a stop before epoch 40, received {epochs} epochs");
            RequireRankZerosWeights(model, "EarlyStopping, after restoring the best weights");
            Console.WriteLine($"rank {rank}: EarlyStopping stopped after {epochs} epochs on every rank");
        }

        private static Sequential Mlp(long seed)
        {
            torch.manual_seed(seed);
            var model = new Sequential(new InputLayer(shape: new Shape(5)), new Dense(16, activation: "tanh"),
                new Dense(8, activation: "relu"), new Dense(3));
            model.Compile(new Adam(0.01), "mse", new[] { "mae" });
            return model;
        }

        private static Sequential Cnn(long seed)
        {
            torch.manual_seed(seed);
            var model = new Sequential(new InputLayer(shape: new Shape(8, 8, 1)), new Conv2D(4, 3, activation: "relu"),
                new MaxPooling2D(2), new Flatten(), new Dense(3, activation: "softmax"));
            model.Compile(new Adam(0.01), "sparse_categorical_crossentropy", new[] { "accuracy" });
            return model;
        }

        /// <summary>A log dictionary's values in key order.</summary>
        private static double[] Values(IReadOnlyDictionary<string, double> logs)
            => logs.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value).ToArray();

        private static float[] Flat(IEnumerable<Tensor> tensors)
            => tensors.SelectMany(t => t.to(ScalarType.Float32).reshape(-1).data<float>().ToArray()).ToArray();
    }
}
