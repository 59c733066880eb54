using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Layers.Import;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Import
{
    /// <summary>
    /// Keras's own numbers as the oracle: models saved by Keras 2 and tf.keras, run here on the inputs Keras ran them on,
    /// must give Keras's predictions (and each layer Keras's activations) within 1e-5.
    /// </summary>
    public sealed class KerasReferenceTests
    {
        private const double Tolerance = 1e-5;

        public static TheoryData<string> Examples()
        {
            var data = new TheoryData<string>();
            foreach (var row in KerasReferenceFiles.ExamplesWithPredictions())
                data.Add((string)row[0]);
            return data;
        }

        [KerasReferenceTheory]
        [MemberData(nameof(Examples))]
        public void ReproducesKerasPredictions(string example)
        {
            string modelPath = KerasReferenceFiles.Example(example);
            using var scope = NewDisposeScope();
            using var model = KerasModel.Load(modelPath);

            AssertPredictionsMatch(model, KerasReferenceFiles.InputsAndOutputsOf(modelPath), example);
        }

        [KerasReferenceTheory]
        [MemberData(nameof(Examples))]
        public void ReproducesKerasActivationsLayerByLayer(string example)
        {
            string io = KerasReferenceFiles.InputsAndOutputsOf(KerasReferenceFiles.Example(example));
            using var scope = NewDisposeScope();
            var activations = KerasReferenceFiles.Group(io, "activations");
            if (activations.Count == 0)
                return; // This file stores predictions only; ReproducesKerasPredictions covers it.
            using var model = KerasModel.Load(KerasReferenceFiles.Example(example));
            var x = KerasReferenceFiles.Group(io, "inputs")[KerasReferenceFiles.InputNames(io)[0]];

            int compared = 0;
            foreach (var layer in Assert.IsType<Sequential>(model).Layers)
            {
                x = layer.Apply(x, training: false);
                if (activations.TryGetValue(layer.Name, out var expected))
                {
                    TensorAssert.Close(expected, x, 0, Tolerance, $"{example}, layer '{layer.Name}'");
                    compared++;
                }
            }
            Assert.True(compared == activations.Count, $"{example}: compared {compared} of the {activations.Count} stored activations ({string.Join(", ", activations.Keys)}).");
        }

        [KerasReferenceTheory]
        [MemberData(nameof(Examples))]
        public void ArchitectureJsonWithWeightsFileGivesTheSamePredictions(string example)
        {
            string modelPath = KerasReferenceFiles.Example(example);
            string config = modelPath.Replace("_model.h5", "_config.json", StringComparison.Ordinal);
            string weights = modelPath.Replace("_model.h5", "_weights.h5", StringComparison.Ordinal);
            if (!File.Exists(config))
                return; // Not every example ships its architecture separately.
            using var scope = NewDisposeScope();
            // Without a weights-only file, the full model file serves as the weights file (Keras's load_weights accepts both).
            using var model = KerasModel.Load(config, File.Exists(weights) ? weights : modelPath);

            AssertPredictionsMatch(model, KerasReferenceFiles.InputsAndOutputsOf(modelPath), example);
        }

        [KerasReferenceFact]
        public void CnnWithBatchNormalizationGivesKerasFivePredictions()
        {
            string folder = Path.Combine(KerasReferenceFiles.Root, "fullconfigs", "cnn");
            using var scope = NewDisposeScope();
            using var model = KerasModel.Load(Path.Combine(folder, "cnn_batch_norm.h5"));
            var input = KerasReferenceFiles.ReadNpy(Path.Combine(folder, "input.npy")).to(ScalarType.Float32);

            var predictions = model.Predict(input);

            // The values the reference README states, and the stored predictions.npy.
            var stated = tensor(new[] { -0.0520611f, 0.04986075f, 0.16297522f, 0.15389983f, 0.15537278f }).reshape(5, 1);
            TensorAssert.Close(stated, predictions, 0, Tolerance, "cnn_batch_norm vs the README's values");
            TensorAssert.Close(KerasReferenceFiles.ReadNpy(Path.Combine(folder, "predictions.npy")), predictions, 0, Tolerance, "cnn_batch_norm vs predictions.npy");
            Assert.Contains(model.Layers, l => l is BatchNormalization);
        }

        private static void AssertPredictionsMatch(Model model, string io, string example)
        {
            var inputs = KerasReferenceFiles.Group(io, "inputs");
            var names = KerasReferenceFiles.InputNames(io);
            var predictions = KerasReferenceFiles.Group(io, "predictions");
            Assert.NotEmpty(predictions);
            var outputs = model.PredictAll(names.Select(n => inputs[n]).ToList());
            Assert.Equal(predictions.Count, outputs.Count);
            foreach (var ((name, expected), actual) in predictions.Zip(outputs))
                TensorAssert.Close(expected, actual, 0, Tolerance, $"{example}, output '{name}'");
        }
    }
}
