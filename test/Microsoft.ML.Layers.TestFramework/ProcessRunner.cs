using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;

namespace Microsoft.ML.Layers.TestFramework
{
    /// <summary>The result of a finished child process.</summary>
    public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
    {
        /// <summary>Both streams, for assertion messages.</summary>
        public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
    }

    /// <summary>Runs child processes (dotnet builds, consumer apps) with a bounded time and captured output.</summary>
    public static class ProcessRunner
    {
        /// <summary>Runs <paramref name="fileName"/> and waits for it; kills it after <paramref name="timeout"/>.</summary>
        public static ProcessResult Run(string fileName, IEnumerable<string> arguments, string workingDirectory,
            IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
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
            if (!process.WaitForExit(limit))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"'{fileName} {string.Join(' ', arguments)}' did not finish within {limit}.\n{output}\n{error}");
            }
            process.WaitForExit();
            return new ProcessResult(process.ExitCode, output.ToString(), error.ToString());
        }

        /// <summary>The dotnet executable running the current process (the SDK's host), falling back to PATH.</summary>
        public static string DotNet =>
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
            : Environment.ProcessPath is { } path && path.EndsWith("dotnet", StringComparison.Ordinal) ? path
            : "dotnet";
    }
}
