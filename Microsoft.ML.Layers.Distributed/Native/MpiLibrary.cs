using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Layers.Distributed.Native
{
    /// <summary>Finds and loads the MPI library installed on the machine and binds it with the right handle ABI.</summary>
    internal static class MpiLibrary
    {
        /// <summary>The variable naming the MPI library to load (a path or a file name), overriding the search.</summary>
        public const string PathVariable = "MLLAYERS_MPI_LIBRARY";

        /// <summary>The library names tried in order on Linux: OpenMPI 3 to 5 keep the soname <c>libmpi.so.40</c>.</summary>
        private static readonly string[] LinuxCandidates = { "libmpi.so.40", "libmpi.so" };

        /// <summary>Loads the library and binds it; throws <see cref="DllNotFoundException"/> naming what was tried.</summary>
        public static MpiNative Load()
        {
            var candidates = new List<string>();
            if (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } configured)
                candidates.Add(configured);
            if (OperatingSystem.IsLinux())
                candidates.AddRange(LinuxCandidates);
            else if (OperatingSystem.IsWindows())
            {
                // MS-MPI (msmpi.dll) uses 32-bit integer handles (MPI_COMM_WORLD = 0x44000000, MPI_FLOAT = 0x4c00040a,
                // MPI_SUM = 0x58000003, MPI_IN_PLACE = (void*)-1), like MPICH. The binding for them is designed (MpiNative
                // takes handles as nint; a subclass would bind the functions with int handles) but not written or tested yet.
                throw new PlatformNotSupportedException(
                    "Microsoft.ML.Layers.Distributed: expected Linux with OpenMPI, received Windows; MS-MPI is not supported yet "
                    + "(see docs/distributed.md).");
            }
            else
            {
                throw new PlatformNotSupportedException(
                    $"Microsoft.ML.Layers.Distributed: expected Linux with OpenMPI, received {RuntimeInformation.OSDescription}.");
            }

            foreach (var candidate in candidates)
            {
                if (!NativeLibrary.TryLoad(candidate, out var handle))
                    continue;
                if (NativeLibrary.TryGetExport(handle, "ompi_mpi_comm_world", out _))
                    return new PointerHandleMpi(handle, candidate);
                throw new PlatformNotSupportedException(
                    $"MPI library '{candidate}': expected OpenMPI (the symbol ompi_mpi_comm_world), received another MPI "
                    + "(MPICH-style integer handles are not supported yet; see docs/distributed.md).");
            }
            throw new DllNotFoundException(
                $"MPI library: expected one of {string.Join(", ", candidates)}, received none loadable. Install OpenMPI "
                + $"(Debian: apt-get install openmpi-bin libopenmpi-dev) or set {PathVariable} to the path of libmpi.so.");
        }
    }
}
