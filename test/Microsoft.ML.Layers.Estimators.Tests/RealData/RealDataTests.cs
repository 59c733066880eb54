using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Optimizers;
using Microsoft.ML.Layers.TestFramework;
using Xunit;

namespace Microsoft.ML.Layers.Estimators.Tests.RealData
{
    /// <summary>Acceptance runs on the public data sets in ../shared/data (skipped, with the reason, when it is absent).</summary>
    [Collection(SerialTrainingCollection.Name)]
    public sealed class RealDataTests
    {
        private static string DataFile(string name) => Path.Combine(RepositoryLayout.SharedDataDirectory, name);

        public sealed class Digit
        {
            [LoadColumn(0, 63)]
            [VectorType(64)]
            public float[] Features { get; set; } = Array.Empty<float>();

            [LoadColumn(64)]
            public float Number { get; set; }
        }

        public sealed class DigitPrediction
        {
            public float[] Score { get; set; } = Array.Empty<float>();

            public uint PredictedLabel { get; set; }
        }

        /// <summary>Saves and loads through the model zip in a fresh context; the reloaded model must score identically.</summary>
        private static ITransformer RoundTrip(MLContext ml, ITransformer model, IDataView data, string column)
        {
            string path = Path.Combine(Path.GetTempPath(), $"mllayers-real-{Guid.NewGuid():N}.zip");
            try
            {
                ml.Model.Save(model, data.Schema, path);
                var loaded = new MLContext().Model.Load(path, out _);
                var before = model.Transform(data).GetColumn<float>(column).ToArray();
                var after = loaded.Transform(data).GetColumn<float>(column).ToArray();
                Assert.Equal(before, after);
                return loaded;
            }
            finally
            {
                File.Delete(path);
            }
        }

        [SharedDataFact]
        public void OptdigitsSmallCnnReaches97PercentMicroAccuracy()
        {
            var ml = new MLContext(seed: 1);
            var train = ml.Data.LoadFromTextFile<Digit>(DataFile("optdigits-train.csv"), separatorChar: ',');
            var test = ml.Data.LoadFromTextFile<Digit>(DataFile("optdigits-test.csv"), separatorChar: ',');
            var network = new Sequential(
                new Reshape(8, 8, 1),
                new Conv2D(32, kernelSize: 3, padding: Padding.Same, activation: "relu"),
                new MaxPooling2D(2),
                new Conv2D(64, kernelSize: 3, padding: Padding.Same, activation: "relu"),
                new Flatten(),
                new Dropout(0.25),
                new Dense(64, activation: "relu"),
                new Dense(10));
            var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", "Number")
                .Append(ml.Transforms.NormalizeMinMax("Features"))
                .Append(ml.MulticlassClassification.Trainers.NeuralNetwork(network, new NeuralNetworkOptions { Epochs = 20, BatchSize = 64, LearningRate = 2e-3f }));

            var model = pipeline.Fit(train);
            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));

