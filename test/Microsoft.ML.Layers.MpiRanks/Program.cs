using System;
using System.Linq;
using Microsoft.ML.Layers.Distributed;

// One MPI rank of a test scenario: `Microsoft.ML.Layers.MpiRanks <scenario> <expected world size>`, started by mpirun (or alone
// for the singleton scenario). Prints `OK rank R of N: scenario` and exits 0 when every check passed; otherwise prints
// `FAIL rank R: what` and exits 1. The xunit side is test/Microsoft.ML.Layers.Tests/Distributed/MpiTests.cs.
namespace Microsoft.ML.Layers.MpiRanks
{
    public static class Program
    {
        public static int Main(string[] args)
        {
            string scenario = args[0];
            int expectedSize = int.Parse(args[1]);
            Mpi.Init();
            Mpi.Init(); // idempotent
            int rank = Mpi.Rank, size = Mpi.Size;
            NativeBackend.EnsureLoaded(); // this program may call TorchSharp before any type of the library
            Console.WriteLine($"rank {rank} of {size} ({Mpi.Implementation}) running {scenario} (libtorch threads {TorchSharp.torch.get_num_threads()}, processors {Environment.ProcessorCount})");
            try
            {
                Require(size == expectedSize, $"world size: expected {expectedSize}, received {size}");
                Require(Mpi.IsInitialized && !Mpi.IsFinalized, "IsInitialized/IsFinalized after Init");
                switch (scenario)
                {
                    case "collectives":
                        Collectives(rank, size);
                        break;
                    case "mpi-error":
                        MpiError();
                        break;
                    case "early-exit":
                        // Rank 1 leaves without finalizing and with a failure code; the others wait in collectives that cannot
                        // complete. mpirun must end the job instead of letting them hang.
                        if (rank == 1)
                        {
                            Console.WriteLine("rank 1 exits early with code 3");
                            Console.Out.Flush();
                            Environment.Exit(3);
                        }
                        var buffer = new float[16];
                        for (int step = 0; step < 1_000_000; step++)
                        {
                            Mpi.AllReduceSum(buffer);
                            Mpi.Barrier();
                        }
                        Console.WriteLine($"FAIL rank {rank}: collectives completed although rank 1 exited");
                        return 1;
                    case "data-parallel":
                        DataParallelScenario.Run(rank, size);
                        break;
                    case "rank-dies":
                        FailureScenario.Run(rank, hang: false);
                        return 1;
                    case "rank-hangs":
                        FailureScenario.Run(rank, hang: true);
                        return 1;
                    case "pipeline":
                        PipelineScenario.Run(rank, size);
                        break;
                    case "allreduce-time":
                        // Not a test: the time of one in-place float all-reduce by buffer size, for docs/distributed.md.
                        AllReduceTime(rank);
                        break;
                    default:
                        throw new ArgumentException($"unknown scenario '{scenario}'");
                }
                Mpi.Barrier();
                Mpi.Finalize();
                Mpi.Finalize(); // idempotent
                Require(Mpi.IsFinalized && !Mpi.IsInitialized, "IsFinalized/IsInitialized after Finalize");
                Console.WriteLine($"OK rank {rank} of {size}: {scenario}");
                return 0;
            }
            catch (Exception e)
            {
                Console.WriteLine($"FAIL rank {rank}: {e.GetType().Name}: {e.Message}");
                return 1;
            }
        }

