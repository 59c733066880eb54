using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;

namespace Microsoft.ML.Layers.Tests.Distributed
{
    /// <summary>
    /// The MPI binding (Microsoft.ML.Layers.Distributed) in real MPI jobs: test/Microsoft.ML.Layers.MpiRanks started by OpenMPI's
    /// <c>mpirun -np 2</c> over loopback, each job bounded in time. MPI runs only in those child processes, never in the test
    /// process. Needs OpenMPI (<c>mpirun</c> on PATH, libmpi.so.40); .ci/run installs it when missing.
    /// </summary>
    [Collection(nameof(MpiTests))]
    public sealed class MpiTests
    {
        private static readonly TimeSpan JobLimit = TimeSpan.FromSeconds(120);

        [Fact]
        public void TwoRanksAgreeOnRankSizeBroadcastAndAllReduceSum()
        {
            var job = RunJob("collectives", ranks: 2);
            AssertEveryRankPassed(job, "collectives");
        }

        [Fact]
        public void DataParallelOnTwoRanksMatchesOneProcessOnWholeBatchesForAnMlpAndACnn()
        {
            // An MLP (3 epochs of 69 rows in batches of 16, the last batch of 5 rows splitting 2/3) and a small CNN (2 epochs of
            // 42 8x8 images in batches of 8), no shuffle, each rank starting from other random weights, then one TrainOnBatch:
            // rank 0 checks the weights against one process trained inside it from the same initial weights (within 1e-5), and
            // every rank checks it holds rank 0's weights exactly and the same History. Then a BatchNormalization model: identical
            // weights and moving statistics on every rank.
            var job = RunJob("data-parallel", ranks: 2);
            AssertEveryRankPassed(job, "data-parallel");
            Assert.Contains("MLP: max |weight - one-process weight|", job.StandardOutput);
            Assert.Contains("CNN: max |weight - one-process weight|", job.StandardOutput);
        }

        [Fact]
        public void DataParallelOverOpenMpisTcpTransportMatchesOneProcess()
        {
            // Separate machines talk over TCP, not shared memory: the same scenario with OpenMPI's TCP transport forced
            // (loopback), so the binding's collectives are exercised on the path a multi-machine job takes.
            var job = MpiRun.Run(RanksApp, new[] { "data-parallel", "2" }, ranks: 2, JobLimit, "--mca", "btl", "tcp,self");
            AssertEveryRankPassed(job, "data-parallel");
        }

        [Fact]
        public void APipelineTrainedOnTwoRanksWithEachReadingItsShardMatchesOneProcessAndSavesAnOrdinaryZip()
        {
            // NeuralNetworkOptions.Distribution: each rank reads the rows of index = rank (mod 2) of the same IDataView; no
            // shuffle, so the result equals one process on the whole data (rank 0 checks within 1e-5), every rank holds rank 0's
            // weights, and rank 0's saved .zip reloads and scores identically. Then a shuffled Fit on an odd row count.
            var job = RunJob("pipeline", ranks: 2);
            AssertEveryRankPassed(job, "pipeline");
            Assert.Contains("pipeline: max |weight - one-process weight|", job.StandardOutput);
            Assert.Contains("saved and reloaded .zip scores", job.StandardOutput);
        }

        [Fact]
        public void MpichRanksRunTheCollectivesAndDataParallelTrainingThroughTheIntegerHandleAbi()
        {
            // MPICH's ABI (integer handles, MPI_IN_PLACE = -1, MPI_STATUS_IGNORE = 1) is MS-MPI's and Intel MPI's too: the same
            // scenarios as under OpenMPI, through the other half of the binding.
            foreach (var scenario in new[] { "collectives", "data-parallel" })
            {
                var job = MpiRun.RunMpich(RanksApp, new[] { scenario, "2" }, ranks: 2, JobLimit);
                AssertEveryRankPassed(job, scenario);
                Assert.Contains($"rank 0 of 2 (MPICH) running {scenario}", job.StandardOutput);
            }
        }

        [Fact]
        public void AProcessStartedWithoutMpirunIsAWorldOfOne()
        {
            var run = ProcessRunner.Run(ProcessRunner.DotNet, new[] { RanksApp, "collectives", "1" }, Path.GetDirectoryName(RanksApp)!,
                timeout: JobLimit);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("OK rank 0 of 1: collectives", run.StandardOutput);
        }

