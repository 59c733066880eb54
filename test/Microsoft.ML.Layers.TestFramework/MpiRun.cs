using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace Microsoft.ML.Layers.TestFramework
{
    /// <summary>
    /// Runs a .NET app as an OpenMPI job (<c>mpirun -np N dotnet app.dll ...</c>) over loopback, bounded in time. Needs OpenMPI's
    /// <c>mpirun</c> on PATH; .ci/run installs it when missing.
    /// </summary>
    public static class MpiRun
    {
        /// <summary>Runs <paramref name="app"/> with <paramref name="arguments"/> in <paramref name="ranks"/> processes.</summary>
        /// <param name="app">The app's .dll.</param>
        /// <param name="arguments">Its arguments, the same for every rank.</param>
        /// <param name="ranks">The number of processes.</param>
        /// <param name="limit">The time limit of the whole job; past it the job is killed and this throws.</param>
        public static ProcessResult Run(string app, IEnumerable<string> arguments, int ranks, TimeSpan limit)
        {
            var mpirun = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
                .Select(folder => Path.Combine(folder, "mpirun")).FirstOrDefault(File.Exists);
            Assert.True(mpirun is not null,
                "mpirun: expected OpenMPI's mpirun on PATH, received none. Install it: apt-get install openmpi-bin libopenmpi-dev "
                + "(.ci/run does this when it is missing).");
            // --allow-run-as-root: CI and the containers run as root. --oversubscribe: more ranks than free cores is fine here.
            var all = new List<string> { "--allow-run-as-root", "--oversubscribe", "-np", ranks.ToString(), ProcessRunner.DotNet, app };
            all.AddRange(arguments);
            // OpenMPI gives each rank a pseudo-terminal for its output, so .NET's console would write the terminal's keypad mode
            // (ESC [?1h ESC =) before a rank's first line, without a newline: glued to whatever line mpirun forwards next, even
            // another rank's. A terminal without that capability keeps the lines clean.
            return ProcessRunner.Run(mpirun!, all, Path.GetDirectoryName(app)!, new Dictionary<string, string?> { ["TERM"] = "dumb" },
                timeout: limit);
        }
    }
}
