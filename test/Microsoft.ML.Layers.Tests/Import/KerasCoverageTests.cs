using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.ML.Layers.Import;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Import
{
    /// <summary>
    /// Load coverage over the 452 tf.keras functional models of <c>keras-reference/tfkeras</c>: each must import and run a
    /// forward pass, or fail with a <see cref="KerasImportException"/> that says what is unsupported. The table of failures by
    /// cause is printed.
    /// </summary>
    public sealed class KerasCoverageTests
    {
        private readonly ITestOutputHelper _output;

        public KerasCoverageTests(ITestOutputHelper output) => _output = output;

        [KerasReferenceFact]
        public void AtLeastNinetyPercentOfTfKerasModelsImportAndRun()
        {
            var files = KerasReferenceFiles.TfKerasModels();
            var failures = new List<(string File, string Cause)>();
            var crashes = new List<string>();
            foreach (var file in files)
            {
                using var scope = NewDisposeScope();
                try
                {
                    using var model = KerasModel.Load(file);
                    foreach (var output in model.PredictAll(SampleInputs(model)))
                        Assert.True(output.isfinite().all().item<bool>(), $"{Path.GetFileName(file)}: the forward pass gave non-finite values.");
                }
                catch (KerasImportException e)
                {
                    Assert.Equal(file, e.File);
                    failures.Add((Path.GetFileName(file), Regex.Replace(e.Reason, "'[a-z_]+_[0-9]+'", "'…'")));
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    crashes.Add($"{Path.GetFileName(file)}: {e.GetType().Name}: {e.Message}");
                }
            }

            int imported = files.Count - failures.Count - crashes.Count;
            _output.WriteLine($"Imported and ran {imported} of {files.Count} tf.keras models ({100.0 * imported / files.Count:F1}%).");
            _output.WriteLine("Failures by cause:");
            foreach (var group in failures.GroupBy(f => f.Cause).OrderByDescending(g => g.Count()))
                _output.WriteLine($"  {group.Count(),4}  {group.Key}  (e.g. {group.First().File})");
            Assert.True(crashes.Count == 0, "Failures without a clear import error:\n" + string.Join("\n", crashes));
            Assert.True(imported >= 0.9 * files.Count, $"Only {imported} of {files.Count} imported.");
        }

        /// <summary>An input per model input: batch 2, other unknown dimensions 5; values in [0, 1), so float inputs feeding an Embedding are valid ids.</summary>
        internal static IReadOnlyList<Tensor> SampleInputs(Model model)
        {
            var inputLayers = model is Sequential sequential
                ? new[] { sequential.InputLayerOrNull! }
                : model.InputNames.Select(n => (InputLayer)model.GetLayer(n)).ToArray();
            return inputLayers.Select(layer =>
            {
                var shape = layer.BatchShape.Select((d, i) => d != Shape.Unknown ? d : i == 0 ? 2 : 5).ToArray();
                return DTypes.IsFloating(layer.DType) ? rand(shape, dtype: layer.DType) : zeros(shape, dtype: layer.DType);
            }).ToList();
        }
    }
}
