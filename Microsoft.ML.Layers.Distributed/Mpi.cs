using System;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading;
using Microsoft.ML.Layers.Distributed.Native;

namespace Microsoft.ML.Layers.Distributed
{
    /// <summary>
    /// The MPI world this process belongs to (<c>MPI_COMM_WORLD</c>): start it with <see cref="Init"/> in each process launched
    /// by <c>mpirun</c>, use <see cref="Rank"/>, <see cref="Size"/> and the collectives, and end it with <see cref="Finalize"/>.
    /// Errors of MPI calls become <see cref="MpiException"/> naming the call (the world communicator is set to
    /// <c>MPI_ERRORS_RETURN</c>). Calls are serialized by a lock, so any thread may call, one at a time
    /// (<c>MPI_THREAD_SERIALIZED</c>).
    /// </summary>
    public static class Mpi
    {
        private static readonly object Gate = new();
        private static MpiNative? _native;
        private static int _rank = -1;
        private static int _size = -1;

        /// <summary>Whether MPI has been initialized in this process (by this class or by other code), and not finalized.</summary>
        public static bool IsInitialized
        {
            get
            {
                lock (Gate)
                {
                    var native = Native;
                    Check(native.Initialized(out int initialized), "MPI_Initialized");
                    Check(native.Finalized(out int finalized), "MPI_Finalized");
                    return initialized != 0 && finalized == 0;
                }
            }
        }

        /// <summary>Whether MPI has been finalized in this process (it cannot be initialized again).</summary>
        public static bool IsFinalized
        {
            get
            {
                lock (Gate)
                {
                    Check(Native.Finalized(out int finalized), "MPI_Finalized");
                    return finalized != 0;
                }
            }
        }

        /// <summary>The MPI implementation loaded (e.g. <c>Open MPI</c>).</summary>
        public static string Implementation
        {
            get
            {
                lock (Gate)
                    return Native.Implementation;
            }
        }

        /// <summary>This process's rank in the world, from 0 to <see cref="Size"/> - 1.</summary>
        public static int Rank
        {
            get
            {
                lock (Gate)
                {
                    RequireInitialized("Rank");
                    return _rank;
                }
            }
        }

        /// <summary>The number of processes in the world.</summary>
        public static int Size
        {
            get
            {
                lock (Gate)
                {
                    RequireInitialized("Size");
                    return _size;
                }
            }
        }

        /// <summary>
        /// Initializes MPI (<c>MPI_Init_thread</c> asking for <c>MPI_THREAD_SERIALIZED</c>) and sets the world communicator to
        /// return errors. Idempotent: does nothing when MPI is already initialized; throws when it was finalized.
        /// </summary>
        public static void Init()
        {
            lock (Gate)
            {
                var native = Native;
                Check(native.Finalized(out int finalized), "MPI_Finalized");
                if (finalized != 0)
                    throw new InvalidOperationException("Mpi.Init: expected MPI not finalized, received finalized (MPI cannot restart).");
                Check(native.Initialized(out int initialized), "MPI_Initialized");
                if (initialized == 0)
                {
                    Check(native.InitThread(MpiNative.ThreadSerialized, out int provided), "MPI_Init_thread");
                    if (provided < MpiNative.ThreadSerialized)
                    {
                        throw new InvalidOperationException(
                            $"MPI_Init_thread: expected thread level MPI_THREAD_SERIALIZED ({MpiNative.ThreadSerialized}) or more, "
                            + $"received {provided}.");
                    }
                }
                Check(native.CommSetErrhandler(native.CommWorld, native.ErrorsReturn), "MPI_Comm_set_errhandler");
                Check(native.CommRank(native.CommWorld, out _rank), "MPI_Comm_rank");
                Check(native.CommSize(native.CommWorld, out _size), "MPI_Comm_size");
            }
        }

        /// <summary>
        /// Finalizes MPI (<c>MPI_Finalize</c>). Idempotent: does nothing when MPI is not initialized or already finalized.
        /// </summary>
#pragma warning disable CS0465 // A static method of a static class: no destructor to interfere with; the name is MPI's.
        public static void Finalize()
#pragma warning restore CS0465
        {
            lock (Gate)
            {
                var native = Native;
                Check(native.Initialized(out int initialized), "MPI_Initialized");
                Check(native.Finalized(out int finalized), "MPI_Finalized");
                if (initialized == 0 || finalized != 0)
                    return;
                Check(native.Finalize(), "MPI_Finalize");
                _rank = _size = -1;
            }
        }

        /// <summary>Waits until every process of the world has called it (<c>MPI_Barrier</c>).</summary>
        public static void Barrier()
        {
            lock (Gate)
            {
                RequireInitialized("Barrier");
                Check(Native.Barrier(Native.CommWorld), "MPI_Barrier");
            }
        }

