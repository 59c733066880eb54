using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Estimators.Tests.Trainers
{
    /// <summary>
    /// <see cref="NeuralNetworkOptions.Distribution"/> without MPI: the shard each replica reads (<see cref="ShardedDataView"/>)
    /// and what the trainer hands the strategy, with a recording strategy playing replica 1 of 2. The real 2-process runs are in
    /// test/Microsoft.ML.Layers.Tests/Distributed/MpiTests.cs.
    /// </summary>
    [Collection(SerialTrainingCollection.Name)]
    public sealed class DistributedTrainingTests
    {
        private sealed class IdRow
        {
            public float Id { get; set; }

            public float Other { get; set; }
        }

        private static float[] Ids(IDataView view) => view.GetColumn<float>("Id").ToArray();

        private static IDataView Numbered(MLContext ml, int rows)
            => ml.Data.LoadFromEnumerable(Enumerable.Range(0, rows).Select(i => new IdRow { Id = i, Other = -i }));

        [Fact]
        public void EachShardHoldsTheRowsWhoseIndexModuloTheShardCountIsItsIdAndAShortShardRepeatsAFirstRow()
        {
            var ml = new MLContext(seed: 1);
            var data = Numbered(ml, 11);
            // 11 rows on 3 replicas: ceil(11/3) = 4 rows each; replica 2 has 3 of its own (2, 5, 8) and repeats row 0.
            var expected = new[] { new float[] { 0, 3, 6, 9 }, new float[] { 1, 4, 7, 10 }, new float[] { 2, 5, 8, 0 } };
            for (int shard = 0; shard < 3; shard++)
            {
                var view = new ShardedDataView(data, shard, 3, 11);
                Assert.Equal(4, view.GetRowCount());
                Assert.False(view.CanShuffle);
                Assert.Equal(expected[shard], Ids(view));
                // Every column follows the row, including through the padding cursor.
                Assert.Equal(expected[shard].Select(v => v == 0 ? 0f : -v), view.GetColumn<float>("Other").ToArray());
                // The cursor's position counts the shard's rows.
                using var cursor = view.GetRowCursor(view.Schema);
                long rows = 0;
                while (cursor.MoveNext())
                    Assert.Equal(rows++, cursor.Position);
                Assert.Equal(4, rows);
            }
            // Every row is read by exactly one replica, apart from the one padding row.
            var all = expected.SelectMany(s => s).ToList();
            Assert.Equal(Enumerable.Range(0, 11).Select(i => (float)i), all.Distinct().OrderBy(v => v));
        }

        [Fact]
        public void AShardPaddedBeyondItsRowsStartsOverFromItsFirstRow()
        {
            var ml = new MLContext(seed: 1);
            var view = new ShardedDataView(Numbered(ml, 3), 0, 1, 3, rowsPerShard: 8);
            Assert.Equal(8, view.GetRowCount());
            Assert.Equal(new float[] { 0, 1, 2, 0, 1, 2, 0, 1 }, Ids(view));
            Assert.Throws<ArgumentOutOfRangeException>(() => new ShardedDataView(Numbered(ml, 3), 0, 1, 3, rowsPerShard: 2));
        }

        [Fact]
        public void AShardShuffledByMLNetKeepsItsRows()
        {
            var ml = new MLContext(seed: 1);
            var view = new ShardedDataView(Numbered(ml, 101), 1, 2, 101);
            var shuffled = Ids(ml.Data.ShuffleRows(view, seed: 3));
            var own = Enumerable.Range(0, 51).Select(k => (float)((2 * k + 1) % 101)).ToArray();
            Assert.NotEqual(own, shuffled);
            Assert.Equal(own.OrderBy(v => v), shuffled.OrderBy(v => v));
        }

        [Fact]
        public void DataShorterThanCountedFailsWithAClearError()
        {
            var ml = new MLContext(seed: 1);
            var view = new ShardedDataView(Numbered(ml, 5), 0, 2, 9);
            var error = Assert.Throws<InvalidOperationException>(() => Ids(view));
            Assert.Contains("expected 9 rows", error.Message);
            Assert.Contains("received 5", error.Message);
        }

        /// <summary>
        /// Replica 1 of 2 that combines nothing: records what the trainer gives it and returns the local loss. Its
        /// <see cref="SumOverReplicas"/> adds <see cref="OtherReplica"/>'s values, playing replica 0.
        /// </summary>
        private sealed class RecordingStrategy : DistributionStrategy
        {
            public List<long> StepRows { get; } = new();

            /// <summary>What replica 0 contributes to each sum (nothing by default).</summary>
            public Action<Span<double>>? OtherReplica { get; init; }

            public int WeightSynchronizations { get; private set; }

            public override int ReplicaId => 1;

            public override int ReplicaCount => 2;

            public override void SynchronizeWeights(Model model) => WeightSynchronizations++;

            public override double SynchronizeStep(Model model, IReadOnlyList<Parameter> trainableWeights, double localLoss, long localRows,
                IDictionary<string, double>? logs, double logWeight)
            {
                StepRows.Add(localRows);
                return localLoss;
            }

            public override void SumOverReplicas(Span<double> values) => OtherReplica?.Invoke(values);
        }

        private static IDataView Rows(MLContext ml, IEnumerable<int> indexes) => ml.Data.LoadFromEnumerable(indexes.Select(i =>
            new NeuralNetworkTrainerTests.Row { Features = new[] { i / 11f, i % 3 / 3f, (i * 7 % 5) / 5f, 1 - i / 11f }, Target = i % 4 - 1.5f }));

        private static float[] TrainedWeights(MLContext ml, IDataView data, int batchSize, DistributionStrategy? strategy, out Model network,
            DistributedDataSharding sharding = DistributedDataSharding.ByRowIndex, long inMemoryLimitBytes = 1L << 30)
        {
            manual_seed(4);
            var template = new Sequential(new InputLayer(shape: new Shape(4)), new Dense(3, activation: "tanh"), new Dense(1));
            var trainer = ml.Regression.Trainers.NeuralNetwork(template, new NeuralNetworkOptions
            {
                LabelColumnName = "Target", Epochs = 2, BatchSize = batchSize, Shuffle = false, LearningRate = 0.05f, Distribution = strategy,
                DataSharding = sharding, InMemoryLimitBytes = inMemoryLimitBytes,
            });
            network = trainer.Fit(data).Model.Network;
            return network.Weights.SelectMany(w => w.detach().reshape(-1).data<float>().ToArray()).ToArray();
        }

        [Fact]
        public void TheTrainerTrainsOnItsShardInLocalBatchesOfTheGlobalBatchDividedByTheReplicas()
        {
            var ml = new MLContext(seed: 1);
            var strategy = new RecordingStrategy();
            // 11 rows, global batch 4: replica 1 of 2 reads rows 1, 3, 5, 7, 9 and (padding) 0, in local batches of 2.
            var distributed = TrainedWeights(ml, Rows(ml, Enumerable.Range(0, 11)), 4, strategy, out var network);

            Assert.Equal(1, strategy.WeightSynchronizations);
            Assert.Equal(new long[] { 2, 2, 2, 2, 2, 2 }, strategy.StepRows);
            Assert.Null(network.Distribution);
            // The same as one process training on exactly those rows in batches of 2 (this strategy combines nothing).
            var expected = TrainedWeights(ml, Rows(ml, new[] { 1, 3, 5, 7, 9, 0 }), 2, null, out _);
            Assert.Equal(expected, distributed);
        }

        [Fact]
        public void AStreamedShardTrainsOnTheSameRowsAsAnInMemoryOne()
        {
            var ml = new MLContext(seed: 1);
            // InMemoryLimitBytes = 1: the shard is streamed from the IDataView every epoch instead of read into memory once.
            var strategy = new RecordingStrategy();
            var streamed = TrainedWeights(ml, Rows(ml, Enumerable.Range(0, 11)), 4, strategy, out _, inMemoryLimitBytes: 1);
            Assert.Equal(new long[] { 2, 2, 2, 2, 2, 2 }, strategy.StepRows);
            var inMemory = TrainedWeights(ml, Rows(ml, Enumerable.Range(0, 11)), 4, new RecordingStrategy(), out _);
            Assert.Equal(inMemory, streamed);
        }

        [Fact]
        public void ByProcessTrainsOnThisProcesssWholeDataPaddedToTheLongestShard()
        {
            var ml = new MLContext(seed: 1);
            // This process (replica 1) has 6 rows; replica 0 reports 9: the shard is padded to 9 rows by starting over (rows 0, 1,
            // 2 again), in local batches of 2: 5 steps per epoch, the last of 1 row.
            var strategy = new RecordingStrategy { OtherReplica = values => values[0] += 9 };
            var distributed = TrainedWeights(ml, Rows(ml, Enumerable.Range(0, 6)), 4, strategy, out _, DistributedDataSharding.ByProcess);

            Assert.Equal(new long[] { 2, 2, 2, 2, 1, 2, 2, 2, 2, 1 }, strategy.StepRows);
            var expected = TrainedWeights(ml, Rows(ml, new[] { 0, 1, 2, 3, 4, 5, 0, 1, 2 }), 2, null, out _);
            Assert.Equal(expected, distributed);
        }

        [Fact]
        public void ByProcessRefusesAnEmptyShardOnEveryProcessNamingTheRank()
        {
            var ml = new MLContext(seed: 1);
            // Replica 0 reports no rows: every replica sees the counts and refuses, so none waits for the others.
            var error = Assert.Throws<InvalidOperationException>(() => TrainedWeights(ml, Rows(ml, Enumerable.Range(0, 6)), 4,
                new RecordingStrategy(), out _, DistributedDataSharding.ByProcess));
            Assert.Contains("the data of rank(s) 0 is empty (rows per rank: 0, 6)", error.Message);
        }

        [Fact]
        public void AGlobalBatchThatDoesNotDivideAmongTheReplicasIsRefusedWithTheSizesAndAFix()
        {
            var ml = new MLContext(seed: 1);
            var error = Assert.Throws<InvalidOperationException>(() => TrainedWeights(ml, Rows(ml, Enumerable.Range(0, 11)), 5,
                new RecordingStrategy(), out _));
            Assert.Contains("multiple of the 2 replicas; received 5", error.Message);
            Assert.Contains("Use 6 or 4", error.Message);
        }
    }
}
