using System;
using System.IO;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Import;
using Microsoft.ML.Layers.TestFramework;
using TorchSharp;
using Xunit;

namespace Microsoft.ML.Layers.Tests.Import
{
    /// <summary>
    /// Keras files are untrusted input: code-carrying and unknown classes are refused, unsupported arguments and corrupted
    /// bytes fail with a message naming the file, layer and argument, and a failed import leaves nothing behind.
    /// </summary>
    public sealed class KerasImportErrorTests : IDisposable
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("keras-import-").FullName;

        public void Dispose() => Directory.Delete(_folder, recursive: true);

        private static string Keras2Sequential(string layers) => $$$"""
            {"class_name": "Sequential", "keras_version": "2.3.1", "backend": "tensorflow", "config": {"name": "sequential_1", "layers": [
              {"class_name": "Dense", "config": {"name": "dense_1", "trainable": true, "batch_input_shape": [null, 4], "dtype": "float32",
               "units": 3, "activation": "relu", "use_bias": true,
               "kernel_initializer": {"class_name": "VarianceScaling", "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "normal", "seed": null}},
               "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null, "bias_regularizer": null,
               "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}}{{{layers}}}]}}
            """;

        [Fact]
        public void ALambdaLayerIsRefusedWithoutRunningItsCode()
        {
            // tf.keras writes the function as base64 marshalled Python bytecode.
            string json = Keras2Sequential("""
                , {"class_name": "Lambda", "config": {"name": "lambda_1", "trainable": true, "dtype": "float32",
                   "function": ["4wEAAAAAAAAAAQAAAAIAAABDAAAAcwgAAAB8AGQBFABTACkCTukCAAAAqQApAdoBeHIBAAAAcgEAAAD6", null, null],
                   "function_type": "lambda", "module": "__main__", "output_shape": null, "output_shape_type": "raw", "arguments": {}}}
                """);

            var error = Assert.Throws<KerasImportException>(() => KerasModel.FromJson(json));

            Assert.Equal("lambda_1", error.Layer);
            Assert.Contains("layer 'lambda_1'", error.Message);
            Assert.Contains("Lambda", error.Message);
            Assert.Contains("never executes code", error.Message);
        }

        [Fact]
        public void AnUnregisteredClassIsRefusedNamingItEvenWhenItNamesADotNetType()
        {
            // A file naming a .NET type (with its assembly as module) must not make the importer create it.
            string json = Keras2Sequential("""
                , {"class_name": "Process", "module": "System.Diagnostics.Process", "config": {"name": "evil", "StartInfo": "rm -rf /"}}
                """);

            var error = Assert.Throws<KerasImportException>(() => KerasModel.FromJson(json));

            Assert.Equal("evil", error.Layer);
            Assert.Contains("Unknown layer class 'Process'", error.Message);
            Assert.Contains("RegisterLayer", error.Message);
        }

        [Fact]
        public void AnUnsupportedArgumentValueNamesTheLayerTheArgumentAndTheFile()
        {
            string path = Path.Combine(_folder, "time_major.json");
            File.WriteAllText(path, Keras2Sequential("""
                , {"class_name": "Reshape", "config": {"name": "reshape_1", "trainable": true, "dtype": "float32", "target_shape": [3, 1]}},
                  {"class_name": "SimpleRNN", "config": {"name": "rnn_1", "trainable": true, "dtype": "float32", "units": 2, "time_major": true}}
                """));
            string weights = Path.Combine(_folder, "w.h5");
            File.WriteAllBytes(weights, new byte[] { 0x89, (byte)'H', (byte)'D', (byte)'F', 13, 10, 26, 10 });

            var error = Assert.Throws<KerasImportException>(() => KerasModel.Load(path, weights));

            Assert.Equal(("rnn_1", "time_major", path), (error.Layer, error.Argument, error.File));
            Assert.Contains($"Cannot import Keras file '{path}': layer 'rnn_1', argument 'time_major': the value true is not supported", error.Message);
        }

        [Fact]
        public void AnArgumentTheLayerDoesNotTakeIsReportedAsUnsupported()
        {
            string json = Keras2Sequential("""
                , {"class_name": "Dense", "config": {"name": "dense_2", "units": 2, "kernel_quantizer": "int8"}}
                """);

            var error = Assert.Throws<KerasImportException>(() => KerasModel.FromJson(json));

            Assert.Equal(("dense_2", "kernel_quantizer"), (error.Layer, error.Argument));
            Assert.Contains("Dense argument 'kernel_quantizer' (value \"int8\") is not supported", error.Message);
        }