        /// <summary>Copies <paramref name="buffer"/> of rank <paramref name="root"/> into the same buffer of every other rank
        /// (<c>MPI_Bcast</c>); every rank passes a buffer of the same length.</summary>
        public static unsafe void Broadcast(Span<float> buffer, int root = 0)
        {
            fixed (float* data = buffer)
                Broadcast(data, buffer.Length, root, isDouble: false);
        }

        /// <summary>Copies <paramref name="buffer"/> of rank <paramref name="root"/> into the same buffer of every other rank
        /// (<c>MPI_Bcast</c>); every rank passes a buffer of the same length.</summary>
        public static unsafe void Broadcast(Span<double> buffer, int root = 0)
        {
            fixed (double* data = buffer)
                Broadcast(data, buffer.Length, root, isDouble: true);
        }

        /// <summary>Replaces <paramref name="buffer"/> on every rank by the element-wise sum of the buffers of all ranks
        /// (<c>MPI_Allreduce</c> with <c>MPI_IN_PLACE</c> and <c>MPI_SUM</c>); every rank passes a buffer of the same length.</summary>
        public static unsafe void AllReduceSum(Span<float> buffer)
        {
            fixed (float* data = buffer)
                AllReduceSum(data, buffer.Length, isDouble: false);
        }

        /// <summary>Replaces <paramref name="buffer"/> on every rank by the element-wise sum of the buffers of all ranks
        /// (<c>MPI_Allreduce</c> with <c>MPI_IN_PLACE</c> and <c>MPI_SUM</c>); every rank passes a buffer of the same length.</summary>
        public static unsafe void AllReduceSum(Span<double> buffer)
        {
            fixed (double* data = buffer)
                AllReduceSum(data, buffer.Length, isDouble: true);
        }

        /// <summary>
        /// <see cref="AllReduceSum(Span{float})"/> that gives up after <paramref name="timeout"/>: throws
        /// <see cref="MpiTimeoutException"/> when another rank does not join in time (it died, hangs, or is far behind).
        /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> waits forever.
        /// </summary>
        public static void AllReduceSum(Span<float> buffer, TimeSpan timeout) => Timed(buffer, timeout, root: -1);

        /// <summary>
        /// <see cref="AllReduceSum(Span{double})"/> that gives up after <paramref name="timeout"/> with
        /// <see cref="MpiTimeoutException"/>.
        /// </summary>
        public static void AllReduceSum(Span<double> buffer, TimeSpan timeout) => Timed(buffer, timeout, root: -1);

        /// <summary>
        /// <see cref="Broadcast(Span{float}, int)"/> that gives up after <paramref name="timeout"/> with
        /// <see cref="MpiTimeoutException"/>.
        /// </summary>
        public static void Broadcast(Span<float> buffer, TimeSpan timeout, int root = 0)
            => Timed(buffer, timeout, root >= 0 ? root : throw new ArgumentOutOfRangeException(nameof(root), root,
                $"Mpi.Broadcast: expected a root rank from 0 to {Size - 1}, received {root}."));

        /// <summary>
        /// <see cref="Broadcast(Span{double}, int)"/> that gives up after <paramref name="timeout"/> with
        /// <see cref="MpiTimeoutException"/>.
        /// </summary>
        public static void Broadcast(Span<double> buffer, TimeSpan timeout, int root = 0)
            => Timed(buffer, timeout, root >= 0 ? root : throw new ArgumentOutOfRangeException(nameof(root), root,
                $"Mpi.Broadcast: expected a root rank from 0 to {Size - 1}, received {root}."));

