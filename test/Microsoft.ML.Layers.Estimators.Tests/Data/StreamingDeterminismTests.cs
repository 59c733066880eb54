using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;
using Xunit.Abstractions;

namespace Microsoft.ML.Layers.Estimators.Tests.Data
{
    /// <summary>
    /// Issue 18: the streaming path was rewritten for speed (bulk reads into reused buffers, the next batch optionally read on
    /// a reader thread). Without shuffling, the in-memory path (rows read once into tensors, batches sliced from them) and
    /// the streamed path (batches read from a cursor every epoch), with and without read-ahead, see the same batches in the
    /// same order, so they must train bit-identical weights. (When the rewrite landed, the weights were also checked
    /// bit-identical to the code before it, commit 021b1f9, for shuffled training; those hashes are not pinned here, as
    /// float results may differ across CPUs.)
    /// </summary>
    [Collection(SerialTrainingCollection.Name)]
    public sealed class StreamingDeterminismTests
    {
        private readonly ITestOutputHelper _output;

        public StreamingDeterminismTests(ITestOutputHelper output) => _output = output;

        private sealed class Row
        {
            [VectorType(8)]
            public float[] Features { get; set; } = Array.Empty<float>();

            public float Target { get; set; }
        }

        private static IDataView Data(MLContext ml, int rows)
        {
            var random = new Random(5);
            return ml.Data.LoadFromEnumerable(Enumerable.Range(0, rows).Select(_ =>
            {
                var x = Enumerable.Range(0, 8).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
                return new Row { Features = x, Target = MathF.Sin(2 * x[0]) + x[1] * x[2] };
            }).ToList());
        }

        /// <summary>Trains a small MLP from fixed initial weights (3 epochs, batch 32, 1000 rows: a partial last batch, no
        /// shuffling) and returns its weights' bytes.</summary>
        private static byte[] TrainedWeights(IDataView data, long inMemoryLimitBytes, bool? prefetch, IReadOnlyList<Array> initial)
        {
            var ml = new MLContext(seed: 1);
            var network = new Sequential(new InputLayer(new Shape(-1, 8)), new Dense(16, activation: "relu"), new Dense(1));
            network.SetWeights(initial);
            var trained = ml.Regression.Trainers.NeuralNetwork(network, new NeuralNetworkOptions
            {
                LabelColumnName = "Target", Epochs = 3, BatchSize = 32, LearningRate = 0.01f, Shuffle = false,
                InMemoryLimitBytes = inMemoryLimitBytes, PrefetchBatches = prefetch,
            }).Fit(data);
            return trained.Model.Network.GetWeights().SelectMany(w => w.Cast<float>()).SelectMany(BitConverter.GetBytes).ToArray();
        }

        [Theory]
        [InlineData(null, 2, 2, false)] // every core runs a libtorch thread: the reader would take time from them
        [InlineData(null, 2, 1, true)]
        [InlineData(null, 8, 4, true)]
        [InlineData(true, 2, 2, true)] // the option wins
        [InlineData(false, 8, 1, false)]
        public void StreamedDataIsReadAheadOnlyWhenACoreIsFreeUnlessTheOptionSays(bool? option, int cores, int threads, bool expected)
            => Assert.Equal(expected, NeuralNetworkTrainer.ReadsAhead(option, cores, threads));

        [Fact]
        public void InMemoryStreamedAndReadAheadTrainingGiveBitIdenticalWeights()
        {
            string path = Path.Combine(Path.GetTempPath(), $"mllayers-determinism-{Guid.NewGuid():N}.idv");
            try
            {
                using (var stream = File.Create(path))
                    new MLContext(1).Data.SaveAsBinary(Data(new MLContext(1), 1000), stream);
                var ml = new MLContext(1);
                var template = new Sequential(new InputLayer(new Shape(-1, 8)), new Dense(16, activation: "relu"), new Dense(1));
                var initial = template.GetWeights(); // a Sequential that starts with an InputLayer is built at once

                var inMemory = TrainedWeights(Data(ml, 1000), 1L << 30, null, initial);
                var streamed = TrainedWeights(ml.Data.LoadFromBinary(path), 0, false, initial);
                var readAhead = TrainedWeights(ml.Data.LoadFromBinary(path), 0, true, initial);
                var streamedEnumerable = TrainedWeights(Data(ml, 1000), 0, true, initial);
                _output.WriteLine($"{inMemory.Length} weight bytes");

                Assert.NotEqual(initial.SelectMany(w => w.Cast<float>()).SelectMany(BitConverter.GetBytes).ToArray(), inMemory); // it trained
                Assert.Equal(inMemory, streamed);
                Assert.Equal(inMemory, readAhead);
                Assert.Equal(inMemory, streamedEnumerable);
            }
            finally
            {
                File.Delete(path);
            }
        }
    }
}