        [Fact]
        public void BytesThatAreNoKerasFileFailCleanly()
        {
            string path = Path.Combine(_folder, "model.h5");
            File.WriteAllText(path, "this is not a model");

            var error = Assert.Throws<KerasImportException>(() => KerasModel.Load(path));

            Assert.Equal(path, error.File);
            Assert.Contains("neither an HDF5 file", error.Message);
        }

        [KerasReferenceFact]
        public void TruncatedAndDamagedModelFilesFailWithAnImportErrorAndLeaveNoTensorsBehind()
        {
            var original = File.ReadAllBytes(Path.Combine(KerasReferenceFiles.Root, "examples", "simple_rnn", "simple_rnn_tf_keras_2_model.h5"));
            var random = new Random(7);
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            for (int trial = 0; trial < 24; trial++)
            {
                var damaged = (byte[])original.Clone();
                if (trial < 8)
                    Array.Resize(ref damaged, original.Length * (trial + 1) / 9);      // truncated
                else
                {
                    for (int i = 0; i < 64; i++)                                       // bytes overwritten past the signature
                        damaged[random.Next(8, damaged.Length)] = (byte)random.Next(256);
                }
                string path = Path.Combine(_folder, $"damaged_{trial}.h5");
                File.WriteAllBytes(path, damaged);
                try
                {
                    using var model = KerasModel.Load(path);
                    // Overwritten bytes can hit unused space or weight values; then the model loads, and must still be whole.
                    Assert.Equal(2, model.Layers.Count);
                }
                catch (KerasImportException e)
                {
                    Assert.Equal(path, e.File);
                }
            }
            Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }

        [KerasReferenceFact]
        public void WeightsThatDoNotFitTheArchitectureNameTheLayerTheWeightAndBothShapes()
        {
            string example = Path.Combine(KerasReferenceFiles.Root, "examples", "simple_rnn");
            var config = JsonNode.Parse(File.ReadAllText(Path.Combine(example, "simple_rnn_tf_keras_2_config.json")))!;
            config["config"]![0]!["config"]!["units"] = 49;
            string path = Path.Combine(_folder, "narrower.json");
            File.WriteAllText(path, config.ToJsonString());
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

            var error = Assert.Throws<KerasImportException>(() => KerasModel.Load(path, Path.Combine(example, "simple_rnn_tf_keras_2_weights.h5")));

            Assert.Equal(("simple_rnn_1", "kernel"), (error.Layer, error.Argument));
            Assert.Contains("has shape (1, 49) in this library but (1, 50) in the file", error.Message);
            Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }

        [KerasReferenceFact]
        public void AWeightsOnlyFileOrABareArchitectureAsksForTheOtherHalf()
        {
            string example = Path.Combine(KerasReferenceFiles.Root, "examples", "activations");

            var weightsOnly = Assert.Throws<KerasImportException>(() => KerasModel.Load(Path.Combine(example, "ReLU_0_weights.h5")));
            var configOnly = Assert.Throws<KerasImportException>(() => KerasModel.Load(Path.Combine(example, "ReLU_0_config.json")));

            Assert.Contains("weights only", weightsOnly.Message);
            Assert.Contains("KerasModel.Load(architectureJsonPath, weightsPath)", weightsOnly.Message);
            Assert.Contains("architecture only", configOnly.Message);
        }

        [KerasReferenceFact]
        public void TheFormatIsReadFromTheBytesNotTheExtension()
        {
            string legacy = Path.Combine(KerasReferenceFiles.Root, "examples", "simple_rnn", "simple_rnn_tf_keras_2_model.h5");
            string renamed = Path.Combine(_folder, "model.keras");
            File.Copy(legacy, renamed);

            using var model = KerasModel.Load(renamed);

            Assert.Equal(KerasFileFormat.LegacyHdf5Model, KerasModel.DetectFormat(renamed));
            Assert.Equal(KerasFileFormat.LegacyHdf5Weights, KerasModel.DetectFormat(legacy.Replace("_model.h5", "_weights.h5", StringComparison.Ordinal)));
            Assert.Equal(KerasFileFormat.ConfigJson, KerasModel.DetectFormat(legacy.Replace("_model.h5", "_config.json", StringComparison.Ordinal)));
            Assert.IsType<SimpleRNN>(model.Layers[0]);
        }
    }
}
