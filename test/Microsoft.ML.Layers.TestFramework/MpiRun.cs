using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace Microsoft.ML.Layers.TestFramework
{
    /// <summary>
    /// Runs a .NET app as an MPI job (<c>mpirun -np N dotnet app.dll ...</c>) over loopback, bounded in time: under OpenMPI's
    /// <c>mpirun</c>, or MPICH's <c>mpiexec.mpich</c>; .ci/run installs both when missing.
    /// </summary>
    public static class MpiRun
    {
        /// <summary>Runs <paramref name="app"/> with <paramref name="arguments"/> in <paramref name="ranks"/> processes under OpenMPI.</summary>
        /// <param name="app">The app's .dll.</param>
        /// <param name="arguments">Its arguments, the same for every rank.</param>
        /// <param name="ranks">The number of processes.</param>
        /// <param name="limit">The time limit of the whole job; past it the job is killed and this throws.</param>
        /// <param name="mpirunOptions">More options for mpirun, e.g. <c>--mca btl tcp,self</c> for the TCP transport.</param>
        public static ProcessResult Run(string app, IEnumerable<string> arguments, int ranks, TimeSpan limit,
            params string[] mpirunOptions)
            // --allow-run-as-root: CI and the containers run as root. --oversubscribe: more ranks than free cores is fine here.
            => Launch("mpirun", "openmpi-bin libopenmpi-dev",
                new[] { "--allow-run-as-root", "--oversubscribe" }.Concat(mpirunOptions).Append("-np").ToArray(), app, arguments,
                ranks, limit, new Dictionary<string, string?>());

        /// <summary>
        /// The same job under MPICH's launcher (<c>mpiexec.mpich</c>), the ranks loading MPICH's <c>libmpich.so.12</c>: the
        /// binding's integer-handle ABI, which MS-MPI and Intel MPI share.
        /// </summary>
        public static ProcessResult RunMpich(string app, IEnumerable<string> arguments, int ranks, TimeSpan limit)
            => Launch("mpiexec.mpich", "mpich", new[] { "-n" }, app, arguments, ranks, limit,
                new Dictionary<string, string?> { ["MLLAYERS_MPI_LIBRARY"] = "libmpich.so.12" });

        private static ProcessResult Launch(string launcher, string packages, string[] options, string app, IEnumerable<string> arguments,
            int ranks, TimeSpan limit, Dictionary<string, string?> environment)
        {
            var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
                .Select(folder => Path.Combine(folder, launcher)).FirstOrDefault(File.Exists);
            Assert.True(path is not null,
                $"{launcher}: expected it on PATH, received none. Install it: apt-get install {packages} (.ci/run does this when it is missing).");
            var all = new List<string>(options) { ranks.ToString(), ProcessRunner.DotNet, app };
            all.AddRange(arguments);
            // OpenMPI gives each rank a pseudo-terminal for its output, so .NET's console would write the terminal's keypad mode
            // (ESC [?1h ESC =) before a rank's first line, without a newline: glued to whatever line the launcher forwards next,
            // even another rank's. A terminal without that capability keeps the lines clean.
            environment["TERM"] = "dumb";
            return ProcessRunner.Run(path!, all, Path.GetDirectoryName(app)!, environment, timeout: limit);
        }
    }
}
