using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Distributed;
using Microsoft.ML.Layers.Estimators;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Benchmarks
{
    /// <summary>
    /// 8. Data-parallel training (issue 20): the NeuralNetwork trainer's throughput in one process against two MPI processes
    /// (mpirun -np 2 over loopback), with the machine's cores shared fairly: one process with 2 libtorch threads against two
    /// processes with 1 each (and one process with 1 thread, for the per-core view). Each configuration runs in its own child
    /// processes, interleaved over rounds; a worker times only the trainer's Fit (data already in memory).
    /// </summary>
    public static class DistributedReport
    {
        /// <summary>The worker's command: <c>distributed-worker mlp|cnn threads</c>.</summary>
        public const string WorkerCommand = "distributed-worker";

        private const string ResultPrefix = "DISTRIBUTED-RESULT";

        public static IEnumerable<(string Name, string Value)> Run()
        {
            string? mpirun = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
                .Select(folder => Path.Combine(folder, "mpirun")).FirstOrDefault(File.Exists);
            if (mpirun is null)
            {
                yield return ("data-parallel", "skipped: mpirun not found (apt-get install openmpi-bin libopenmpi-dev)");
                yield break;
            }
            string self = typeof(DistributedReport).Assembly.Location;
            int rounds = BenchmarkSettings.Quick ? 1 : 5;
            var models = Reports.FindSharedData() is null ? new[] { "mlp" } : new[] { "mlp", "cnn" };
            foreach (var model in models)
            {
                var one2 = new List<double>();
                var one1 = new List<double>();
                var two1 = new List<double>();
                string details = "";
                for (int round = 0; round < rounds; round++)
                {
                    one2.Add(Worker(Start(ProcessRunner(null, self, model, 2))).RowsPerSecond);
                    var (rows, detail) = Worker(Start(ProcessRunner(mpirun, self, model, 1)));
                    two1.Add(rows);
                    details = detail;
                    one1.Add(Worker(Start(ProcessRunner(null, self, model, 1))).RowsPerSecond);
                }
                string F(double v) => v.ToString("N0", CultureInfo.InvariantCulture);
                string R(IEnumerable<double> ratios) => string.Join(", ", ratios.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)));
                string name = model == "mlp" ? "MLP 64-256-256-1, global batch 256" : "digits CNN, global batch 64";
                yield return ($"{name}: rows/s, 1 process x 2 threads", string.Join(", ", one2.Select(F)));
                yield return ($"{name}: rows/s, 2 processes x 1 thread", string.Join(", ", two1.Select(F)) + $" ({details})");
                yield return ($"{name}: rows/s, 1 process x 1 thread", string.Join(", ", one1.Select(F)));
                yield return ($"{name}: 2 processes / 1 process x 2 threads, by round", R(two1.Zip(one2, (a, b) => a / b)));
                yield return ($"{name}: 2 processes / 1 process x 1 thread, by round", R(two1.Zip(one1, (a, b) => a / b)));
            }
        }

        private static ProcessStartInfo ProcessRunner(string? mpirun, string self, string model, int threads)
        {
            var start = new ProcessStartInfo(mpirun ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            if (mpirun is not null)
            {
                // mpirun's defaults otherwise (with 2 processes on 2 cores: each bound to its own core).
                foreach (var argument in new[] { "--allow-run-as-root", "-np", "2", "dotnet" })
                    start.ArgumentList.Add(argument);
            }
            foreach (var argument in new[] { self, WorkerCommand, model, threads.ToString(CultureInfo.InvariantCulture) })
                start.ArgumentList.Add(argument);
            if (BenchmarkSettings.Quick)
                start.Environment["MLLAYERS_BENCH_QUICK"] = "1";
            return start;
        }

        private static string Start(ProcessStartInfo start)
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"distributed benchmark worker: exit code {process.ExitCode}\n{output}\n{error.Result}");
            return output;
        }

        private static (double RowsPerSecond, string Detail) Worker(string output)
        {
            var match = Regex.Match(output, ResultPrefix + @" ([0-9.]+) (.*)");
            if (!match.Success)
                throw new InvalidOperationException($"distributed benchmark worker: no result line in\n{output}");
            return (double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value.Trim());
        }

        /// <summary>
        /// One process of a configuration: trains the model with the NeuralNetwork trainer (with <see cref="DataParallel"/>
        /// when started by mpirun with more than one process), once to warm up and once timed; rank 0 prints the rows per second.
        /// </summary>
        public static int Worker(string[] args)
        {
            string model = args[1];
            int threads = int.Parse(args[2], CultureInfo.InvariantCulture);
            set_num_threads(threads);
            bool underMpirun = Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is { } size && size != "1";
            // MLLAYERS_BENCH_MPI_BLOCKING=1: MPI's blocking collectives (no timeout) instead of the polled, timed ones.
            bool blocking = Environment.GetEnvironmentVariable("MLLAYERS_BENCH_MPI_BLOCKING") == "1";
            using var strategy = !underMpirun ? null
                : blocking ? new DataParallel { Timeout = System.Threading.Timeout.InfiniteTimeSpan } : new DataParallel();
            var ml = new MLContext(seed: 1);
            IDataView data;
            Func<Sequential> network;
            int batchSize, epochs;
            if (model == "mlp")
            {
                using var generated = new BenchmarkData(BenchmarkSettings.Quick ? 5_000 : 50_000);
                data = ml.Data.LoadFromEnumerable(generated.Rows);
                network = TrainingThroughputBenchmarks.Network;
                batchSize = 256;
                epochs = BenchmarkSettings.Quick ? 1 : 3;
            }
            else
            {
                string directory = Reports.FindSharedData() ?? throw new InvalidOperationException("optdigits not found");
                var raw = ml.Data.LoadFromTextFile<Reports.Digit>(Path.Combine(directory, "optdigits-train.csv"), separatorChar: ',');
                data = ml.Data.Cache(ml.Transforms.Conversion.MapValueToKey("Label", "Number").Append(ml.Transforms.NormalizeMinMax("Features"))
                    .Fit(raw).Transform(raw));
                network = Reports.DigitsNetwork;
                batchSize = 64;
                epochs = BenchmarkSettings.Quick ? 1 : 5;
            }
            long rows = data.GetRowCount() ?? data.GetColumn<float>("Number").LongCount();

            double Fit(int fitEpochs)
            {
                manual_seed(1);
                var options = new NeuralNetworkOptions { Epochs = fitEpochs, BatchSize = batchSize, NumberOfThreads = threads, Distribution = strategy };
                var clock = Stopwatch.StartNew();
                if (model == "mlp")
                    ml.Regression.Trainers.NeuralNetwork(network(), options).Fit(data);
                else
                    ml.MulticlassClassification.Trainers.NeuralNetwork(network(), options).Fit(data);
                return clock.Elapsed.TotalSeconds;
            }

            Fit(1);
            double seconds = Fit(epochs);
            if (strategy is null || strategy.ReplicaId == 0)
            {
                string detail = strategy is null ? "one process"
                    : $"{strategy.FloatsPerStep:N0} floats = {strategy.FloatsPerStep * 4 / 1024.0:0} KiB all-reduced per step";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{ResultPrefix} {rows * epochs / seconds:0.0} {detail}"));
            }
            if (strategy is not null)
                Mpi.Finalize();
            return 0;
        }
    }
}
