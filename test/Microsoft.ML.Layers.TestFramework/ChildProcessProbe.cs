using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.TestFramework
{
    /// <summary>
    /// Runs loaders on untrusted inputs in a child process (a test assembly started with <c>--probe</c>), so that a native
    /// abort, a segfault, a hang or a runaway allocation fails one test instead of ending the test run. The child prints
    /// <c>FILE path</c> before each input and then <c>OK result</c>, or <c>CAUSE Type: message</c> for the exception and each
    /// inner one, then <c>ERROR Type: message</c>; then <c>ALLOC bytes</c>, the managed bytes allocated for the input.
    /// A test assembly uses it with <c>GenerateProgramFile=false</c> and a <c>Main</c> that calls <see cref="Main"/>.
    /// </summary>
    public static class ChildProcessProbe
    {
        /// <summary>
        /// The child's side: <c>--probe kind [option...] -- file...</c> runs <paramref name="kinds"/>[kind] on each file
        /// (within a dispose scope) and prints what happened; any other arguments do nothing (xunit runs the tests).
        /// </summary>
        /// <param name="args">The process's arguments.</param>
        /// <param name="kinds">What the child can do with a file: (file, options) to a result line.</param>
        /// <param name="setUp">Run once before the first file (for example loading the native backend).</param>
        /// <returns>0: a child that finished reports its failures per file, never by its exit code.</returns>
        public static int Main(string[] args, IReadOnlyDictionary<string, Func<string, string[], string>> kinds, Action? setUp = null)
        {
            ArgumentNullException.ThrowIfNull(args);
            ArgumentNullException.ThrowIfNull(kinds);
            if (args.Length < 2 || args[0] != "--probe")
                return 0;
            setUp?.Invoke();
            var probe = kinds[args[1]];
            int separator = Array.IndexOf(args, "--");
            var options = args[2..separator];
            foreach (var file in args[(separator + 1)..])
            {
                Console.WriteLine($"FILE {file}");
                long before = GC.GetTotalAllocatedBytes(precise: true);
                try
                {
                    using var scope = NewDisposeScope();
                    Console.WriteLine($"OK {probe(file, options)}");
                }
                catch (Exception e)
                {
                    for (var inner = e; inner is not null; inner = inner.InnerException)
                        Console.WriteLine($"CAUSE {FirstLine(inner)}");
                    Console.WriteLine($"ERROR {FirstLine(e)}");
                }
                Console.WriteLine($"ALLOC {GC.GetTotalAllocatedBytes(precise: true) - before}");
            }
            return 0;
        }

        private static string FirstLine(Exception e) => $"{e.GetType().FullName}: {e.Message.Split('\n')[0].TrimEnd('\r')}";

        /// <summary>
        /// Runs <paramref name="kind"/> over <paramref name="files"/> in one child process of <paramref name="assembly"/>,
        /// within <paramref name="timeout"/> and <paramref name="maxResidentBytes"/>, and returns one outcome per file. A
        /// crash, a hang or the memory limit fails with the file being read at the time.
        /// </summary>
        /// <param name="assembly">The test assembly whose <c>Main</c> hands <c>--probe</c> to <see cref="Main"/>.</param>
        /// <param name="kind">The probe to run.</param>
        /// <param name="files">Its inputs, all in one process.</param>
        /// <param name="timeout">The time limit for the whole child.</param>
        /// <param name="maxResidentBytes">The resident memory limit for the child.</param>
        /// <param name="options">Arguments passed to the probe before the files.</param>
        public static IReadOnlyList<ProbeOutcome> Run(Assembly assembly, string kind, IReadOnlyList<string> files, TimeSpan timeout,
            long maxResidentBytes, params string[] options)
        {
            ArgumentNullException.ThrowIfNull(assembly);
            ArgumentNullException.ThrowIfNull(files);
            string path = assembly.Location;
            var arguments = new[] { path, "--probe", kind }.Concat(options).Append("--").Concat(files);
            ProcessResult result;
            try
            {
                result = ProcessRunner.Run(ProcessRunner.DotNet, arguments, Path.GetDirectoryName(path)!, timeout: timeout,
                    maxResidentBytes: maxResidentBytes);
            }
            catch (Exception e) when (e is TimeoutException or OutOfMemoryException)
            {
                // The message holds the command line and the child's whole output: keep the verdict and the last lines.
                var lines = e.Message.Split('\n');
                string? reading = lines.LastOrDefault(l => l.StartsWith("FILE ", StringComparison.Ordinal))?[5..].TrimEnd('\r');
                throw new ProbeFailedException($"The {kind} probe exceeded its bounds on {reading ?? "(before the first file)"}: " +
                    $"{Verdict(lines[0])}\n{string.Join("\n", lines.TakeLast(12))}", reading);
            }
            var outcomes = Parse(result.StandardOutput);
            if (result.ExitCode != 0 || outcomes.Count != files.Count)
            {
                string? last = outcomes.Count < files.Count ? files[outcomes.Count] : null;
                throw new ProbeFailedException(
                    $"The {kind} probe died on {last ?? "(after the last file)"}: exit code {result.ExitCode}\n" +
                    $"--- stdout (end) ---\n{string.Join("\n", result.StandardOutput.Split('\n').TakeLast(12))}\n" +
                    $"--- stderr (end) ---\n{string.Join("\n", result.StandardError.Split('\n').TakeLast(30))}", last);
            }
            return outcomes;
        }

        /// <summary>"used N resident bytes, over its limit" or "did not finish within T" from the runner's message.</summary>
        private static string Verdict(string line)
        {
            foreach (var marker in new[] { "' used ", "' did not finish" })
            {
                int at = line.IndexOf(marker, StringComparison.Ordinal);
                if (at >= 0)
                    return line[(at + 2)..];
            }
            return line;
        }

        private static List<ProbeOutcome> Parse(string output)
        {
            var outcomes = new List<ProbeOutcome>();
            string? file = null;
            var chain = new List<string>();
            foreach (var line in output.Split('\n').Select(l => l.TrimEnd('\r')))
            {
                if (line.StartsWith("FILE ", StringComparison.Ordinal))
                    (file, chain) = (line[5..], new List<string>());
                else if (file is not null && line.StartsWith("CAUSE ", StringComparison.Ordinal))
                    chain.Add(line[6..]);
                else if (file is not null && line.StartsWith("OK ", StringComparison.Ordinal))
                {
                    outcomes.Add(new ProbeOutcome(file, true, line[3..]));
                    file = null;
                }
                else if (file is not null && line.StartsWith("ERROR ", StringComparison.Ordinal))
                {
                    outcomes.Add(new ProbeOutcome(file, false, line[6..]) { ErrorChain = chain });
                    file = null;
                }
                else if (outcomes.Count > 0 && line.StartsWith("ALLOC ", StringComparison.Ordinal)
                    && long.TryParse(line[6..], out long allocated))
                {
                    outcomes[^1] = outcomes[^1] with { AllocatedBytes = allocated };
                }
            }
            return outcomes;
        }
    }
}
