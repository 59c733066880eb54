using BenchmarkDotNet.Attributes;
using Microsoft.ML.Layers.Optimizers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Benchmarks
{
    /// <summary>
    /// 2. Compute-bound training: an MLP 1024-1024-1024-1 with batch 1024, as a fraction of the machine's torch.mm peak
    /// measured in the same run (a 1024x1024 by 1024x1024 product). A training row costs about three times its forward
    /// multiply-adds, two FLOPs each: <see cref="FlopsPerTrainingRow"/>.
    /// </summary>
    [Config(typeof(BenchmarkConfig))]
    public class ComputeBoundBenchmarks
    {
        public const int Width = 1024;
        public const int BatchSize = 1024;
        public const int MatmulsPerInvoke = 20;
        private Tensor _a = null!, _b = null!, _c = null!, _x = null!, _y = null!;

        public static int Rows => BenchmarkSettings.Quick ? 2 * BatchSize : 16 * BatchSize;

        /// <summary>Forward multiply-adds per row (1024·1024 + 1024·1024 + 1024), times 2 FLOPs, times 3 (forward, two backward products).</summary>
        public static double FlopsPerTrainingRow => 3.0 * 2.0 * (Width * (double)Width * 2 + Width);

        /// <summary>FLOPs of one 1024x1024 by 1024x1024 product.</summary>
        public static double FlopsPerMatmul => 2.0 * Width * (double)Width * Width;

        [GlobalSetup]
        public void Setup()
        {
            set_num_threads(BenchmarkSettings.Threads);
            manual_seed(1);
            _a = randn(Width, Width);
            _b = randn(Width, Width);
            _c = zeros(Width, Width);
            _x = randn(Rows, Width);
            _y = randn(Rows, 1);
        }

        [GlobalCleanup]
        public void Cleanup()
        {
            _a.Dispose();
            _b.Dispose();
            _c.Dispose();
            _x.Dispose();
            _y.Dispose();
        }

        /// <summary>The peak: a 1024x1024 by 1024x1024 product into a preallocated result (no allocation, no page faults).</summary>
        [Benchmark(Baseline = true, Description = "torch.mm 1024^3 x20 (peak)", OperationsPerInvoke = MatmulsPerInvoke)]
        public void MatmulPeak()
        {
            for (int i = 0; i < MatmulsPerInvoke; i++)
                _c.addmm_(_a, _b, beta: 0, alpha: 1);
        }

        [Benchmark(Description = "raw TorchSharp loop, 1 epoch")]
        public void RawTraining()
        {
            using var mlp = new RawMlp(Width, Width, Width, 1);
            using var adam = optim.Adam(mlp.Parameters, lr: 1e-4);
            mlp.Train(_x, _y, BatchSize, 1, adam);
        }

        [Benchmark(Description = "Sequential.Fit, 1 epoch")]
        public void SequentialFit()
        {
            using var model = new Sequential(new InputLayer(new Shape(-1, Width)), new Dense(Width, activation: "relu"), new Dense(Width, activation: "relu"), new Dense(1));
            model.Compile(new Adam(1e-4), "mse");
            model.Fit(_x, _y, batchSize: BatchSize, epochs: 1, verbose: 0);
        }
    }
}
