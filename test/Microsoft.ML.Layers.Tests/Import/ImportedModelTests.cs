using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Layers.Import;
using Microsoft.ML.Layers.Optimizers;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Import
{
    /// <summary>An imported model is an ordinary model of this library: summary, fine-tuning, saving in this library's format.</summary>
    public sealed class ImportedModelTests
    {
        private static string SimpleRnn => Path.Combine(KerasReferenceFiles.Root, "examples", "simple_rnn", "simple_rnn_tf_keras_2_model.h5");

        [KerasReferenceFact]
        public void ItSummarizesWithKerasLayerNamesAndParameterCounts()
        {
            using var model = KerasModel.Load(SimpleRnn);

            string summary = model.Summary(print: false);

            // SimpleRNN(50) on 1 feature: 1*50 + 50*50 + 50 = 2600; Dense(1): 50 + 1 = 51.
            Assert.Contains("simple_rnn_1 (SimpleRNN)", summary);
            Assert.Contains("dense_1 (Dense)", summary);
            Assert.Contains("Total params: 2,651", summary);
        }

        [KerasReferenceFact]
        public void ItFineTunesOnKerasTrainingDataAndTheLossFalls()
        {
            using var scope = NewDisposeScope();
            using var model = KerasModel.Load(SimpleRnn);
            string io = KerasReferenceFiles.InputsAndOutputsOf(SimpleRnn);
            var x = KerasReferenceFiles.Group(io, "inputs").Values.Single();
            // The stored outputs are the training targets; shift them so the imported model has something to learn.
            var y = KerasReferenceFiles.Group(io, "outputs").Values.Single() + 0.5f;
            model.Compile(new Adam(0.01), "mse");

            double before = model.Evaluate(x, y);
            model.Fit(x, y, epochs: 30, batchSize: 25, verbose: 0);
            double after = model.Evaluate(x, y);

            Assert.True(after < 0.75 * before, $"mse went from {before:g4} to {after:g4}.");
        }

        [KerasReferenceFact]
        public void SavedInThisLibrarysFormatItReloadsWithTheSamePredictionsThroughBothEntryPoints()
        {
            string path = Path.Combine(Path.GetTempPath(), $"imported-{Guid.NewGuid():N}.zip");
            try
            {
                using var scope = NewDisposeScope();
                using var model = KerasModel.Load(SimpleRnn);
                var x = KerasReferenceFiles.Group(KerasReferenceFiles.InputsAndOutputsOf(SimpleRnn), "inputs").Values.Single();
                var expected = model.Predict(x);

                model.Save(path);
                using var reloaded = Model.Load(path);
                using var viaImport = KerasModel.Load(path);

                Assert.Equal(KerasFileFormat.LayersArchive, KerasModel.DetectFormat(path));
                Assert.True(expected.allclose(reloaded.Predict(x), 0, 0));
                Assert.True(expected.allclose(viaImport.Predict(x), 0, 0));
            }
            finally
            {
                File.Delete(path);
            }
        }

        [KerasReferenceFact]
        public void ALegacyHardSigmoidKeepsKeras2sDefinitionAfterSavingInThisLibrarysFormat()
        {
            string lstm = Path.Combine(KerasReferenceFiles.Root, "examples", "simple_flatten_lstm", "simple_flatten_lstm_tf_keras_2_model.h5");
            string path = Path.Combine(Path.GetTempPath(), $"imported-lstm-{Guid.NewGuid():N}.zip");
            try
            {
                using var model = KerasModel.Load(lstm);
                var recurrent = Assert.IsType<LSTM>(model.Layers[0]);
                model.Save(path);
                using var reloaded = Model.Load(path);

                // Keras 2's hard_sigmoid is clip(0.2x + 0.5, 0, 1): at x = 2 it is 0.9 (Keras 3's relu6(x + 3) / 6 gives 5/6).
                Assert.Equal("legacy_hard_sigmoid", recurrent.RecurrentActivation.Name);
                Assert.Equal(0.9f, Assert.IsType<LSTM>(reloaded.Layers[0]).RecurrentActivation.Apply(tensor(2f)).item<float>(), 6);
            }
            finally
            {
                File.Delete(path);
            }
        }
    }
}
