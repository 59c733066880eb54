using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Distributed;
using Microsoft.ML.Layers.Estimators;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.MpiRanks
{
    /// <summary>
    /// Scenario <c>pipeline</c>: an ML.NET regression pipeline whose NeuralNetwork trainer has
    /// <see cref="NeuralNetworkOptions.Distribution"/> = <see cref="DataParallel"/>. Every rank fits the same pipeline on the
    /// same IDataView; each reads the rows whose index modulo the world size is its rank. 202 rows in global batches of 16, no
    /// shuffle: rank r's k-th local batch holds exactly the rows of the k-th global batch with index r modulo 2, so the result
    /// must equal (within 1e-5) one process fitting the same pipeline without a strategy, which rank 0 does too. Every rank
    /// must end with rank 0's weights exactly; rank 0 saves the model as an ordinary .zip, which scores like the trained model
    /// after loading. Then a shuffled Fit on 203 rows (one rank's shard repeats a row) must still agree on every rank.
    /// </summary>
    internal static class PipelineScenario
    {
        private const double Tolerance = 1e-5;

        private sealed class Row
        {
            [VectorType(6)]
            public float[] Features { get; set; } = Array.Empty<float>();

            public float Label { get; set; }
        }

        public static void Run(int rank, int size)
        {
            set_num_threads(1);
            var ml = new MLContext(seed: 5);
            var data = ml.Data.LoadFromEnumerable(Rows(202));
            using var strategy = new DataParallel();

            var distributed = Fit(ml, data, strategy, shuffle: false);
            var weights = Weights(distributed);
            var root = (float[])weights.Clone();
            Mpi.Broadcast(root);
            Program.Require(weights.SequenceEqual(root), $"rank {rank}: the trained weights differ from rank 0's");
            Console.WriteLine($"rank {rank}: pipeline: {strategy.StepCount} synchronized steps, {weights.Length} weights agree with rank 0");
            Program.Require(strategy.StepCount == 2 * 13, $"synchronized steps: expected 2 epochs of 13 global batches (202 rows / 16), " +
                $"received {strategy.StepCount}");

            if (rank == 0)
            {
                var single = Fit(ml, data, null, shuffle: false);
                var expected = Weights(single);
                double worst = expected.Zip(weights, (a, b) => Math.Abs(a - b)).Max();
                Console.WriteLine($"rank 0: pipeline: max |weight - one-process weight| = {worst:E3} over {expected.Length} scalars");
                Program.Require(worst <= Tolerance, $"pipeline weights: expected within {Tolerance} of one process's, received a " +
                    $"difference of {worst}");

                // Saved by rank 0: an ordinary ML.NET .zip that loads and scores like the trained model.
                string path = Path.Combine(Path.GetTempPath(), $"mpiranks-pipeline-{Guid.NewGuid():N}.zip");
                try
                {
                    ml.Model.Save(distributed, data.Schema, path);
                    var loaded = ml.Model.Load(path, out _);
                    var before = Scores(distributed.Transform(data));
                    var after = Scores(loaded.Transform(data));
                    Program.Require(before.SequenceEqual(after), "the reloaded .zip scores differently from the trained model");
                    Console.WriteLine($"rank 0: pipeline: saved and reloaded .zip scores {after.Length} rows identically");
                }
                finally
                {
                    File.Delete(path);
                }
            }

            // DataSharding.ByProcess: each rank loads only its own rows (as from a file per rank), here exactly the rows the
            // modulo shard took: the same local batches, so the same weights as the ByRowIndex run, bit for bit.
            var ownRows = Rows(202).Where((_, index) => index % size == rank).ToArray();
            var byProcess = Fit(ml, ml.Data.LoadFromEnumerable(ownRows), strategy, shuffle: false, DistributedDataSharding.ByProcess,
                normalizeOn: data);
            var byProcessWeights = Weights(byProcess);
            Program.Require(byProcessWeights.SequenceEqual(weights), $"rank {rank}: ByProcess sharding: expected the ByRowIndex " +
                $"run's weights, received a difference of {byProcessWeights.Zip(weights, (a, b) => Math.Abs(a - b)).Max()}");
            // Uneven shards (rank 0: 60 rows, rank 1: 45): rank 1 pads to 60; the ranks still end identical.
            var uneven = Fit(ml, ml.Data.LoadFromEnumerable(Rows(rank == 0 ? 60 : 45)), strategy, shuffle: true,
                DistributedDataSharding.ByProcess);
            var unevenWeights = Weights(uneven);
            var unevenRoot = (float[])unevenWeights.Clone();
            Mpi.Broadcast(unevenRoot);
            Program.Require(unevenWeights.SequenceEqual(unevenRoot), $"rank {rank}: uneven ByProcess shards: the weights differ from rank 0's");
            Console.WriteLine($"rank {rank}: pipeline: ByProcess sharding matches ByRowIndex; uneven shards stay identical");

            // Shuffled, 203 rows: shards of 102 rows (one repeats a row), each rank shuffling its own; still identical weights.
            var shuffled = Fit(ml, ml.Data.LoadFromEnumerable(Rows(203)), strategy, shuffle: true);
            var shuffledWeights = Weights(shuffled);
            var shuffledRoot = (float[])shuffledWeights.Clone();
            Mpi.Broadcast(shuffledRoot);
            Program.Require(shuffledWeights.SequenceEqual(shuffledRoot), $"rank {rank}: shuffled: the weights differ from rank 0's");
        }

        /// <summary>Normalization fitted on <paramref name="normalizeOn"/> (default: the training data), then the network.</summary>
        private static ITransformer Fit(MLContext ml, IDataView data, DataParallel? strategy, bool shuffle,
            DistributedDataSharding sharding = DistributedDataSharding.ByRowIndex, IDataView? normalizeOn = null)
        {
            manual_seed(11);
            var network = new Sequential(new InputLayer(shape: new Shape(6)), new Dense(12, activation: "tanh"), new Dense(1));
            var options = new NeuralNetworkOptions
            {
                Epochs = 2, BatchSize = 16, LearningRate = 0.01f, Shuffle = shuffle, NumberOfThreads = 1, Distribution = strategy,
                DataSharding = sharding,
            };
            var normalize = ml.Transforms.NormalizeMeanVariance("Features").Fit(normalizeOn ?? data);
            return normalize.Append(ml.Regression.Trainers.NeuralNetwork(network, options).Fit(normalize.Transform(data)));
        }

        private static float[] Weights(ITransformer pipeline)
        {
            var scorer = (NeuralNetworkPredictionTransformer)((System.Collections.Generic.IEnumerable<ITransformer>)pipeline).Last();
            return scorer.Model.Network.Weights.SelectMany(w => w.detach().reshape(-1).data<float>().ToArray()).ToArray();
        }

        private static float[] Scores(IDataView scored) => scored.GetColumn<float>("Score").ToArray();

        /// <summary>The same rows on every rank: a fixed linear target with a little curvature.</summary>
        private static Row[] Rows(int count)
            => Enumerable.Range(0, count).Select(i =>
            {
                var features = Enumerable.Range(0, 6).Select(j => (float)Math.Sin(i * 0.37 + j * 1.3) * (j + 1)).ToArray();
                return new Row { Features = features, Label = features[0] - 0.5f * features[3] + 0.1f * features[1] * features[2] };
            }).ToArray();
    }
}
