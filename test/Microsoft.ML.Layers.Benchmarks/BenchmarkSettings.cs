using System;

namespace Microsoft.ML.Layers.Benchmarks
{
    /// <summary>The sizes of a run: the (full) or small ones that only check everything works (quick).</summary>
    public static class BenchmarkSettings
    {
        public static bool Quick { get; set; } = Environment.GetEnvironmentVariable("MLLAYERS_BENCH_QUICK") == "1";

        /// <summary>Rows of the training and scoring data: 100k, or 5k in quick mode.</summary>
        public static int Rows => Quick ? 5_000 : 100_000;

        /// <summary>Epochs per measured training invocation.</summary>
        public static int Epochs => Quick ? 1 : 2;

        /// <summary>libtorch threads: the 2 (MLLAYERS_BENCH_THREADS overrides it, e.g. 1 to leave a core free).</summary>
        public static int Threads { get; } = int.TryParse(Environment.GetEnvironmentVariable("MLLAYERS_BENCH_THREADS"), out int n) && n > 0 ? n : 2;
    }
}
