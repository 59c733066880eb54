using System;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Estimators.Tests.Samples
{
    /// <summary>
    /// Every sample of <c>Samples/Microsoft.ML.Layers.Samples</c> runs in quick mode as a child process (what the README's
    /// command runs, on the real data when <c>../shared/data</c> is present, on the stand-in otherwise). Then, in this
    /// process, the saved model is loaded again and scores the held-out data the sample saved, which must equal the scores
    /// the sample's trained model gave.
    /// </summary>
    [Collection(SerialTrainingCollection.Name)]
    public sealed class SampleQuickModeTests
    {
        private static readonly string[] SampleNames = { "digits", "adult", "taxi", "detox", "custom-layer", "keras-style" };

        private static string SamplesAssembly => Path.Combine(RepositoryLayout.Root, "Samples", "Microsoft.ML.Layers.Samples", "bin",
            RepositoryLayout.BuildConfiguration, "net10.0", "Microsoft.ML.Layers.Samples.dll");

        public static TheoryData<string> Samples() => new(SampleNames);

        private static ProcessResult RunSample(string output, params string[] arguments)
            => ProcessRunner.Run(ProcessRunner.DotNet, new[] { SamplesAssembly }.Concat(arguments).Concat(new[] { "--output", output }), RepositoryLayout.Root);

        [Fact]
        public void HelpListsEverySample()
        {
            string output = Directory.CreateTempSubdirectory("mllayers-samples-help-").FullName;
            try
            {
                var result = RunSample(output, "--help");

                Assert.True(result.ExitCode == 0, result.ToString());
                foreach (var name in SampleNames)
                    Assert.Matches($"(?m)^  {Regex(name)} ", result.StandardOutput);
            }
            finally
            {
                Directory.Delete(output, recursive: true);
            }
        }

        private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);

        [Theory]
        [MemberData(nameof(Samples))]
        public void QuickModeTrainsComparesSavesAndTheReloadedModelScoresTheSame(string sample)
        {
            string output = Directory.CreateTempSubdirectory($"mllayers-sample-{sample}-").FullName;
            try
            {
                var result = RunSample(output, sample, "--quick");

                Assert.True(result.ExitCode == 0, result.ToString());
                Assert.Contains("(quick mode)", result.StandardOutput);
                Assert.Matches("(?m)^trainer +metric +value +train s( +also)?$", result.StandardOutput);
                Assert.Contains("(ML.NET)", result.StandardOutput);
                Assert.Matches("(?m)^  epoch +1/", result.StandardOutput);
                // One curve per trained network (the adult sample trains two variants: adult-onehot, adult-embedding).
                var curves = Directory.GetFiles(output, $"{sample}*.curve.png");
                Assert.NotEmpty(curves);
                Assert.All(curves, c => Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(c).Take(4).ToArray()));

                var expected = File.ReadAllLines(Path.Combine(output, $"{sample}.scores.txt"));
                var reloaded = ScoreSavedModel(output, sample, expected[0]);
                var original = expected.Skip(1).Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                Assert.True(original.Length > 0, $"{sample}: no scores written.");
                Assert.Equal(original, reloaded);
            }
            finally
            {
                Directory.Delete(output, recursive: true);
            }
        }

        /// <summary>Loads the sample's model zip here and scores the held-out data it saved.</summary>
        private static float[] ScoreSavedModel(string output, string sample, string scoreColumn)
        {
            string modelPath = Path.Combine(output, $"{sample}.zip");
            var ml = new MLContext(seed: 1);
            var test = ml.Data.LoadFromBinary(Path.Combine(output, $"{sample}.test.idv"));
            // The custom-layer sample's model holds the sample's own SimpleDense: like any application using its layer, this
            // process needs the assembly that defines it.
            Assembly.LoadFrom(SamplesAssembly);
            bool layersArchive;
            using (var zip = ZipFile.OpenRead(modelPath))
                layersArchive = zip.GetEntry("model.weights.safetensors") is not null;
            if (!layersArchive)
            {
                var scored = ml.Model.Load(modelPath, out _).Transform(test);
                var type = scored.Schema[scoreColumn].Type;
                return type is VectorDataViewType
                    ? scored.GetColumn<float[]>(scoreColumn).SelectMany(v => v).ToArray()
                    : scored.GetColumn<float>(scoreColumn).ToArray();
            }
            // The keras-style sample saves this library's own model file; its inputs are the features scaled to [0, 1].
            using var scope = NewDisposeScope();
            using var model = Model.Load(modelPath);
            var features = test.GetColumn<float[]>("Features").ToArray();
            var x = tensor(features.SelectMany(f => f).ToArray()).reshape(features.Length, features[0].Length) / 16f;
            return model.Predict(x).data<float>().ToArray();
        }
    }
}
