using BenchmarkDotNet.Attributes;
using Microsoft.ML.Layers.Estimators;
using Microsoft.ML.Layers.Optimizers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Benchmarks
{
    /// <summary>
    /// 1. Training throughput of an MLP 64-256-256-1 with Adam, batch 256, on 100k generated rows: (a) a hand-written
    /// TorchSharp loop over prepared tensors, (b) the same network as a Sequential with Fit, (c) the NeuralNetwork trainer
    /// on an in-memory IDataView, (d) the trainer streaming a binary IDV file every epoch. Times are per row.
    /// </summary>
    [Config(typeof(BenchmarkConfig))]
    public class TrainingThroughputBenchmarks
    {
        private BenchmarkData _data = null!;
        private const int BatchSize = 256;

        [GlobalSetup]
        public void Setup()
        {
            set_num_threads(BenchmarkSettings.Threads);
            _data = new BenchmarkData(BenchmarkSettings.Rows);
        }

        /// <summary>The generated data (for reports that add their own variants).</summary>
        public BenchmarkData Data => _data;

        [GlobalCleanup]
        public void Cleanup() => _data.Dispose();

        public static Sequential Network() => new(new InputLayer(new Shape(-1, 64)), new Dense(256, activation: "relu"), new Dense(256, activation: "relu"), new Dense(1));

        [Benchmark(Baseline = true, Description = "(a) raw TorchSharp loop")]
        public void RawTorchSharp()
        {
            manual_seed(1);
            using var mlp = new RawMlp(64, 256, 256, 1);
            using var adam = optim.Adam(mlp.Parameters, lr: 1e-3);
            mlp.Train(_data.X, _data.Y, BatchSize, BenchmarkSettings.Epochs, adam);
        }

        [Benchmark(Description = "(b) Sequential.Fit")]
        public void SequentialFit()
        {
            manual_seed(1);
            using var model = Network();
            model.Compile(new Adam(1e-3), "mse");
            model.Fit(_data.X, _data.Y, batchSize: BatchSize, epochs: BenchmarkSettings.Epochs, verbose: 0);
        }

        [Benchmark(Description = "(c) trainer, in-memory IDataView")]
        public void TrainerInMemory()
            => _data.ML.Regression.Trainers.NeuralNetwork(Network(), Options()).Fit(_data.InMemory);

        [Benchmark(Description = "(d) trainer, streaming a binary IDV")]
        public void TrainerStreaming() => Stream(prefetch: null);

        /// <summary>The trainer streaming the file, reading ahead as <paramref name="prefetch"/> says (null: its default).</summary>
        public void Stream(bool? prefetch)
        {
            var options = Options();
            options.InMemoryLimitBytes = 0; // never read into memory: stream the file through a cursor every epoch
            options.PrefetchBatches = prefetch;
            _data.ML.Regression.Trainers.NeuralNetwork(Network(), options).Fit(_data.FromIdvFile);
        }

        private static NeuralNetworkOptions Options() => new() { Epochs = BenchmarkSettings.Epochs, BatchSize = BatchSize, LearningRate = 1e-3f };
    }
}
