using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Microsoft.ML.Layers.Benchmarks;

// dotnet run -c Release --project test/Microsoft.ML.Layers.Benchmarks --
//     [training] [streaming] [compute] [scoring] [latency] [memory] [accuracy] [recurrent] [distributed] [--quick]
// No filter runs everything. The ratios are computed from measurements taken in this run, against its baselines.
// [distributed] (issue 20) starts its own child processes, some under mpirun: `distributed-worker` is their command.
if (args.Length > 0 && args[0] == DistributedReport.WorkerCommand)
{
    Microsoft.ML.Layers.NativeBackend.EnsureLoaded();
    return DistributedReport.Worker(args);
}
var known = new[] { "training", "streaming", "compute", "scoring", "latency", "memory", "accuracy", "recurrent", "distributed" };
BenchmarkSettings.Quick |= args.Contains("--quick");
var selected = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
var unknown = selected.Except(known).ToList();
if (unknown.Count > 0 || args.Contains("--help"))
{
    Console.WriteLine($"Usage: dotnet run -c Release --project test/Microsoft.ML.Layers.Benchmarks -- [{string.Join("] [", known)}] [--quick]");
    return unknown.Count > 0 ? 2 : 0;
}
if (selected.Count == 0)
    selected = known.ToList();
// This program calls TorchSharp before any type of the library, so it loads the native backend explicitly first.
Microsoft.ML.Layers.NativeBackend.EnsureLoaded();
TorchSharp.torch.set_num_threads(BenchmarkSettings.Threads);

var results = new List<(string Section, string Name, string Value)>();
double Median(Summary summary, string method) => summary.Reports.Single(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method).ResultStatistics!.Median;
string F(double value, string format = "0.00") => value.ToString(format, CultureInfo.InvariantCulture);

if (selected.Contains("training"))
{
    var summary = BenchmarkRunner.Run<TrainingThroughputBenchmarks>();
    double rows = BenchmarkSettings.Rows * (double)BenchmarkSettings.Epochs;
    double RowsPerSecond(string method) => rows / (Median(summary, method) / 1e9);
    double a = RowsPerSecond(nameof(TrainingThroughputBenchmarks.RawTorchSharp));
    results.Add(("1 training", "(a) raw TorchSharp loop, rows/s", F(a, "N0")));
    foreach (var (method, label, target) in new[]
    {
        (nameof(TrainingThroughputBenchmarks.SequentialFit), "(b) Sequential.Fit", 0.95),
        (nameof(TrainingThroughputBenchmarks.TrainerInMemory), "(c) trainer, in-memory IDataView", 0.90),
        (nameof(TrainingThroughputBenchmarks.TrainerStreaming), "(d) trainer, streaming binary IDV", 0.75),
    })
    {
        double value = RowsPerSecond(method);
        results.Add(("1 training", $"{label}, rows/s and ratio to (a) (target >= {F(target)})", $"{F(value, "N0")}  ({F(value / a)})"));
    }
}

if (selected.Contains("training"))
    results.AddRange(Reports.TrainingInterleaved().Select(r => ("1 training, interleaved", r.Name, r.Value)));

if (selected.Contains("streaming"))
    results.AddRange(StreamingReport.Run().Select(r => ("1 streaming, interleaved", r.Name, r.Value)));

if (selected.Contains("compute"))
{
    var summary = BenchmarkRunner.Run<ComputeBoundBenchmarks>();
    double peak = ComputeBoundBenchmarks.FlopsPerMatmul / (Median(summary, nameof(ComputeBoundBenchmarks.MatmulPeak)) / 1e9);
    double Achieved(string method) => ComputeBoundBenchmarks.FlopsPerTrainingRow * ComputeBoundBenchmarks.Rows / (Median(summary, method) / 1e9);
    results.Add(("2 compute-bound", "torch.mm peak, GFLOP/s", F(peak / 1e9, "0.0")));
    results.Add(("2 compute-bound", "raw TorchSharp training, GFLOP/s (fraction of peak)", $"{F(Achieved(nameof(ComputeBoundBenchmarks.RawTraining)) / 1e9, "0.0")}  ({F(Achieved(nameof(ComputeBoundBenchmarks.RawTraining)) / peak)})"));
    results.Add(("2 compute-bound", "Sequential.Fit, GFLOP/s (fraction of peak, target >= 0.60)", $"{F(Achieved(nameof(ComputeBoundBenchmarks.SequentialFit)) / 1e9, "0.0")}  ({F(Achieved(nameof(ComputeBoundBenchmarks.SequentialFit)) / peak)})"));
}

