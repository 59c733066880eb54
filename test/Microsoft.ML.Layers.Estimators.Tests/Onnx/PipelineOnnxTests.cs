using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Estimators.Tests.RealData;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using Xunit.Abstractions;

namespace Microsoft.ML.Layers.Estimators.Tests.Onnx
{
    /// <summary>
    /// <c>mlContext.Model.ConvertToOnnx</c> on the digits, adult and taxi pipelines of the samples (ML.NET's normalizers,
    /// one-hot encoding, concatenation and key mapping around this library's trainers; few rows and epochs), and on
    /// <c>Transforms.NeuralNetwork</c>: ONNX Runtime and <c>ApplyOnnxModel</c> score as ML.NET's <c>Transform</c> does.
    /// </summary>
    /// <remarks>
    /// The networks are the samples' own: the digits CNN (Reshape, Conv2D, MaxPooling2D, Flatten, Dense), adult's one-hot
    /// network with Dropout and its key variant (one Embedding per key column, Flatten, Concatenate: a functional model fed
    /// by several feature columns), and taxi's Dense stack.
    /// </remarks>
    [Collection(SerialTrainingCollection.Name)]
    public sealed class PipelineOnnxTests
    {
        private readonly ITestOutputHelper _output;

        public PipelineOnnxTests(ITestOutputHelper output) => _output = output;

        private static string DataFile(string name) => Path.Combine(RepositoryLayout.SharedDataDirectory, name);

        public sealed class TaxiTrip
        {
            [LoadColumn(0)] public string VendorId { get; set; } = "";
            [LoadColumn(1)] public string RateCode { get; set; } = "";
            [LoadColumn(2)] public float PassengerCount { get; set; }
            [LoadColumn(3)] public float TripTime { get; set; }
            [LoadColumn(4)] public float TripDistance { get; set; }
            [LoadColumn(5)] public string PaymentType { get; set; } = "";
            [LoadColumn(6)] public float FareAmount { get; set; }
        }

        private static NeuralNetworkOptions Quick(string label = "Label")
            => new() { LabelColumnName = label, Epochs = 2, BatchSize = 64, LearningRate = 3e-3f };

        [SharedDataFact]
        public void DigitsMulticlassPipelineScoresTheSameInOnnxRuntime()
        {
            var ml = new MLContext(seed: 1);
            IDataView Load(string file) => ml.Data.LoadFromTextFile<RealDataTests.Digit>(DataFile(file), separatorChar: ',');
            var train = ml.Data.TakeRows(Load("optdigits-train.csv"), 1000);
            var test = ml.Data.TakeRows(Load("optdigits-test.csv"), 300);
            var model = ml.Transforms.Conversion.MapValueToKey("Label", "Number")
                .Append(ml.Transforms.NormalizeMinMax("Features"))
                .Append(ml.MulticlassClassification.Trainers.NeuralNetwork(
                    new Sequential(
                        new Reshape(8, 8, 1),
                        new Conv2D(32, kernelSize: 3, padding: Padding.Same, activation: "relu"),
                        new MaxPooling2D(2),
                        new Flatten(),
                        new Dense(64, activation: "relu"),
                        new Dense(10)), Quick()))
                .Fit(train);

            double worst = PipelineOnnx.AssertSameScores(ml, model, test, "Score", "PredictedLabel");
            _output.WriteLine($"digits: largest |ONNX - ML.NET| {worst:E2}");
        }

        private static readonly string[] AdultCategorical =
            { "Workclass", "Education", "MaritalStatus", "Occupation", "Relationship", "Ethnicity", "Sex", "NativeCountry" };

        private static readonly string[] AdultNumeric = { "Age", "EducationNum", "CapitalGain", "CapitalLoss", "HoursPerWeek" };

        /// <summary>3,000 training rows of adult.txt and the next 300 for scoring.</summary>
        private static (IDataView Train, IDataView Test) LoadAdult(MLContext ml)
        {
            var data = ml.Data.LoadFromTextFile<RealDataTests.Adult>(DataFile("adult.txt"), separatorChar: ',', hasHeader: true,
                trimWhitespace: true);
            return (ml.Data.TakeRows(data, 3000), ml.Data.TakeRows(ml.Data.SkipRows(data, 3000), 300));
        }

