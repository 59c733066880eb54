using System;

namespace Microsoft.ML.Layers.Distributed.Native
{
    /// <summary>
    /// The MPI C functions this binding calls, over one loaded MPI library. MPI standardizes the functions but not the ABI of
    /// its handles: OpenMPI's handles are pointers (its predefined handles are the addresses of global objects such as
    /// <c>ompi_mpi_comm_world</c>), while MPICH and MS-MPI use 32-bit integer constants. Each subclass binds the functions with
    /// its own handle width; callers pass handles as <see cref="nint"/> either way. Every method returns the MPI error code.
    /// </summary>
    internal abstract class MpiNative
    {
        /// <summary>MPI_THREAD_SERIALIZED: the same value (2) in OpenMPI, MPICH and MS-MPI.</summary>
        public const int ThreadSerialized = 2;

        /// <summary>The implementation's name, for messages (e.g. <c>Open MPI</c>).</summary>
        public abstract string Implementation { get; }

        /// <summary>MPI_COMM_WORLD.</summary>
        public abstract nint CommWorld { get; }

        /// <summary>MPI_FLOAT.</summary>
        public abstract nint Float { get; }

        /// <summary>MPI_DOUBLE.</summary>
        public abstract nint Double { get; }

        /// <summary>MPI_SUM.</summary>
        public abstract nint Sum { get; }

        /// <summary>MPI_ERRORS_RETURN.</summary>
        public abstract nint ErrorsReturn { get; }

        /// <summary>MPI_IN_PLACE: <c>(void*)1</c> in OpenMPI, <c>(void*)-1</c> in MPICH and MS-MPI.</summary>
        public abstract nint InPlace { get; }

        public abstract int Initialized(out int flag);

        public abstract int Finalized(out int flag);

        public abstract int InitThread(int required, out int provided);

        public abstract int Finalize();

        public abstract int CommRank(nint comm, out int rank);

        public abstract int CommSize(nint comm, out int size);

        public abstract int CommSetErrhandler(nint comm, nint errhandler);

        public abstract int Barrier(nint comm);

        public abstract unsafe int Bcast(void* buffer, int count, nint datatype, int root, nint comm);

        public abstract unsafe int Allreduce(void* send, void* receive, int count, nint datatype, nint op, nint comm);

        /// <summary>MPI_Ibcast: starts a broadcast; <paramref name="request"/> is the handle to test.</summary>
        public abstract unsafe int Ibcast(void* buffer, int count, nint datatype, int root, nint comm, out nint request);

        /// <summary>MPI_Iallreduce: starts an all-reduce; <paramref name="request"/> is the handle to test.</summary>
        public abstract unsafe int Iallreduce(void* send, void* receive, int count, nint datatype, nint op, nint comm,
            out nint request);

        /// <summary>MPI_Test with MPI_STATUS_IGNORE: <paramref name="completed"/> is non-zero once the request completed (the
        /// request is then freed and set to MPI_REQUEST_NULL).</summary>
        public abstract int Test(ref nint request, out int completed);

        /// <summary>The library's text for <paramref name="errorCode"/>, or empty when it has none.</summary>
        public abstract string ErrorString(int errorCode);
    }
}
