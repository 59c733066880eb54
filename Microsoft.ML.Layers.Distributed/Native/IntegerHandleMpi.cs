using System;

namespace Microsoft.ML.Layers.Distributed.Native
{
    /// <summary>
    /// The MPICH ABI, shared by MPICH, MS-MPI (Windows' <c>msmpi.dll</c>) and Intel MPI: handles are 32-bit integers with the
    /// same predefined values in all three (<c>MPI_COMM_WORLD</c> 0x44000000, <c>MPI_FLOAT</c> 0x4c00040a, <c>MPI_DOUBLE</c>
    /// 0x4c00080b, <c>MPI_SUM</c> 0x58000003, <c>MPI_ERRORS_RETURN</c> 0x54000001), <c>MPI_IN_PLACE</c> is <c>(void*)-1</c> and
    /// <c>MPI_STATUS_IGNORE</c> is <c>(MPI_Status*)1</c>. MS-MPI's functions are <c>__stdcall</c>, which on x64 and arm64 is the
    /// platform's one convention.
    /// </summary>
    internal sealed unsafe class IntegerHandleMpi : MpiNative
    {
        private const int CommWorldHandle = 0x44000000;
        private const int FloatHandle = 0x4c00040a;
        private const int DoubleHandle = 0x4c00080b;
        private const int SumHandle = 0x58000003;
        private const int ErrorsReturnHandle = 0x54000001;

        private readonly delegate* unmanaged<int, int*, int> _commRank;
        private readonly delegate* unmanaged<int, int*, int> _commSize;
        private readonly delegate* unmanaged<int, int, int> _commSetErrhandler;
        private readonly delegate* unmanaged<int, int> _barrier;
        private readonly delegate* unmanaged<void*, int, int, int, int, int> _bcast;
        private readonly delegate* unmanaged<void*, void*, int, int, int, int, int> _allreduce;
        private readonly delegate* unmanaged<void*, int, int, int, int, int*, int> _ibcast;
        private readonly delegate* unmanaged<void*, void*, int, int, int, int, int*, int> _iallreduce;
        private readonly delegate* unmanaged<int*, int*, void*, int> _test;

        /// <summary>Binds an MPICH-ABI library's functions.</summary>
        public IntegerHandleMpi(nint library, string path)
            : base(library, path)
        {
            _commRank = (delegate* unmanaged<int, int*, int>)Export("MPI_Comm_rank");
            _commSize = (delegate* unmanaged<int, int*, int>)Export("MPI_Comm_size");
            _commSetErrhandler = (delegate* unmanaged<int, int, int>)Export("MPI_Comm_set_errhandler");
            _barrier = (delegate* unmanaged<int, int>)Export("MPI_Barrier");
            _bcast = (delegate* unmanaged<void*, int, int, int, int, int>)Export("MPI_Bcast");
            _allreduce = (delegate* unmanaged<void*, void*, int, int, int, int, int>)Export("MPI_Allreduce");
            _ibcast = (delegate* unmanaged<void*, int, int, int, int, int*, int>)Export("MPI_Ibcast");
            _iallreduce = (delegate* unmanaged<void*, void*, int, int, int, int, int*, int>)Export("MPI_Iallreduce");
            _test = (delegate* unmanaged<int*, int*, void*, int>)Export("MPI_Test");
            string version = LibraryVersion;
            Implementation = version.StartsWith("Microsoft MPI", StringComparison.Ordinal) || path.EndsWith("msmpi.dll", StringComparison.OrdinalIgnoreCase)
                ? "Microsoft MPI"
                : version.StartsWith("Intel", StringComparison.Ordinal) ? "Intel MPI" : "MPICH";
        }

        public override string Implementation { get; }

        public override nint CommWorld => CommWorldHandle;

        public override nint Float => FloatHandle;

        public override nint Double => DoubleHandle;

        public override nint Sum => SumHandle;

        public override nint ErrorsReturn => ErrorsReturnHandle;

        public override nint InPlace => -1;

        public override int CommRank(nint comm, out int rank)
        {
            int value;
            int code = _commRank((int)comm, &value);
            rank = value;
            return code;
        }

        public override int CommSize(nint comm, out int size)
        {
            int value;
            int code = _commSize((int)comm, &value);
            size = value;
            return code;
        }

        public override int CommSetErrhandler(nint comm, nint errhandler) => _commSetErrhandler((int)comm, (int)errhandler);

        public override int Barrier(nint comm) => _barrier((int)comm);

        public override int Bcast(void* buffer, int count, nint datatype, int root, nint comm)
            => _bcast(buffer, count, (int)datatype, root, (int)comm);

        public override int Allreduce(void* send, void* receive, int count, nint datatype, nint op, nint comm)
            => _allreduce(send, receive, count, (int)datatype, (int)op, (int)comm);

        public override int Ibcast(void* buffer, int count, nint datatype, int root, nint comm, out nint request)
        {
            int handle;
            int code = _ibcast(buffer, count, (int)datatype, root, (int)comm, &handle);
            request = handle;
            return code;
        }

        public override int Iallreduce(void* send, void* receive, int count, nint datatype, nint op, nint comm, out nint request)
        {
            int handle;
            int code = _iallreduce(send, receive, count, (int)datatype, (int)op, (int)comm, &handle);
            request = handle;
            return code;
        }

        public override int Test(ref nint request, out int completed)
        {
            int handle = (int)request;
            int flag;
            int code = _test(&handle, &flag, (void*)1);
            request = handle;
            completed = flag;
            return code;
        }
    }
}
