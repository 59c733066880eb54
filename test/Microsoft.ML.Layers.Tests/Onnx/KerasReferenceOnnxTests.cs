using System.IO;
using System.Linq;
using Microsoft.ML.Layers.Import;
using Microsoft.ML.Layers.TestFramework;
using Microsoft.ML.Layers.Tests.Import;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Onnx
{
    /// <summary>
    /// Keras file -> this library -> ONNX -> ONNX Runtime reproduces Keras's own stored predictions: each of the 72 reference
    /// models with stored outputs, and the CNN with batch normalization.
    /// </summary>
    public sealed class KerasReferenceOnnxTests
    {
        private const double Tolerance = 1e-5;

        [KerasReferenceTheory]
        [MemberData(nameof(KerasReferenceTests.Examples), MemberType = typeof(KerasReferenceTests))]
        public void OnnxRuntimeReproducesKerasPredictions(string example)
        {
            string modelPath = KerasReferenceFiles.Example(example);
            string io = KerasReferenceFiles.InputsAndOutputsOf(modelPath);
            using var scope = NewDisposeScope();
            using var model = KerasModel.Load(modelPath);
            var onnx = OnnxCheck.Export(model);

            var inputs = KerasReferenceFiles.Group(io, "inputs");
            var inputNames = KerasReferenceFiles.InputNames(io);
            var onnxInputs = OnnxCheck.InputNames(onnx);
            Assert.Equal(inputNames.Count, onnxInputs.Count);
            var outputs = OnnxCheck.Run(onnx, onnxInputs.Zip(inputNames, (onnxName, kerasName) => (onnxName, inputs[kerasName])).ToList());
            var predictions = KerasReferenceFiles.Group(io, "predictions");
            Assert.Equal(predictions.Count, outputs.Count);
            foreach (var ((name, expected), actual) in predictions.Zip(outputs))
                TensorAssert.Close(expected, actual.Value, 0, Tolerance, $"{example}, output '{name}' through ONNX Runtime");
        }

        [KerasReferenceFact]
        public void CnnWithBatchNormalizationThroughOnnxRuntimeGivesKerasPredictions()
        {
            string folder = Path.Combine(KerasReferenceFiles.Root, "fullconfigs", "cnn");
            using var scope = NewDisposeScope();
            using var model = KerasModel.Load(Path.Combine(folder, "cnn_batch_norm.h5"));
            var input = KerasReferenceFiles.ReadNpy(Path.Combine(folder, "input.npy")).to(ScalarType.Float32);
            var onnx = OnnxCheck.Export(model);

            var actual = OnnxCheck.Run(onnx, new[] { (OnnxCheck.InputNames(onnx)[0], input) }).Single().Value;

            TensorAssert.Close(KerasReferenceFiles.ReadNpy(Path.Combine(folder, "predictions.npy")), actual, 0, Tolerance,
                "cnn_batch_norm through ONNX Runtime vs predictions.npy");
        }
    }
}