        private static void Collectives(int rank, int size)
        {
            // Broadcast from rank 0 (float) and from the last rank (double): the others start from other values.
            var floats = Enumerable.Range(0, 1000).Select(i => rank == 0 ? i * 0.25f - 7f : float.NaN).ToArray();
            Mpi.Broadcast(floats);
            for (int i = 0; i < floats.Length; i++)
                Require(floats[i] == i * 0.25f - 7f, $"float broadcast [{i}]: expected {i * 0.25f - 7f}, received {floats[i]}");
            int last = size - 1;
            var doubles = Enumerable.Range(0, 777).Select(i => rank == last ? Math.Sqrt(i) : -1.0).ToArray();
            Mpi.Broadcast(doubles, root: last);
            for (int i = 0; i < doubles.Length; i++)
                Require(doubles[i] == Math.Sqrt(i), $"double broadcast [{i}]: expected {Math.Sqrt(i)}, received {doubles[i]}");

            // All-reduce sum, in place: rank r holds (r + 1) * (i + 1), so every rank ends with (i + 1) * N(N + 1) / 2 (exact in
            // float for these sizes). A buffer of 2^20 + 3 elements is large enough to go through the pipelined algorithms.
            int ranksSum = size * (size + 1) / 2;
            var sumFloats = new float[(1 << 20) + 3];
            for (int i = 0; i < sumFloats.Length; i++)
                sumFloats[i] = (rank + 1) * (float)(i % 1024 + 1);
            Mpi.AllReduceSum(sumFloats);
            for (int i = 0; i < sumFloats.Length; i++)
            {
                float expected = ranksSum * (float)(i % 1024 + 1);
                Require(sumFloats[i] == expected, $"float all-reduce [{i}]: expected {expected}, received {sumFloats[i]}");
            }
            var sumDoubles = Enumerable.Range(0, 4099).Select(i => (rank + 1) * 0.5 * i).ToArray();
            Mpi.AllReduceSum(sumDoubles);
            for (int i = 0; i < sumDoubles.Length; i++)
            {
                double expected = ranksSum * 0.5 * i;
                Require(sumDoubles[i] == expected, $"double all-reduce [{i}]: expected {expected}, received {sumDoubles[i]}");
            }
            // Empty buffers are valid no-ops.
            Mpi.AllReduceSum(Span<float>.Empty);
            Mpi.Broadcast(Span<double>.Empty);
            // A root outside the world is refused before MPI is called.
            try
            {
                Mpi.Broadcast(floats, root: size);
                Require(false, "Broadcast with root = size: expected ArgumentOutOfRangeException, received none");
            }
            catch (ArgumentOutOfRangeException)
            {
            }
        }

        private static void AllReduceTime(int rank)
        {
            foreach (int count in new[] { 1 << 10, 1 << 16, 1 << 20, 1 << 22 })
            {
                var buffer = new float[count];
                int repeats = Math.Max(5, (1 << 24) / count);
                Mpi.AllReduceSum(buffer); // warm-up
                Mpi.Barrier();
                var clock = System.Diagnostics.Stopwatch.StartNew();
                for (int i = 0; i < repeats; i++)
                    Mpi.AllReduceSum(buffer);
                double seconds = clock.Elapsed.TotalSeconds / repeats;
                if (rank == 0)
                {
                    Console.WriteLine(
                        $"TIME {count} floats ({count * 4.0 / 1e6:F3} MB): {seconds * 1e6:F1} us, {count * 4.0 / seconds / 1e9:F2} GB/s");
                }
            }
        }

        private static unsafe void MpiError()
        {
            // A negative count is an MPI error (MPI_ERR_COUNT): with MPI_ERRORS_RETURN set by Init it is returned and becomes an
            // MpiException naming MPI_Bcast; with MPI's default handler (errors are fatal) the job would abort instead.
            float value = 0;
            try
            {
                Mpi.Broadcast(&value, -1, 0, isDouble: false);
                Require(false, "MPI_Bcast with count -1: expected MpiException, received none");
            }
            catch (MpiException e)
            {
                Require(e.Call == "MPI_Bcast" && e.Message.Contains("MPI_Bcast", StringComparison.Ordinal),
                    $"MpiException: expected the call MPI_Bcast, received {e.Call}: {e.Message}");
                Console.WriteLine($"MPIERROR {e.Message}");
            }
        }

        internal static void Require(bool condition, string what)
        {
            if (!condition)
                throw new InvalidOperationException(what);
        }
    }
}
