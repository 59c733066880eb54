using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Microsoft.ML.Layers.Benchmarks
{
    /// <summary>
    /// In-process runs (the benchmarks share this process's libtorch and native fix), one invocation per iteration (each
    /// is a whole epoch or pass), a few iterations: the ratio column compares each benchmark with its class's baseline
    /// measured in the same run.
    /// </summary>
    public sealed class BenchmarkConfig : ManualConfig
    {
        public BenchmarkConfig()
        {
            AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithWarmupCount(1)
                .WithIterationCount(BenchmarkSettings.Quick ? 2 : 6)
                .WithInvocationCount(1)
                .WithUnrollFactor(1)
                .WithId(BenchmarkSettings.Quick ? "quick" : "full"));
            AddColumn(StatisticColumn.Median, StatisticColumn.P95, BaselineRatioColumn.RatioMean);
            AddDiagnoser(MemoryDiagnoser.Default);
            WithOptions(ConfigOptions.DisableOptimizationsValidator);
        }
    }
}
