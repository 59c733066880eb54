using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Estimators;
using Microsoft.ML.Layers.Optimizers;
using Xunit;

namespace Microsoft.ML.Layers.Estimators.Tests.Trainers
{
    [Collection(SerialTrainingCollection.Name)]
    public sealed class NeuralNetworkTrainerTests
    {
        public sealed class Row
        {
            [VectorType(4)]
            public float[] Features { get; set; } = Array.Empty<float>();

            public float Target { get; set; }

            public bool Positive { get; set; }

            public string Class { get; set; } = "";
        }

        public sealed class Prediction
        {
            public float Score { get; set; }
        }

        private static Row[] Rows(int count, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(_ =>
            {
                var x = Enumerable.Range(0, 4).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
                float y = 2 * x[0] - x[1] + 0.5f * x[2] * x[3];
                return new Row { Features = x, Target = y, Positive = x[0] + x[1] > 0, Class = x[0] > 0.3 ? "high" : x[0] < -0.3 ? "low" : "mid" };
            }).ToArray();
        }

        private static Sequential Network(int outputs) => new(new Dense(32, activation: "relu"), new Dense(outputs));

        [Fact]
        public void RegressionLearnsAndEvaluatesThroughMLNet()
        {
            var ml = new MLContext(seed: 1);
            var train = ml.Data.LoadFromEnumerable(Rows(2000, 1));
            var test = ml.Data.LoadFromEnumerable(Rows(500, 2));
            var trainer = ml.Regression.Trainers.NeuralNetwork(Network(1), new NeuralNetworkOptions { LabelColumnName = "Target", Epochs = 30, LearningRate = 0.01f });

            var model = trainer.Fit(train);
            var metrics = ml.Regression.Evaluate(model.Transform(test), labelColumnName: "Target");

            Assert.True(metrics.RSquared > 0.95, $"R^2 {metrics.RSquared}");
        }

        [Fact]
        public void BinaryClassificationProducesScoreProbabilityAndPredictedLabel()
        {
            var ml = new MLContext(seed: 1);
            var train = ml.Data.LoadFromEnumerable(Rows(2000, 3));
            var test = ml.Data.LoadFromEnumerable(Rows(500, 4));
            var model = ml.BinaryClassification.Trainers.NeuralNetwork(Network(1), new NeuralNetworkOptions { LabelColumnName = "Positive", Epochs = 20, LearningRate = 0.01f }).Fit(train);

            var scored = model.Transform(test);
            var metrics = ml.BinaryClassification.Evaluate(scored, labelColumnName: "Positive");

            Assert.True(metrics.AreaUnderRocCurve > 0.98, $"AUC {metrics.AreaUnderRocCurve}");
            var scores = scored.GetColumn<float>("Score").ToArray();
            var probabilities = scored.GetColumn<float>("Probability").ToArray();
            var predicted = scored.GetColumn<bool>("PredictedLabel").ToArray();
            for (int i = 0; i < scores.Length; i++)
            {
                Assert.True(Math.Abs(1 / (1 + Math.Exp(-scores[i])) - probabilities[i]) < 1e-5, $"row {i}: score {scores[i]}, probability {probabilities[i]}");
                Assert.Equal(probabilities[i] > 0.5f, predicted[i]);
            }
        }

        [Fact]
        public void MulticlassUsesTheKeyCountAndTheLabelNames()
        {
            var ml = new MLContext(seed: 1);
            var rows = Rows(2000, 5);
            var data = ml.Data.LoadFromEnumerable(rows);
            var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", "Class")
                .Append(ml.MulticlassClassification.Trainers.NeuralNetwork(Network(3), new NeuralNetworkOptions { Epochs = 20, LearningRate = 0.01f }));

            var model = pipeline.Fit(data);
            var scored = model.Transform(ml.Data.LoadFromEnumerable(Rows(500, 6)));
            var metrics = ml.MulticlassClassification.Evaluate(scored);

            Assert.True(metrics.MicroAccuracy > 0.95, $"accuracy {metrics.MicroAccuracy}");
            var slotNames = default(VBuffer<ReadOnlyMemory<char>>);
            scored.Schema["Score"].GetSlotNames(ref slotNames);
            Assert.Equal(new[] { "mid", "high", "low" }.OrderBy(s => s), slotNames.DenseValues().Select(s => s.ToString()).OrderBy(s => s));
            var sums = scored.GetColumn<float[]>("Score").Select(s => s.Sum());
            Assert.All(sums, sum => Assert.Equal(1, sum, 4));
        }

        [Fact]
        public void AWrongOutputWidthIsRejectedWithTheFix()
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Transforms.Conversion.MapValueToKey("Label", "Class").Fit(ml.Data.LoadFromEnumerable(Rows(50, 1))).Transform(ml.Data.LoadFromEnumerable(Rows(50, 1)));

            var error = Assert.Throws<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.NeuralNetwork(Network(5)).Fit(data));

