using System;
using System.Diagnostics;
using System.Threading;
using Microsoft.ML.Layers.Callbacks;
using Microsoft.ML.Layers.Distributed;
using Microsoft.ML.Layers.Optimizers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.MpiRanks
{
    /// <summary>
    /// Scenarios <c>rank-dies</c> and <c>rank-hangs</c>: a data-parallel <c>Fit</c> in which rank 1 stops taking part at the
    /// start of its fourth batch, killed (SIGKILL, as a crash or an out-of-memory kill would) or stuck forever. The other rank
    /// must not wait forever: a killed rank makes mpirun end the job; a stuck one makes rank 0's next collective throw
    /// <see cref="MpiTimeoutException"/> after <see cref="DataParallel.Timeout"/> (5 s here), and rank 0 then exits with an
    /// error, which makes mpirun end the stuck rank.
    /// </summary>
    internal static class FailureScenario
    {
        public static void Run(int rank, bool hang)
        {
            set_num_threads(1);
            manual_seed(3);
            using var x = randn(256, 4);
            using var y = randn(256, 1);
            using var strategy = new DataParallel { Timeout = TimeSpan.FromSeconds(5) };
            using var model = new Sequential(new InputLayer(shape: new Shape(4)), new Dense(8, activation: "relu"), new Dense(1));
            model.Compile(new Adam(0.01), "mse");
            model.Distribution = strategy;
            var clock = Stopwatch.StartNew();
            var stopRank1 = new LambdaCallback(onTrainBatchBegin: (batch, _) =>
            {
                if (rank != 1 || batch != 3)
                    return;
                Console.WriteLine(hang ? "rank 1 hangs at batch 4" : "rank 1 is killed at batch 4");
                Console.Out.Flush();
                if (hang)
                    Thread.Sleep(Timeout.Infinite);
                Process.GetCurrentProcess().Kill();
            });
            try
            {
                model.Fit(x, y, batchSize: 16, epochs: 50, shuffle: false, verbose: 0, callbacks: new[] { stopRank1 });
            }
            catch (MpiTimeoutException e)
            {
                Console.WriteLine($"TIMEOUT rank {rank} after {clock.Elapsed.TotalSeconds:F1} s: {e.Message}");
                Console.Out.Flush();
                throw;
            }
            Console.WriteLine($"FAIL rank {rank}: Fit completed although rank 1 stopped");
        }
    }
}
