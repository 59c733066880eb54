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

        /// <summary>
        /// The library names tried in order on Linux: OpenMPI 3 to 5 keep the soname <c>libmpi.so.40</c>; then the unversioned
        /// name (whichever MPI the system's alternatives point at); then MPICH's and Intel MPI's <c>libmpi.so.12</c> and
        /// Debian's <c>libmpich.so.12</c>.
        /// </summary>
        private static readonly string[] LinuxCandidates = { "libmpi.so.40", "libmpi.so", "libmpi.so.12", "libmpich.so.12" };

        /// <summary>On Windows, MS-MPI's runtime installer puts <c>msmpi.dll</c> in the system folder.</summary>
        private static readonly string[] WindowsCandidates = { "msmpi.dll" };

        private static readonly string[] MacCandidates = { "libmpi.40.dylib", "libmpi.dylib", "libmpi.12.dylib" };

        /// <summary>Loads the library and binds it; throws <see cref="DllNotFoundException"/> naming what was tried.</summary>
        public static MpiNative Load()
        {
            var candidates = new List<string>();
            if (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } configured)
                candidates.Add(configured);
            candidates.AddRange(OperatingSystem.IsWindows() ? WindowsCandidates : OperatingSystem.IsMacOS() ? MacCandidates : LinuxCandidates);

            foreach (var candidate in candidates)
            {
                if (!NativeLibrary.TryLoad(candidate, out var handle))
                    continue;
                // OpenMPI exports its predefined handles as global objects; the MPICH ABI (MPICH, MS-MPI, Intel MPI) has none.
                if (NativeLibrary.TryGetExport(handle, "ompi_mpi_comm_world", out _))
                    return new PointerHandleMpi(handle, candidate);
                if (NativeLibrary.TryGetExport(handle, "MPI_Init_thread", out _))
                    return new IntegerHandleMpi(handle, candidate);
                throw new DllNotFoundException($"MPI library '{candidate}': expected an MPI library (the symbol MPI_Init_thread), " +
                    $"received a library without it. Set {PathVariable} to the path of the MPI library.");
            }
            throw new DllNotFoundException(
                $"MPI library: expected one of {string.Join(", ", candidates)}, received none loadable. Install OpenMPI "
                + "(Debian: apt-get install openmpi-bin libopenmpi-dev), MPICH, or MS-MPI on Windows, or set "
                + $"{PathVariable} to the path of the MPI library.");
        }
    }
}