            Assert.Contains("Dense(3)", error.Message);
        }

        [Fact]
        public void SavedModelsLoadInAFreshContextAndScoreIdentically()
        {
            var ml = new MLContext(seed: 1);
            var train = ml.Data.LoadFromEnumerable(Rows(500, 7));
            var test = ml.Data.LoadFromEnumerable(Rows(100, 8));
            var model = ml.Regression.Trainers.NeuralNetwork(Network(1), labelColumnName: "Target").Fit(train);
            string path = Path.Combine(Path.GetTempPath(), $"mllayers-mlnet-{Guid.NewGuid():N}.zip");
            try
            {
                ml.Model.Save(model, train.Schema, path);
                var fresh = new MLContext();
                var loaded = fresh.Model.Load(path, out _);

                var before = model.Transform(test).GetColumn<float>("Score").ToArray();
                var after = loaded.Transform(test).GetColumn<float>("Score").ToArray();
                Assert.Equal(before, after);
                var engine = fresh.Model.CreatePredictionEngine<Row, Prediction>(loaded);
                var first = Rows(100, 8)[0];
                Assert.Equal(before[0], engine.Predict(first).Score);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void BatchedTransformEqualsTheSingleRowPredictionEngine()
        {
            var ml = new MLContext(seed: 1);
            var rows = Rows(300, 9);
            var model = ml.Regression.Trainers.NeuralNetwork(Network(1), new NeuralNetworkOptions { LabelColumnName = "Target", Epochs = 2, ScoringBatchSize = 64 })
                .Fit(ml.Data.LoadFromEnumerable(rows));
            var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(model);

            var batched = model.Transform(ml.Data.LoadFromEnumerable(rows)).GetColumn<float>("Score").ToArray();
            var single = rows.Select(r => engine.Predict(r).Score).ToArray();

            Assert.Equal(batched.Length, single.Length);
            for (int i = 0; i < single.Length; i++)
                Assert.True(Math.Abs(single[i] - batched[i]) <= 1e-5, $"row {i}: {single[i]} vs {batched[i]}");
        }

        [Fact]
        public void NaNFeaturesScoreAsNaNWithoutCrashing()
        {
            var ml = new MLContext(seed: 1);
            var model = ml.Regression.Trainers.NeuralNetwork(Network(1), new NeuralNetworkOptions { LabelColumnName = "Target", Epochs = 1 }).Fit(ml.Data.LoadFromEnumerable(Rows(64, 1)));
            var bad = new[] { new Row { Features = new[] { float.NaN, 0, 0, 0 } } };

            var score = model.Transform(ml.Data.LoadFromEnumerable(bad)).GetColumn<float>("Score").Single();

            Assert.True(float.IsNaN(score));
        }

        [Fact]
        public void NaNFeaturesInTrainingAreRejectedNamingTheColumn()
        {
            var ml = new MLContext(seed: 1);
            var rows = Rows(64, 1);
            rows[10].Features[2] = float.NaN;

            var error = Assert.Throws<InvalidOperationException>(() =>
                ml.Regression.Trainers.NeuralNetwork(Network(1), labelColumnName: "Target").Fit(ml.Data.LoadFromEnumerable(rows)));

            Assert.Contains("'Features'", error.Message);
            Assert.Contains("row 10", error.Message);
        }

        [Fact]
        public void FittingTwiceGivesIndependentModelsAndLeavesTheTemplateUntouched()
        {
            var ml = new MLContext(seed: 1);
            var template = Network(1);
            var data = ml.Data.LoadFromEnumerable(Rows(200, 1));
            var trainer = ml.Regression.Trainers.NeuralNetwork(template, new NeuralNetworkOptions { LabelColumnName = "Target", Epochs = 2 });

            var first = trainer.Fit(data);
            var second = trainer.Fit(data);

            Assert.False(template.Built);
            Assert.NotSame(first.Model.Network, second.Model.Network);
            Assert.NotSame(first.Model.Network.Weights[0], second.Model.Network.Weights[0]);
        }

        [Fact]
        public void OutputSchemaPromisedMatchesTheScoredSchema()
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(Rows(100, 1));
            var trainer = ml.BinaryClassification.Trainers.NeuralNetwork(Network(1), new NeuralNetworkOptions { LabelColumnName = "Positive", Epochs = 1 });

            var promised = trainer.GetOutputSchema(SchemaShape.Create(data.Schema));
            var actual = trainer.Fit(data).Transform(data).Schema;

            foreach (var name in new[] { "Score", "Probability", "PredictedLabel" })
            {
                Assert.True(promised.TryFindColumn(name, out var shape));
                var column = actual[name];
                Assert.Equal(shape.ItemType, column.Type is VectorDataViewType v ? v.ItemType : column.Type);
                Assert.Equal(shape.Annotations.Select(a => a.Name).OrderBy(n => n), column.Annotations.Schema.Select(a => a.Name).OrderBy(n => n));
            }
        }
    }
}
