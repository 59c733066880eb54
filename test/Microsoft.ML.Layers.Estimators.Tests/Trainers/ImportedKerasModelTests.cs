using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Import;
using Microsoft.ML.Layers.Optimizers;
using Microsoft.ML.Layers.TestFramework;
using PureHDF;
using Xunit;

namespace Microsoft.ML.Layers.Estimators.Tests.Trainers
{
    /// <summary>
    /// A model imported from Keras in an ML.NET pipeline: as a frozen transform it scores Keras's own predictions, and
    /// given to a trainer it is the starting point that training continues from.
    /// </summary>
    public sealed class ImportedKerasModelTests
    {
        public sealed class Flower
        {
            [VectorType(4)]
            public float[] Features { get; set; } = Array.Empty<float>();

            public string Species { get; set; } = "";
        }

        public sealed class Scored
        {
            public float[] Score { get; set; } = Array.Empty<float>();
        }

        private static string Example => Path.Combine(RepositoryLayout.KerasReferenceDirectory, "examples", "simple_sparse_xent");

        /// <summary>Keras's inputs (3 rows of 4 features) and predictions (3 rows of 3 class probabilities), read directly.</summary>
        private static (float[][] Inputs, float[][] Predictions) KerasRun()
        {
            using var file = H5File.OpenRead(Path.Combine(Example, "simple_sparse_xent_mlp_keras_2_inputs_and_outputs.h5"));
            static float[][] Rows(IH5Dataset d) => d.Read<float[]>().Chunk((int)d.Space.Dimensions[1]).ToArray();
            return (Rows(file.Group("inputs").Dataset("dense_1_input")), Rows(file.Group("predictions").Dataset("activation_1")));
        }

        [KerasReferenceFact]
        public void AsAFrozenTransformItScoresKerasPredictionsAndSurvivesTheModelZip()
        {
            var ml = new MLContext(seed: 1);
            var (inputs, predictions) = KerasRun();
            var data = ml.Data.LoadFromEnumerable(inputs.Select(x => new Flower { Features = x }));
            using var keras = KerasModel.Load(Path.Combine(Example, "simple_sparse_xent_mlp_keras_2_model.h5"));

            var transformer = ml.Transforms.NeuralNetwork(keras, "Probabilities", "Features").Fit(data);
            string path = Path.Combine(Path.GetTempPath(), $"mllayers-keras-{Guid.NewGuid():N}.zip");
            try
            {
                ml.Model.Save(transformer, data.Schema, path);
                var loaded = new MLContext().Model.Load(path, out _);

                TensorAssert.Close(predictions, transformer.Transform(data).GetColumn<float[]>("Probabilities").ToArray(), 0, 1e-5, "transform");
                TensorAssert.Close(predictions, loaded.Transform(data).GetColumn<float[]>("Probabilities").ToArray(), 0, 1e-5, "reloaded transform");
            }
            finally
            {
                File.Delete(path);
            }
        }

        [KerasReferenceFact]
        public void GivenToATrainerItIsTheStartingPointAndTheImportedModelIsLeftUnchanged()
        {
            var ml = new MLContext(seed: 1);
            var (inputs, predictions) = KerasRun();
            using var keras = KerasModel.Load(Path.Combine(Example, "simple_sparse_xent_mlp_keras_2_model.h5"));
            var before = keras.GetWeights();
            var rows = inputs.Select((x, i) => new Flower { Features = x, Species = "c" + i }).ToArray();
            var data = ml.Data.LoadFromEnumerable(rows);
            var keys = ml.Transforms.Conversion.MapValueToKey("Label", "Species");

            // One epoch at a learning rate of 1e-12 changes nothing visible: the trained model must score what Keras scored.
            var untouched = keys.Append(ml.MulticlassClassification.Trainers.NeuralNetwork(keras,
                new NeuralNetworkOptions { Epochs = 1, Optimizer = new SGD(learningRate: 1e-12) })).Fit(data);
            // Real training moves away from the imported weights, in the copy only.
            var trained = keys.Append(ml.MulticlassClassification.Trainers.NeuralNetwork(keras,
                new NeuralNetworkOptions { Epochs = 20, Optimizer = new SGD(learningRate: 0.5) })).Fit(data);

            TensorAssert.Close(predictions, untouched.Transform(data).GetColumn<float[]>("Score").ToArray(), 0, 1e-5, "trainer at learning rate 1e-12");
            var moved = trained.Transform(data).GetColumn<float[]>("Score").ToArray();
            Assert.True(moved.Zip(predictions).Any(p => Math.Abs(p.First[0] - p.Second[0]) > 1e-3), "training at learning rate 0.5 did not change the scores.");
            Assert.All(keras.GetWeights().Zip(before), pair => Assert.Equal(pair.Second.Cast<float>(), pair.First.Cast<float>()));
        }

        [SharedDataFact(Requires = SharedFolders.Data | SharedFolders.KerasReference)]
        public void FineTunedOnIrisItClassifiesWell()
        {
            var ml = new MLContext(seed: 1);
            var lines = File.ReadAllLines(Path.Combine(RepositoryLayout.SharedDataDirectory, "iris.data")).Where(l => l.Contains(',', StringComparison.Ordinal));
            var flowers = lines.Select(l => l.Split(',')).Select(p => new Flower
            {
                Features = p.Take(4).Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
                Species = p[4],
            }).ToArray();
            var split = ml.Data.TrainTestSplit(ml.Data.LoadFromEnumerable(flowers), testFraction: 0.3, seed: 1);
            // The Keras model takes 4 features to 3 class probabilities: the shape of the iris task.
            using var keras = KerasModel.Load(Path.Combine(Example, "simple_sparse_xent_mlp_keras_2_model.h5"));

            var model = ml.Transforms.Conversion.MapValueToKey("Label", "Species")
                .Append(ml.Transforms.NormalizeMeanVariance("Features"))
                .Append(ml.MulticlassClassification.Trainers.NeuralNetwork(keras, new NeuralNetworkOptions { Epochs = 60, BatchSize = 16, LearningRate = 0.05f }))
                .Fit(split.TrainSet);
            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(split.TestSet));

            Assert.True(metrics.MicroAccuracy >= 0.9, $"micro-accuracy {metrics.MicroAccuracy:F3} on the held-out 30% of iris.");
        }
    }
}
