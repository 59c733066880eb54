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
    /// <summary>
    /// Runs loaders on untrusted inputs in a child process (this test assembly, started with <c>--probe</c>), so that a
    /// native abort, a segfault, a hang or a runaway allocation fails one test instead of ending the test run. The child
    /// prints <c>FILE path</c> before each input, then <c>OK digest</c> or <c>ERROR Type: message</c>, then <c>ALLOC bytes</c>
    /// (the managed bytes allocated for it); <see cref="ChildProcessProbe"/> does the running and parsing.
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
        public static int Main(string[] args) => ChildProcessProbe.Main(args, Kinds, NativeBackend.EnsureLoaded);

        /// <summary>Runs <paramref name="kind"/> over <paramref name="files"/> in one bounded child process
        /// (<see cref="ChildProcessProbe.Run"/>).</summary>
        public static IReadOnlyList<ProbeOutcome> Run(string kind, IReadOnlyList<string> files, TimeSpan timeout, long maxResidentBytes,
            params string[] options) => ChildProcessProbe.Run(typeof(ChildProbe).Assembly, kind, files, timeout, maxResidentBytes, options);

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