        [Fact]
        public void AnMpiErrorBecomesAnExceptionNamingTheCall()
        {
            var job = RunJob("mpi-error", ranks: 2);
            Assert.True(job.ExitCode == 0, job.ToString());
            var errors = job.StandardOutput.Split('\n').Where(line => line.Contains("MPIERROR ", StringComparison.Ordinal)).ToArray();
            Assert.Equal(2, errors.Length);
            Assert.All(errors, line => Assert.Contains("MPI_Bcast failed", line));
            Assert.All(errors, line => Assert.Contains("MPI_ERR_COUNT", line));
        }

        [Fact]
        public void ARankThatExitsEarlyEndsTheJobInsteadOfHanging()
        {
            // Rank 1 exits with code 3 while rank 0 loops in all-reduce and barrier calls that can never complete. mpirun sees a
            // process end with a non-zero code and aborts the job; the bound is the job limit (ProcessRunner throws past it).
            var clock = Stopwatch.StartNew();
            var job = RunJob("early-exit", ranks: 2, limit: TimeSpan.FromSeconds(60));
            Assert.NotEqual(0, job.ExitCode);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the job took {clock.Elapsed}");
            Assert.Contains("rank 1 exits early with code 3", job.StandardOutput);
            Assert.DoesNotContain("collectives completed", job.StandardOutput);
            Assert.Contains("non-zero", job.StandardOutput + job.StandardError);
        }

        [Fact]
        public void ARankKilledDuringDataParallelFitEndsTheJobWithMpirunNamingIt()
        {
            // Rank 1 kills itself (SIGKILL) at its fourth batch while rank 0 enters the step's all-reduce.
            var clock = Stopwatch.StartNew();
            var job = RunJob("rank-dies", ranks: 2, limit: TimeSpan.FromSeconds(60));
            Assert.NotEqual(0, job.ExitCode);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the job took {clock.Elapsed}");
            Assert.Contains("rank 1 is killed at batch 4", job.StandardOutput);
            Assert.DoesNotContain("Fit completed", job.StandardOutput);
            Assert.Matches("process rank 1 .*exited on signal 9", job.StandardOutput + job.StandardError);
        }

        [Fact]
        public void ARankStuckDuringDataParallelFitMakesTheOthersFailWithATimeoutNamingTheStep()
        {
            // Rank 1 sleeps forever at its fourth batch; rank 0's all-reduce of step 4 gives up after DataParallel.Timeout (5 s)
            // with MpiTimeoutException, rank 0 exits with an error and mpirun ends rank 1.
            var clock = Stopwatch.StartNew();
            var job = RunJob("rank-hangs", ranks: 2, limit: TimeSpan.FromSeconds(60));
            Assert.NotEqual(0, job.ExitCode);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the job took {clock.Elapsed}");
            Assert.Contains("rank 1 hangs at batch 4", job.StandardOutput);
            var timeout = System.Text.RegularExpressions.Regex.Match(job.StandardOutput, @"TIMEOUT rank 0 after ([0-9.]+) s: (.*)");
            Assert.True(timeout.Success, job.ToString());
            Assert.Contains("MPI_Iallreduce (the gradients of step 4) on rank 0 of 2", timeout.Groups[2].Value);
            Assert.Contains("within 00:00:05", timeout.Groups[2].Value);
            double seconds = double.Parse(timeout.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(seconds, 5, 30);
        }

        [Fact]
        public void TheCoreLibraryDoesNotReferenceTheMpiBinding()
        {
            foreach (var assembly in new[] { typeof(Layer).Assembly })
            {
                Assert.DoesNotContain(assembly.GetReferencedAssemblies(),
                    name => name.Name == "Microsoft.ML.Layers.Distributed");
            }
        }

        /// <summary>The rank app, built with the tests (this project references it without referencing its assembly).</summary>
        private static string RanksApp
        {
            get
            {
                var path = Path.Combine(RepositoryLayout.Root, "test", "Microsoft.ML.Layers.MpiRanks", "bin",
                    RepositoryLayout.BuildConfiguration, "net10.0", "Microsoft.ML.Layers.MpiRanks.dll");
                Assert.True(File.Exists(path), $"The MPI rank app: expected {path}, received no such file (build the tests first).");
                return path;
            }
        }

        /// <summary>The job succeeded and both of its 2 ranks printed that <paramref name="scenario"/> passed.</summary>
        private static void AssertEveryRankPassed(ProcessResult job, string scenario)
        {
            Assert.True(job.ExitCode == 0, job.ToString());
            Assert.Contains($"OK rank 0 of 2: {scenario}", job.StandardOutput);
            Assert.Contains($"OK rank 1 of 2: {scenario}", job.StandardOutput);
        }

        private static ProcessResult RunJob(string scenario, int ranks, TimeSpan? limit = null)
            => MpiRun.Run(RanksApp, new[] { scenario, ranks.ToString() }, ranks, limit ?? JobLimit);
    }
}
