using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;

namespace Microsoft.ML.Layers.TestFramework
{
    /// <summary>The result of a finished child process, with its peak resident memory when it was watched.</summary>
    public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
    {
        /// <summary>The largest resident set size seen while polling (Linux), or 0 when not watched.</summary>
        public long PeakResidentBytes { get; init; }

        /// <summary>Both streams, for assertion messages.</summary>
        public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
    }

    /// <summary>Runs child processes (dotnet builds, consumer apps) with a bounded time and captured output.</summary>
    public static class ProcessRunner
    {
        /// <summary>Runs <paramref name="fileName"/> and waits for it; kills it after <paramref name="timeout"/>.</summary>
        /// <param name="fileName">The program.</param>
        /// <param name="arguments">Its arguments, one per element (no shell quoting).</param>
        /// <param name="workingDirectory">Its working directory.</param>
        /// <param name="environment">Variables to set (a null value removes one).</param>
        /// <param name="timeout">The time limit (default 5 minutes); past it the process tree is killed and this throws.</param>
        /// <param name="maxResidentBytes">
        /// A memory limit: the process's resident set is polled (Linux <c>/proc</c>), and past the limit the process tree is
        /// killed and this throws <see cref="OutOfMemoryException"/> naming the peak. Null: not watched.
        /// </param>
        public static ProcessResult Run(string fileName, IEnumerable<string> arguments, string workingDirectory,
            IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null, long? maxResidentBytes = null)
        {
            var start = new ProcessStartInfo(fileName)
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            foreach (var argument in arguments)
                start.ArgumentList.Add(argument);
            // A child dotnet must not inherit the test host's own MSBuild/VSTest wiring.
            foreach (var variable in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "VSTEST_HOST_DEBUG" })
                start.Environment.Remove(variable);
            if (environment is not null)
            {
                foreach (var (key, value) in environment)
                {
                    if (value is null)
                        start.Environment.Remove(key);
                    else
                        start.Environment[key] = value;
                }
            }

            var output = new StringBuilder();
            var error = new StringBuilder();
            using var process = new Process { StartInfo = start };
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (error) error.AppendLine(e.Data); };
            process.Start();
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var limit = timeout ?? TimeSpan.FromMinutes(5);
            var clock = Stopwatch.StartNew();
            long peak = 0;
            while (!process.WaitForExit(maxResidentBytes is null ? limit : TimeSpan.FromMilliseconds(20)))
            {
                if (clock.Elapsed >= limit)
                {
                    process.Kill(entireProcessTree: true);
                    throw new TimeoutException($"'{fileName} {string.Join(' ', arguments)}' did not finish within {limit}.\n{output}\n{error}");
                }
                peak = Math.Max(peak, ResidentBytes(process.Id));
                if (peak > maxResidentBytes)
                {
                    process.Kill(entireProcessTree: true);
                    throw new OutOfMemoryException(
                        $"'{fileName} {string.Join(' ', arguments)}' used {peak:N0} resident bytes, over its limit of {maxResidentBytes:N0}.\n{output}\n{error}");
                }
            }
            process.WaitForExit();
            return new ProcessResult(process.ExitCode, output.ToString(), error.ToString()) { PeakResidentBytes = peak };
        }

        /// <summary>The resident set size of process <paramref name="pid"/> from <c>/proc/pid/status</c> (0 when unknown).</summary>
        private static long ResidentBytes(int pid)
        {
            try
            {
                foreach (var line in System.IO.File.ReadLines($"/proc/{pid}/status"))
                {
                    if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
                }
            }
            catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException or FormatException)
            {
                // The process ended between the wait and the read, or /proc is absent (not Linux).
            }
            return 0;
        }

        /// <summary>The dotnet executable running the current process (the SDK's host), falling back to PATH.</summary>
        public static string DotNet =>
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
            : Environment.ProcessPath is { } path && path.EndsWith("dotnet", StringComparison.Ordinal) ? path
            : "dotnet";
    }
}