        /// <summary>
        /// A collective over native memory (a tensor's) that gives up after <paramref name="timeout"/>: an all-reduce sum in place
        /// when <paramref name="root"/> is negative, else a broadcast from <paramref name="root"/>. MPI cannot cancel a started
        /// collective, so after a timeout the memory may still be written by MPI: the caller must never free or reuse it.
        /// </summary>
        /// <param name="data">The buffer, in memory the garbage collector does not move.</param>
        /// <param name="count">Its element count.</param>
        /// <param name="isDouble">Doubles, else floats.</param>
        /// <param name="root">The broadcast's root, or -1 for an all-reduce sum.</param>
        /// <param name="timeout">The limit, or <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> for a blocking call.</param>
        /// <param name="what">What the collective is for, for the timeout's message.</param>
        internal static unsafe void Collective(void* data, int count, bool isDouble, int root, TimeSpan timeout, string what)
        {
            if (timeout != Timeout.InfiniteTimeSpan && timeout <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(timeout), timeout,
                    "Mpi: expected a positive timeout or Timeout.InfiniteTimeSpan, received " + timeout + ".");
            }
            if (timeout == Timeout.InfiniteTimeSpan)
            {
                if (root < 0)
                    AllReduceSum(data, count, isDouble);
                else
                    Broadcast(data, count, root, isDouble);
                return;
            }
            lock (Gate)
            {
                RequireInitialized(root < 0 ? "AllReduceSum" : "Broadcast");
                if (root >= _size)
                {
                    throw new ArgumentOutOfRangeException(nameof(root), root,
                        $"Mpi.Broadcast: expected a root rank from 0 to {_size - 1}, received {root}.");
                }
                var native = Native;
                var type = isDouble ? native.Double : native.Float;
                nint request;
                string call = root < 0 ? "MPI_Iallreduce" : "MPI_Ibcast";
                Check(root < 0 ? native.Iallreduce((void*)native.InPlace, data, count, type, native.Sum, native.CommWorld, out request)
                    : native.Ibcast(data, count, type, root, native.CommWorld, out request), call);
                // Poll: tightly at first (a step's collective usually completes within microseconds), then yielding, then
                // sleeping a millisecond between bursts once the wait passes 100 ms (a slow rank does not get a spinning neighbour).
                long start = Stopwatch.GetTimestamp();
                double limitTicks = timeout.TotalSeconds * Stopwatch.Frequency;
                for (long spin = 0; ; spin++)
                {
                    Check(native.Test(ref request, out int completed), "MPI_Test");
                    if (completed != 0)
                        return;
                    if ((spin & 63) != 0)
                        continue;
                    long elapsed = Stopwatch.GetTimestamp() - start;
                    if (elapsed > limitTicks)
                        throw new MpiTimeoutException(call, _rank, _size, timeout, what);
                    if (elapsed > Stopwatch.Frequency / 10)
                        Thread.Sleep(1);
                    else if (spin > 4096)
                        Thread.Yield();
                }
            }
        }

        /// <summary>A timed collective on managed memory: through a native copy, leaked (never freed) when the wait times out,
        /// because MPI may still write into it.</summary>
        private static unsafe void Timed<T>(Span<T> buffer, TimeSpan timeout, int root) where T : unmanaged
        {
            nuint bytes = (nuint)(buffer.Length * sizeof(T));
            void* copy = NativeMemory.Alloc(Math.Max(bytes, 1));
            bool pending = false;
            try
            {
                MemoryMarshal.AsBytes(buffer).CopyTo(new Span<byte>(copy, (int)bytes));
                Collective(copy, buffer.Length, typeof(T) == typeof(double), root, timeout,
                    root < 0 ? $"an all-reduce of {buffer.Length} values" : $"a broadcast of {buffer.Length} values from rank {root}");
                new Span<byte>(copy, (int)bytes).CopyTo(MemoryMarshal.AsBytes(buffer));
            }
            catch (MpiTimeoutException)
            {
                pending = true;
                throw;
            }
            finally
            {
                if (!pending)
                    NativeMemory.Free(copy);
            }
        }

        /// <summary>MPI_Bcast of <paramref name="count"/> elements at <paramref name="data"/> (internal: tests pass a bad count).</summary>
        internal static unsafe void Broadcast(void* data, int count, int root, bool isDouble)
        {
            lock (Gate)
            {
                RequireInitialized("Broadcast");
                if (root < 0 || root >= _size)
                {
                    throw new ArgumentOutOfRangeException(nameof(root), root,
                        $"Mpi.Broadcast: expected a root rank from 0 to {_size - 1}, received {root}.");
                }
                var native = Native;
                Check(native.Bcast(data, count, isDouble ? native.Double : native.Float, root, native.CommWorld), "MPI_Bcast");
            }
        }

        private static unsafe void AllReduceSum(void* data, int count, bool isDouble)
        {
            lock (Gate)
            {
                RequireInitialized("AllReduceSum");
                var native = Native;
                Check(native.Allreduce((void*)native.InPlace, data, count, isDouble ? native.Double : native.Float, native.Sum,
                    native.CommWorld), "MPI_Allreduce");
            }
        }

        /// <summary>The bound library, loaded on first use.</summary>
        private static MpiNative Native => _native ??= MpiLibrary.Load();

        private static void RequireInitialized(string member)
        {
            if (_rank < 0)
                throw new InvalidOperationException($"Mpi.{member}: expected MPI initialized by Mpi.Init, received not initialized.");
        }

        private static void Check(int code, string call)
        {
            if (code != 0)
                throw new MpiException(call, code, Native.ErrorString(code));
        }
    }
}