if (selected.Contains("scoring"))
{
    var summary = BenchmarkRunner.Run<ScoringBenchmarks>();
    double raw = Median(summary, nameof(ScoringBenchmarks.RawBatchedForward));
    double RowsPerSecond(string method) => BenchmarkSettings.Rows / (Median(summary, method) / 1e9);
    results.Add(("3 batch scoring", "raw batched forward, rows/s", F(RowsPerSecond(nameof(ScoringBenchmarks.RawBatchedForward)), "N0")));
    results.Add(("3 batch scoring", "Transform, rows/s (ratio to raw, target >= 0.85)", $"{F(RowsPerSecond(nameof(ScoringBenchmarks.Transform)), "N0")}  ({F(raw / Median(summary, nameof(ScoringBenchmarks.Transform)))})"));
    results.Add(("3 batch scoring", "Model.Predict, rows/s (ratio to raw)", $"{F(RowsPerSecond(nameof(ScoringBenchmarks.ModelPredict)), "N0")}  ({F(raw / Median(summary, nameof(ScoringBenchmarks.ModelPredict)))})"));
}

if (selected.Contains("latency"))
{
    var summary = BenchmarkRunner.Run<LatencyBenchmarks>();
    double raw = Median(summary, nameof(LatencyBenchmarks.Raw)) / 1e3;
    double engine = Median(summary, nameof(LatencyBenchmarks.PredictionEngine)) / 1e3;
    results.Add(("4 single-row latency", "BenchmarkDotNet mean per call: raw / PredictionEngine (µs)", $"{F(raw, "0.0")} / {F(engine, "0.0")}  ({F(engine / raw)}x)"));
    results.AddRange(Reports.Latency().Select(r => ("4 single-row latency", r.Name, r.Value)));
}

if (selected.Contains("memory"))
    results.AddRange(Reports.Memory().Select(r => ("5 memory", r.Name, r.Value)));

if (selected.Contains("accuracy"))
    results.AddRange(Reports.TimeToAccuracy().Select(r => ("6 time to accuracy", r.Name, r.Value)));

if (selected.Contains("recurrent"))
{
    results.AddRange(RecurrentBenchmarks.Run().Select(r => ("7 recurrent (issue 18)", r.Name, r.Value)));
    results.AddRange(DetoxEpochBenchmark.Run().Select(r => ("7 recurrent (issue 18)", r.Name, r.Value)));
}

if (selected.Contains("distributed"))
    results.AddRange(DistributedReport.Run().Select(r => ("8 data-parallel (issue 20)", r.Name, r.Value)));

var lines = new List<string>
{
    $"# Microsoft.ML.Layers benchmarks ({(BenchmarkSettings.Quick ? "quick" : "full")} mode, {BenchmarkSettings.Threads} libtorch threads, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, {DateTime.UtcNow:yyyy-MM-dd})",
    "",
    "| measurement | | value |",
    "|---|---|---|",
};
lines.AddRange(results.Select(r => $"| {r.Section} | {r.Name} | {r.Value} |"));
Directory.CreateDirectory("BenchmarkDotNet.Artifacts");
string path = Path.GetFullPath(Path.Combine("BenchmarkDotNet.Artifacts", "mllayers-summary.md"));
File.WriteAllLines(path, lines);
Console.WriteLine();
foreach (var line in lines)
    Console.WriteLine(line);
Console.WriteLine();
Console.WriteLine($"Written to {path}");
return 0;
