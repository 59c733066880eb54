using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.ML.Layers.Import;
using Microsoft.ML.Layers.TestFramework;
using Microsoft.ML.Layers.Tests.Import;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Onnx
{
    /// <summary>
    /// Export coverage over the 452 real tf.keras models of <c>keras-reference/tfkeras</c> (about 45 layer classes): every model
    /// that imports exports and computes in ONNX Runtime what it computes here; a refusal must be a
    /// <see cref="NotSupportedException"/> naming the layer, and fails the test (none is expected). Refusals are printed by cause.
    /// </summary>
    public sealed class KerasCoverageOnnxTests
    {
        private readonly ITestOutputHelper _output;

        public KerasCoverageOnnxTests(ITestOutputHelper output) => _output = output;

        [KerasReferenceFact]
        public void EveryImportedTfKerasModelExportsAndMatchesInOnnxRuntime()
        {
            var files = KerasReferenceFiles.TfKerasModels();
            int imported = 0, exported = 0;
            var refusals = new List<(string File, string Cause)>();
            var wrong = new List<string>();
            foreach (var file in files)
            {
                using var scope = NewDisposeScope();
                Model model;
                try
                {
                    model = KerasModel.Load(file);
                }
                catch (KerasImportException)
                {
                    continue; // KerasCoverageTests accounts for these.
                }
                using (model)
                {
                    imported++;
                    byte[] onnx;
                    try
                    {
                        onnx = OnnxCheck.Export(model);
                    }
                    catch (NotSupportedException e)
                    {
                        Assert.Contains("cannot be exported to ONNX", e.Message);
                        refusals.Add((Path.GetFileName(file), Regex.Replace(e.Message, "'[^']*'", "'…'")));
                        continue;
                    }
                    try
                    {
                        var inputs = KerasCoverageTests.SampleInputs(model);
                        var expected = model.PredictAll(inputs);
                        var names = OnnxCheck.InputNames(onnx);
                        var actual = OnnxCheck.Run(onnx, names.Zip(inputs, (n, t) => (n, t)).ToList());
                        Assert.Equal(expected.Count, actual.Count);
                        for (int i = 0; i < expected.Count; i++)
                            TensorAssert.Close(expected[i].to(ScalarType.Float32), actual[i].Value, 1e-3, 1e-4, $"output {i}");
                        exported++;
                    }
                    catch (Exception e)
                    {
                        wrong.Add($"{Path.GetFileName(file)}: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
                    }
                }
            }

            _output.WriteLine($"Of {files.Count} tf.keras models, {imported} import; {exported} export and match ONNX Runtime, " +
                $"{refusals.Count} are refused:");
            foreach (var group in refusals.GroupBy(r => r.Cause).OrderByDescending(g => g.Count()))
                _output.WriteLine($"  {group.Count(),4}  {group.Key}  (e.g. {group.First().File})");
            Assert.True(wrong.Count == 0, $"{wrong.Count} exported models differ in ONNX Runtime or fail to run:\n" + string.Join("\n", wrong));
            // Every imported model exports today (438 of 438); a refusal is then a regression unless it names a new limit.
            Assert.True(refusals.Count == 0, $"{refusals.Count} of {imported} imported models are refused:\n" +
                string.Join("\n", refusals.Select(r => $"{r.File}: {r.Cause}")));
        }
    }
}