        [SharedDataFact]
        public void AdultBinaryPipelineWithOneHotAndNormalizersScoresTheSameInOnnxRuntime()
        {
            var ml = new MLContext(seed: 1);
            var (train, test) = LoadAdult(ml);
            var prepare = ml.Transforms.Categorical.OneHotEncoding(AdultCategorical.Select(c => new InputOutputColumnPair(c)).ToArray())
                .Append(ml.Transforms.Concatenate("Numeric", AdultNumeric))
                .Append(ml.Transforms.NormalizeMeanVariance("Numeric"))
                .Append(ml.Transforms.Concatenate("Features", AdultCategorical.Append("Numeric").ToArray()));
            // Logits (Score = the network's output) and probabilities (Score = the logit of a sigmoid output).
            foreach (var activation in new[] { "linear", "sigmoid" })
            {
                var model = prepare.Append(ml.BinaryClassification.Trainers.NeuralNetwork(
                    new Sequential(new Dense(64, activation: "relu"), new Dropout(0.2), new Dense(1, activation: activation)),
                    Quick())).Fit(train);
                // With a sigmoid output, Score is logit(probability): ill-conditioned near 0 and 1 (one float32 ulp of a
                // probability of 1 - 6e-6 moves it by 1e-2), so there the probability is what both engines must agree on.
                var columns = activation == "linear"
                    ? new[] { "Score", "Probability", "PredictedLabel" }
                    : new[] { "Probability", "PredictedLabel" };
                double worst = PipelineOnnx.AssertSameScores(ml, model, test, columns);
                _output.WriteLine($"adult ({activation} output): largest |ONNX - ML.NET| {worst:E2}");
            }
        }

        [SharedDataFact]
        public void TaxiRegressionPipelineScoresTheSameInOnnxRuntime()
        {
            var ml = new MLContext(seed: 1);
            IDataView Load(string file) => ml.Data.LoadFromTextFile<TaxiTrip>(DataFile(file), separatorChar: ',', hasHeader: true);
            var train = ml.Data.TakeRows(Load("taxi-fare-train.csv"), 3000);
            var test = ml.Data.TakeRows(Load("taxi-fare-test.csv"), 300);
            var model = ml.Transforms.Categorical.OneHotEncoding(new[]
                {
                    new InputOutputColumnPair("VendorIdEncoded", "VendorId"),
                    new InputOutputColumnPair("RateCodeEncoded", "RateCode"),
                    new InputOutputColumnPair("PaymentTypeEncoded", "PaymentType"),
                })
                .Append(ml.Transforms.NormalizeMeanVariance(new[]
                {
                    new InputOutputColumnPair("PassengerCountNormalized", "PassengerCount"),
                    new InputOutputColumnPair("TripTimeNormalized", "TripTime"),
                    new InputOutputColumnPair("TripDistanceNormalized", "TripDistance"),
                }))
                .Append(ml.Transforms.Concatenate("Features", "VendorIdEncoded", "RateCodeEncoded", "PaymentTypeEncoded",
                    "PassengerCountNormalized", "TripTimeNormalized", "TripDistanceNormalized"))
                .Append(ml.Regression.Trainers.NeuralNetwork(
                    new Sequential(new Dense(64, activation: "relu"), new Dense(32, activation: "relu"), new Dense(1)),
                    Quick("FareAmount")))
                .Fit(train);

            double worst = PipelineOnnx.AssertSameScores(ml, model, test, "Score");
            _output.WriteLine($"taxi: largest |ONNX - ML.NET| {worst:E2}");
        }

        /// <summary>Adult's key variant: each categorical column a key fed to its own Embedding (int64 inputs), the numbers
        /// normalized; one functional model with nine inputs, fed by nine feature columns.</summary>
        [SharedDataFact]
        public void AdultKeysIntoEmbeddingsWithSeveralFeatureColumnsScoresTheSameInOnnxRuntime()
        {
            var ml = new MLContext(seed: 1);
            var (train, test) = LoadAdult(ml);
            var keys = ml.Transforms.Conversion.MapValueToKey(AdultCategorical.Select(c => new InputOutputColumnPair(c)).ToArray())
                .Append(ml.Transforms.Concatenate("Numeric", AdultNumeric))
                .Append(ml.Transforms.NormalizeMeanVariance("Numeric"));
            var prepared = keys.Fit(train);
            var schema = prepared.Transform(train).Schema;
            var inputs = AdultCategorical.Select(c => Input.Create(1, dtype: TorchSharp.torch.ScalarType.Int64, name: c)).ToArray();
            var numbers = Input.Create(AdultNumeric.Length, name: "Numeric");
            var vectors = AdultCategorical.Select((c, i) =>
            {
                int count = (int)schema[c].Type.GetKeyCount();
                return new Flatten().Apply(new Embedding(count + 1, Math.Clamp(count / 2, 2, 8)).Apply(inputs[i]));
            });
            var merged = new Concatenate().Apply(vectors.Append(numbers).ToArray());
            var hidden = new Dropout(0.2).Apply(new Dense(64, activation: "relu").Apply(merged));
            var network = new Model(inputs.Append(numbers).ToArray(), new[] { new Dense(1).Apply(hidden) });
            var options = Quick();
            options.FeatureColumnNames = AdultCategorical.Append("Numeric").ToArray();
            var model = keys.Append(ml.BinaryClassification.Trainers.NeuralNetwork(network, options)).Fit(train);

            double worst = PipelineOnnx.AssertSameScores(ml, model, test, "Score", "Probability", "PredictedLabel");
            _output.WriteLine($"adult (keys into embeddings): largest |ONNX - ML.NET| {worst:E2}");
        }
    }
}
