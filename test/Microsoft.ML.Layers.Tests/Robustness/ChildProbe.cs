using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using Microsoft.ML.Layers.Import;
using Microsoft.ML.Layers.TestFramework;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Robustness
{
    /// <summary>What a child process did with one input: loaded it (with a digest of its predictions) or threw.</summary>
    public sealed record ProbeOutcome(string File, bool Loaded, string Detail)
    {
        /// <summary>The exception's type name when it threw.</summary>
        public string? ErrorType => Loaded ? null : Detail.Split(':')[0];

        /// <summary>The managed bytes the child allocated for this input (garbage included).</summary>
        public long AllocatedBytes { get; init; }
    }

    /// <summary>
    /// Runs loaders on untrusted inputs in a child process (this test assembly, started with <c>--probe</c>), so that a
    /// native abort, a segfault, a hang or a runaway allocation fails one test instead of ending the test run. The child
    /// prints <c>FILE path</c> before each input, then <c>OK digest</c> or <c>ERROR Type: message</c>, then <c>ALLOC bytes</c>
    /// (the managed bytes allocated for it).
    /// </summary>
    public static class ChildProbe
    {
        /// <summary>The kinds of probe: what the child does with each file.</summary>
        public static readonly IReadOnlyDictionary<string, Func<string, string[], string>> Kinds =
            new Dictionary<string, Func<string, string[], string>>
        {
            // A saved model: load it and digest its predictions for ones of shape (2, width).
            ["model"] = (file, options) =>
            {
                using var model = Model.Load(file);
                return Digest(model.Predict(ones(2, long.Parse(options[0]))));
            },
            // A layer config (JSON text): deserialize it.
            ["layer-config"] = (file, _) => Layer.Deserialize(File.ReadAllText(file)).CountParams().ToString(),
            // A Keras file: import it.
            ["keras"] = (file, _) => KerasModel.Load(file).CountParams().ToString(),
            // A layer config, then a call on ones of shape (2, width): for inputs that do not fit the built layer.
            ["layer-call"] = (file, options) =>
            {
                var layer = Layer.Deserialize(File.ReadAllText(file));
                return Digest(layer.Apply(ones(2, long.Parse(options[0]))));
            },
            // A saved model (or a tampered one): load it, then digest its predictions for ones of shape (2, width). A load that
            // cannot predict any more is reported as loaded, with the prediction's error in place of the digest.
            ["model-load"] = (file, options) =>
            {
                using var model = Model.Load(file);
                return PredictDigest(model, 2, long.Parse(options[0]));
            },
            // A Keras file (legacy .h5 or .keras): import it, then digest its predictions for ones of the shape in the options.
            ["keras-predict"] = (file, options) =>
            {
                using var model = KerasModel.Load(file);
                return PredictDigest(model, options.Select(long.Parse).ToArray());
            },
            // A standalone safetensors weights file: load it into RobustnessFixtures.SmallMlp (freshly initialized with another
            // seed than the saved one), then digest its predictions for ones of shape (2, 4).
            ["weights"] = (file, _) =>
            {
                using var model = RobustnessFixtures.SmallMlp(seed: 99);
                model.LoadWeights(file);
                return PredictDigest(model, 2, 4);
            },
            // Ends the process as a native abort would: the probe's own check that a crash is reported, never passed over.
            ["abort"] = (file, _) =>
            {
                Environment.FailFast($"probe abort on {file}");
                return "";
            },
        };

        /// <summary>The child's entry point: <c>--probe kind [option] -- file...</c>; otherwise nothing (xunit runs the tests).</summary>
        public static int Main(string[] args)
        {
            if (args.Length < 2 || args[0] != "--probe")
                return 0;
            NativeBackend.EnsureLoaded();   // TorchSharp is touched below before any type of the library
            var probe = Kinds[args[1]];
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
                    Console.WriteLine($"ERROR {e.GetType().FullName}: {e.Message.Split('\n')[0]}");
                }
                Console.WriteLine($"ALLOC {GC.GetTotalAllocatedBytes(precise: true) - before}");
            }
            return 0;
        }

        /// <summary>
        /// Runs <paramref name="kind"/> over <paramref name="files"/> in one child process, within <paramref name="timeout"/>
        /// and <paramref name="maxResidentBytes"/>, and returns one outcome per file. A crash, a hang or the memory limit
        /// fails with the file being read at the time.
        /// </summary>
        public static IReadOnlyList<ProbeOutcome> Run(string kind, IReadOnlyList<string> files, TimeSpan timeout, long maxResidentBytes,
            params string[] options)
        {
            string assembly = typeof(ChildProbe).Assembly.Location;
            var arguments = new[] { assembly, "--probe", kind }.Concat(options).Append("--").Concat(files);
            ProcessResult result;
            try
            {
                result = ProcessRunner.Run(ProcessRunner.DotNet, arguments, Path.GetDirectoryName(assembly)!, timeout: timeout,
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
            foreach (var line in output.Split('\n').Select(l => l.TrimEnd('\r')))
            {
                if (line.StartsWith("FILE ", StringComparison.Ordinal))
                    file = line[5..];
                else if (file is not null && line.StartsWith("OK ", StringComparison.Ordinal))
                    (outcomes, file) = (Add(outcomes, new ProbeOutcome(file, true, line[3..])), null);
                else if (file is not null && line.StartsWith("ERROR ", StringComparison.Ordinal))
                    (outcomes, file) = (Add(outcomes, new ProbeOutcome(file, false, line[6..])), null);
                else if (outcomes.Count > 0 && line.StartsWith("ALLOC ", StringComparison.Ordinal))
                    outcomes[^1] = outcomes[^1] with { AllocatedBytes = long.Parse(line[6..]) };
            }
            return outcomes;
        }

        private static List<ProbeOutcome> Add(List<ProbeOutcome> list, ProbeOutcome outcome)
        {
            list.Add(outcome);
            return list;
        }

        /// <summary>
        /// The digest of <paramref name="model"/>'s predictions for ones of <paramref name="shape"/>, or <c>predict failed</c> and why.
        /// </summary>
        private static string PredictDigest(Model model, params long[] shape)
        {
            try
            {
                return Digest(model.Predict(ones(shape)));
            }
            catch (Exception e)
            {
                return $"predict failed: {e.GetType().FullName}: {e.Message.Split('\n')[0]}";
            }
        }

        /// <summary>A SHA-256 of a tensor's float32 values: equal digests mean bit-identical outputs.</summary>
        internal static string Digest(Tensor tensor)
        {
            var values = tensor.to(float32).contiguous().data<float>().ToArray();
            var bytes = new byte[values.Length * sizeof(float)];
            Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
            return Convert.ToHexString(SHA256.HashData(bytes));
        }
    }
}
