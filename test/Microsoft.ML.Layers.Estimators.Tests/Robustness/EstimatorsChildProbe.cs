using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.TestFramework;

namespace Microsoft.ML.Layers.Estimators.Tests.Robustness
{
    /// <summary>
    /// This test assembly's entry point and its child-process probes (<see cref="ChildProcessProbe"/>): training and saving
    /// an ML.NET pipeline, and loading an ML.NET .zip with <c>MLContext.Model.Load</c> to score a fixed input. A crash, hang
    /// or runaway allocation in the child fails one test instead of ending the test run.
    /// </summary>
    public static class EstimatorsChildProbe
    {
        /// <summary>The feature width of <see cref="Rows"/>.</summary>
        public const int Width = 4;

        /// <summary>What the child does with each file.</summary>
        public static readonly IReadOnlyDictionary<string, Func<string, string[], string>> Kinds =
            new Dictionary<string, Func<string, string[], string>>
            {
                // Trains a small pipeline (min-max normalizer, then a 4-8-1 network), saves it to the file with
                // MLContext.Model.Save, and returns the digest of the trained model's scores on the fixed input.
                ["train-regression"] = (file, _) =>
                {
                    var ml = new MLContext(seed: 1);
                    var data = ml.Data.LoadFromEnumerable(Rows(256, 0));
                    var pipeline = ml.Transforms.NormalizeMinMax("Features").Append(ml.Regression.Trainers.NeuralNetwork(
                        new Sequential(new Dense(8, activation: "relu"), new Dense(1)), labelColumnName: "Target", epochs: 5));
                    var model = pipeline.Fit(data);
                    ml.Model.Save(model, data.Schema, file);
                    return Digest(model.Transform(FixedInput(ml)));
                },
                // Loads an ML.NET .zip in a fresh MLContext and scores the fixed input: "sha256 nan=count" of the Score column.
                ["score"] = (file, options) =>
                {
                    var ml = new MLContext();
                    var model = ml.Model.Load(file, out _);
                    return Digest(model.Transform(FixedInput(ml)));
                },
                // Ends the process as a native abort would: checks that this assembly's probe reports a dead child.
                ["abort"] = (file, _) =>
                {
                    Environment.FailFast($"probe abort on {file}");
                    return "";
                },
            };

        /// <summary>The child's entry point: <c>--probe kind [option...] -- file...</c>; otherwise nothing (xunit runs the tests).</summary>
        public static int Main(string[] args) => ChildProcessProbe.Main(args, Kinds, NativeBackend.EnsureLoaded);

        /// <summary>Runs <paramref name="kind"/> over <paramref name="files"/> in one bounded child process of this assembly.</summary>
        public static IReadOnlyList<ProbeOutcome> Run(string kind, IReadOnlyList<string> files, TimeSpan timeout, long maxResidentBytes,
            params string[] options)
            => ChildProcessProbe.Run(typeof(EstimatorsChildProbe).Assembly, kind, files, timeout, maxResidentBytes, options);

        /// <summary>Deterministic rows: a smooth target of four features.</summary>
        public static IEnumerable<Row> Rows(int count, int offset) => Enumerable.Range(offset, count).Select(i =>
        {
            var features = new[] { i % 7 / 7f, i % 3 / 3f, MathF.Sin(i), i % 11 - 5f };
            return new Row { Features = features, Target = 2 * features[0] - features[1] + 0.5f * features[2] + 0.1f * features[3] };
        });

        /// <summary>The input every load is scored on (rows the model was not trained on).</summary>
        private static IDataView FixedInput(MLContext ml) => ml.Data.LoadFromEnumerable(Rows(64, 1000));

        /// <summary>
        /// "SHA-256 of the Score column's float bytes, nan=count": equal digests mean bit-identical scores.
        /// </summary>
        private static string Digest(IDataView scored)
        {
            var scores = scored.GetColumn<float>("Score").ToArray();
            var bytes = new byte[scores.Length * sizeof(float)];
            Buffer.BlockCopy(scores, 0, bytes, 0, bytes.Length);
            return $"{Convert.ToHexString(SHA256.HashData(bytes))} nan={scores.Count(float.IsNaN)}";
        }

        /// <summary>A training and scoring row.</summary>
        public sealed class Row
        {
            /// <summary>The features.</summary>
            [VectorType(Width)]
            public float[] Features { get; set; } = Array.Empty<float>();

            /// <summary>The regression target.</summary>
            public float Target { get; set; }
        }
    }
}
