using System;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Layers.Distributed.Native
{
    /// <summary>
    /// The MPI C functions this binding calls, over one loaded MPI library. MPI standardizes the functions but not the ABI of
    /// its handles: OpenMPI's handles are pointers (its predefined handles are the addresses of global objects such as
    /// <c>ompi_mpi_comm_world</c>), while MPICH, MS-MPI and Intel MPI use 32-bit integer constants. The functions without
    /// handles are bound here; each subclass binds the others with its own handle width and gives the predefined handles.
    /// Callers pass handles as <see cref="nint"/> either way. Every method returns the MPI error code.
    /// </summary>
    internal abstract unsafe class MpiNative
    {
        /// <summary>MPI_THREAD_SERIALIZED: the same value (2) in OpenMPI, MPICH and MS-MPI.</summary>
        public const int ThreadSerialized = 2;

        private readonly delegate* unmanaged<int*, int> _initialized;
        private readonly delegate* unmanaged<int*, int> _finalized;
        private readonly delegate* unmanaged<int*, byte***, int, int*, int> _initThread;
        private readonly delegate* unmanaged<int> _finalize;
        private readonly delegate* unmanaged<int, byte*, int*, int> _errorString;
        private readonly delegate* unmanaged<byte*, int*, int> _libraryVersion;

        /// <summary>Binds the handle-free functions of the loaded <paramref name="library"/>.</summary>
        protected MpiNative(nint library, string path)
        {
            Library = library;
            Path = path;
            _initialized = (delegate* unmanaged<int*, int>)Export("MPI_Initialized");
            _finalized = (delegate* unmanaged<int*, int>)Export("MPI_Finalized");
            _initThread = (delegate* unmanaged<int*, byte***, int, int*, int>)Export("MPI_Init_thread");
            _finalize = (delegate* unmanaged<int>)Export("MPI_Finalize");
            _errorString = (delegate* unmanaged<int, byte*, int*, int>)Export("MPI_Error_string");
            _libraryVersion = NativeLibrary.TryGetExport(library, "MPI_Get_library_version", out var version)
                ? (delegate* unmanaged<byte*, int*, int>)version : null;
        }

        /// <summary>The loaded library.</summary>
        protected nint Library { get; }

        /// <summary>The name or path it was loaded by.</summary>
        protected string Path { get; }

        /// <summary>The implementation's name, for messages (e.g. <c>Open MPI</c>, <c>MPICH</c>, <c>Microsoft MPI</c>).</summary>
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

        /// <summary>The library's version text (<c>MPI_Get_library_version</c>, MPI 3), or empty when it has none.</summary>
        public string LibraryVersion
        {
            get
            {
                if (_libraryVersion is null)
                    return "";
                // MPI_MAX_LIBRARY_VERSION_STRING: 256 in OpenMPI, 8192 in MPICH, 64 in MS-MPI.
                byte* text = stackalloc byte[8192];
                int length;
                return _libraryVersion(text, &length) == 0 && length > 0
                    ? Marshal.PtrToStringUTF8((nint)text, Math.Min(length, 8192)).TrimEnd('\0', ' ', '\n') : "";
            }
        }

        public int Initialized(out int flag)
        {
            int value;
            int code = _initialized(&value);
            flag = value;
            return code;
        }

        public int Finalized(out int flag)
        {
            int value;
            int code = _finalized(&value);
            flag = value;
            return code;
        }

        public int InitThread(int required, out int provided)
        {
            int value;
            int code = _initThread(null, null, required, &value);
            provided = value;
            return code;
        }

        public int Finalize() => _finalize();

        /// <summary>The library's text for <paramref name="errorCode"/>, or empty when it has none.</summary>
        public string ErrorString(int errorCode)
        {
            // MPI_MAX_ERROR_STRING is 256 in OpenMPI, 1024 in MPICH and 512 in MS-MPI.
            byte* text = stackalloc byte[1024];
            int length;
            return _errorString(errorCode, text, &length) == 0 && length > 0 ? Marshal.PtrToStringUTF8((nint)text, Math.Min(length, 1024)) : "";
        }

        public abstract int CommRank(nint comm, out int rank);

        public abstract int CommSize(nint comm, out int size);

        public abstract int CommSetErrhandler(nint comm, nint errhandler);

        public abstract int Barrier(nint comm);

        public abstract int Bcast(void* buffer, int count, nint datatype, int root, nint comm);

        public abstract int Allreduce(void* send, void* receive, int count, nint datatype, nint op, nint comm);

        /// <summary>MPI_Ibcast: starts a broadcast; <paramref name="request"/> is the handle to test.</summary>
        public abstract int Ibcast(void* buffer, int count, nint datatype, int root, nint comm, out nint request);

        /// <summary>MPI_Iallreduce: starts an all-reduce; <paramref name="request"/> is the handle to test.</summary>
        public abstract int Iallreduce(void* send, void* receive, int count, nint datatype, nint op, nint comm, out nint request);

        /// <summary>MPI_Test with MPI_STATUS_IGNORE: <paramref name="completed"/> is non-zero once the request completed (the
        /// request is then freed and set to MPI_REQUEST_NULL).</summary>
        public abstract int Test(ref nint request, out int completed);

        /// <summary>The address of an exported symbol; throws naming the library when it is missing.</summary>
        protected nint Export(string name) => NativeLibrary.TryGetExport(Library, name, out var address) ? address
            : throw new EntryPointNotFoundException($"MPI library '{Path}': expected the symbol '{name}', received none (an MPI " +
                "older than MPI 3, or not an MPI library?).");
    }
}