            Assert.True(metrics.MicroAccuracy >= 0.97, $"micro-accuracy {metrics.MicroAccuracy:0.0000} (ML.NET's LightGBM: 0.965)");
            var loaded = new MLContext().Model.Load(SaveToTemp(ml, model, train), out _);
            Assert.Equal(model.Transform(test).GetColumn<uint>("PredictedLabel").ToArray(), loaded.Transform(test).GetColumn<uint>("PredictedLabel").ToArray());
            var engine = ml.Model.CreatePredictionEngine<Digit, DigitPrediction>(loaded);
            var first = ml.Data.CreateEnumerable<Digit>(test, reuseRowObject: false).First();
            Assert.Equal(10, engine.Predict(first).Score.Length);
        }

        private static string SaveToTemp(MLContext ml, ITransformer model, IDataView data)
        {
            string path = Path.Combine(Path.GetTempPath(), $"mllayers-real-{Guid.NewGuid():N}.zip");
            ml.Model.Save(model, data.Schema, path);
            return path;
        }

        public sealed class Adult
        {
            [LoadColumn(0)] public float Age { get; set; }
            [LoadColumn(1)] public string Workclass { get; set; } = "";
            [LoadColumn(3)] public string Education { get; set; } = "";
            [LoadColumn(4)] public float EducationNum { get; set; }
            [LoadColumn(5)] public string MaritalStatus { get; set; } = "";
            [LoadColumn(6)] public string Occupation { get; set; } = "";
            [LoadColumn(7)] public string Relationship { get; set; } = "";
            [LoadColumn(8)] public string Ethnicity { get; set; } = "";
            [LoadColumn(9)] public string Sex { get; set; } = "";
            [LoadColumn(10)] public float CapitalGain { get; set; }
            [LoadColumn(11)] public float CapitalLoss { get; set; }
            [LoadColumn(12)] public float HoursPerWeek { get; set; }
            [LoadColumn(13)] public string NativeCountry { get; set; } = "";
            [LoadColumn(14)] public bool Label { get; set; }
        }

        [SharedDataFact]
        public void AdultWithOneHotFeaturesReachesAuc90()
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromTextFile<Adult>(DataFile("adult.txt"), separatorChar: ',', hasHeader: true, trimWhitespace: true);
            var split = ml.Data.TrainTestSplit(data, testFraction: 0.2, seed: 1);
            string[] categorical = { "Workclass", "Education", "MaritalStatus", "Occupation", "Relationship", "Ethnicity", "Sex", "NativeCountry" };
            string[] numeric = { "Age", "EducationNum", "CapitalGain", "CapitalLoss", "HoursPerWeek" };
            var pipeline = ml.Transforms.Categorical.OneHotEncoding(categorical.Select(c => new InputOutputColumnPair(c)).ToArray())
                .Append(ml.Transforms.Concatenate("Numeric", numeric))
                .Append(ml.Transforms.NormalizeMeanVariance("Numeric"))
                .Append(ml.Transforms.Concatenate("Features", categorical.Append("Numeric").ToArray()))
                .Append(ml.BinaryClassification.Trainers.NeuralNetwork(new Sequential(new Dense(64, activation: "relu"), new Dropout(0.2), new Dense(1)),
                    new NeuralNetworkOptions { Epochs = 8, BatchSize = 128 }));

            var model = pipeline.Fit(split.TrainSet);
            var metrics = ml.BinaryClassification.Evaluate(model.Transform(split.TestSet));

            Assert.True(metrics.AreaUnderRocCurve >= 0.90, $"AUC {metrics.AreaUnderRocCurve:0.0000} (ML.NET's L-BFGS: 0.907)");
            var loaded = RoundTrip(ml, model, split.TestSet, "Probability");
            var engine = ml.Model.CreatePredictionEngine<Adult, ProbabilityPrediction>(loaded);
            var person = ml.Data.CreateEnumerable<Adult>(split.TestSet, reuseRowObject: false).First();
            float batched = model.Transform(split.TestSet).GetColumn<float>("Probability").First();
            Assert.True(Math.Abs(engine.Predict(person).Probability - batched) < 1e-5);
        }

        public sealed class ProbabilityPrediction
        {
            public float Probability { get; set; }
        }

        public sealed class ScorePrediction
        {
            public float Score { get; set; }
        }

        public sealed class House
        {
            [LoadColumn(0)] public float MedianHomeValue { get; set; }

            [LoadColumn(1, 13)]
            [VectorType(13)]
            public float[] Features { get; set; } = Array.Empty<float>();
        }

        [SharedDataFact]
        public void HousingRegressionExplainsMostOfTheVariance()
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromTextFile<House>(DataFile("housing.txt"), separatorChar: '\t', hasHeader: true);
            var split = ml.Data.TrainTestSplit(data, testFraction: 0.2, seed: 1);
            var pipeline = ml.Transforms.NormalizeMeanVariance("Features")
                .Append(ml.Regression.Trainers.NeuralNetwork(new Sequential(new Dense(64, activation: "relu"), new Dense(32, activation: "relu"), new Dense(1)),
                    new NeuralNetworkOptions { LabelColumnName = "MedianHomeValue", Epochs = 150, BatchSize = 16, LearningRate = 3e-3f }));

            var model = pipeline.Fit(split.TrainSet);
            var metrics = ml.Regression.Evaluate(model.Transform(split.TestSet), labelColumnName: "MedianHomeValue");
            // ML.NET's own linear trainer on the same split and features, as the bar to clear.
            var sdca = ml.Transforms.NormalizeMeanVariance("Features").Append(ml.Regression.Trainers.Sdca("MedianHomeValue")).Fit(split.TrainSet);
            var baseline = ml.Regression.Evaluate(sdca.Transform(split.TestSet), labelColumnName: "MedianHomeValue");

            // 102 test rows make R^2 noisy: the bar is ML.NET's linear trainer within 0.02, and 0.65.
            Assert.True(metrics.RSquared >= Math.Max(0.65, baseline.RSquared - 0.02), $"R^2 {metrics.RSquared:0.000}; SDCA {baseline.RSquared:0.000}");
            var loaded = RoundTrip(ml, model, split.TestSet, "Score");
            var engine = ml.Model.CreatePredictionEngine<House, ScorePrediction>(loaded);
            var house = ml.Data.CreateEnumerable<House>(split.TestSet, reuseRowObject: false).First();
            float batched = model.Transform(split.TestSet).GetColumn<float>("Score").First();
            Assert.True(Math.Abs(engine.Predict(house).Score - batched) < 1e-4);
        }

        public sealed class Comment
        {
            [LoadColumn(0)] public bool Label { get; set; }

            [LoadColumn(1)] public string Text { get; set; } = "";
        }

        public sealed class CommentPrediction
        {
            public float Probability { get; set; }

            public bool PredictedLabel { get; set; }
        }

        [SharedDataFact]
        public void DetoxTextThroughTokenizerKeysEmbeddingAndLstm()
        {
            var ml = new MLContext(seed: 1);
            var train = ml.Data.LoadFromTextFile<Comment>(DataFile("wikipedia-detox-250-line-data.tsv"), hasHeader: true, allowQuoting: true);
            var test = ml.Data.LoadFromTextFile<Comment>(DataFile("wikipedia-detox-250-line-test.tsv"), hasHeader: true, allowQuoting: true);
            var tokenizer = ml.Transforms.Text.NormalizeText("Normalized", "Text")
                .Append(ml.Transforms.Text.TokenizeIntoWords("Words", "Normalized"))
                .Append(ml.Transforms.Conversion.MapValueToKey("Tokens", "Words"));
            var tokens = tokenizer.Fit(train);
            // Key values are 1..n and 0 means missing (unknown words), which Embedding(maskZero) treats as padding.
            int vocabulary = (int)tokens.GetOutputSchema(train.Schema)["Tokens"].Type.GetItemType().GetKeyCount();
            var network = new Sequential(new Embedding(vocabulary + 1, 16, maskZero: true), new LSTM(16), new Dense(1));
            var pipeline = tokenizer.Append(ml.BinaryClassification.Trainers.NeuralNetwork(network,
                new NeuralNetworkOptions { FeatureColumnNames = new[] { "Tokens" }, Epochs = 25, BatchSize = 16, LearningRate = 5e-3f }));

            var model = pipeline.Fit(train);
            var trainMetrics = ml.BinaryClassification.Evaluate(model.Transform(train));

            Assert.True(trainMetrics.AreaUnderRocCurve > 0.9, $"training AUC {trainMetrics.AreaUnderRocCurve:0.000}: the network does not fit the comments");
            var loaded = RoundTrip(ml, model, test, "Probability");
            var engine = ml.Model.CreatePredictionEngine<Comment, CommentPrediction>(loaded);
            var batched = model.Transform(test).GetColumn<float>("Probability").ToArray();
            var single = ml.Data.CreateEnumerable<Comment>(test, reuseRowObject: false).Select(c => engine.Predict(c).Probability).ToArray();
            for (int i = 0; i < single.Length; i++)
                Assert.True(Math.Abs(single[i] - batched[i]) < 1e-5, $"comment {i}: engine {single[i]}, batched {batched[i]} (padding must not change the result)");
        }
    }
}
