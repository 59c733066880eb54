using System;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Layers.Distributed.Native
{
    /// <summary>
    /// OpenMPI: handles are pointers, and a predefined handle is the address of a global symbol of libmpi
    /// (<c>MPI_COMM_WORLD</c> is <c>&amp;ompi_mpi_comm_world</c>, <c>MPI_FLOAT</c> is <c>&amp;ompi_mpi_float</c>, and so on),
    /// resolved with <see cref="NativeLibrary.GetExport"/>. <c>MPI_IN_PLACE</c> is <c>(void*)1</c>; <c>MPI_STATUS_IGNORE</c> is null.
    /// </summary>
    internal sealed unsafe class PointerHandleMpi : MpiNative
    {
        private readonly delegate* unmanaged<nint, int*, int> _commRank;
        private readonly delegate* unmanaged<nint, int*, int> _commSize;
        private readonly delegate* unmanaged<nint, nint, int> _commSetErrhandler;
        private readonly delegate* unmanaged<nint, int> _barrier;
        private readonly delegate* unmanaged<void*, int, nint, int, nint, int> _bcast;
        private readonly delegate* unmanaged<void*, void*, int, nint, nint, nint, int> _allreduce;
        private readonly delegate* unmanaged<void*, int, nint, int, nint, nint*, int> _ibcast;
        private readonly delegate* unmanaged<void*, void*, int, nint, nint, nint, nint*, int> _iallreduce;
        private readonly delegate* unmanaged<nint*, int*, void*, int> _test;

        /// <summary>Binds OpenMPI's functions and predefined handles in the loaded <paramref name="library"/>.</summary>
        public PointerHandleMpi(nint library, string path)
            : base(library, path)
        {
            _commRank = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_rank");
            _commSize = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_size");
            _commSetErrhandler = (delegate* unmanaged<nint, nint, int>)Export("MPI_Comm_set_errhandler");
            _barrier = (delegate* unmanaged<nint, int>)Export("MPI_Barrier");
            _bcast = (delegate* unmanaged<void*, int, nint, int, nint, int>)Export("MPI_Bcast");
            _allreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, int>)Export("MPI_Allreduce");
            _ibcast = (delegate* unmanaged<void*, int, nint, int, nint, nint*, int>)Export("MPI_Ibcast");
            _iallreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, nint*, int>)Export("MPI_Iallreduce");
            _test = (delegate* unmanaged<nint*, int*, void*, int>)Export("MPI_Test");
            CommWorld = Export("ompi_mpi_comm_world");
            Float = Export("ompi_mpi_float");
            Double = Export("ompi_mpi_double");
            Sum = Export("ompi_mpi_op_sum");
            ErrorsReturn = Export("ompi_mpi_errors_return");
        }

        public override string Implementation => "Open MPI";

        public override nint CommWorld { get; }

        public override nint Float { get; }

        public override nint Double { get; }

        public override nint Sum { get; }

        public override nint ErrorsReturn { get; }

        public override nint InPlace => 1;

        public override int CommRank(nint comm, out int rank)
        {
            int value;
            int code = _commRank(comm, &value);
            rank = value;
            return code;
        }

        public override int CommSize(nint comm, out int size)
        {
            int value;
            int code = _commSize(comm, &value);
            size = value;
            return code;
        }

        public override int CommSetErrhandler(nint comm, nint errhandler) => _commSetErrhandler(comm, errhandler);

        public override int Barrier(nint comm) => _barrier(comm);

        public override int Bcast(void* buffer, int count, nint datatype, int root, nint comm)
            => _bcast(buffer, count, datatype, root, comm);

        public override int Allreduce(void* send, void* receive, int count, nint datatype, nint op, nint comm)
            => _allreduce(send, receive, count, datatype, op, comm);

        public override int Ibcast(void* buffer, int count, nint datatype, int root, nint comm, out nint request)
        {
            nint handle;
            int code = _ibcast(buffer, count, datatype, root, comm, &handle);
            request = handle;
            return code;
        }

        public override int Iallreduce(void* send, void* receive, int count, nint datatype, nint op, nint comm, out nint request)
        {
            nint handle;
            int code = _iallreduce(send, receive, count, datatype, op, comm, &handle);
            request = handle;
            return code;
        }

        public override int Test(ref nint request, out int completed)
        {
            nint handle = request;
            int flag;
            int code = _test(&handle, &flag, null);
            request = handle;
            completed = flag;
            return code;
        }
    }
}
