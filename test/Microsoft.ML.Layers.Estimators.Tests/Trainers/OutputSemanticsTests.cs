using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Estimators;
using Microsoft.ML.Layers.Losses;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;

namespace Microsoft.ML.Layers.Estimators.Tests.Trainers
{
    /// <summary>
    /// Training and scoring semantics: the default loss follows what the network really outputs (logits or probabilities),
    /// scoring treats the output the same way, rows with NaN features score as ML.NET's own trainers score them, and a
    /// tampered scoring batch size fails at load.
    /// </summary>
    [Collection(SerialTrainingCollection.Name)]
    public sealed class OutputSemanticsTests
    {
        private readonly ITestOutputHelper _output;

        public OutputSemanticsTests(ITestOutputHelper output) => _output = output;

        public sealed class Row
        {
            [VectorType(4)]
            public float[] Features { get; set; } = Array.Empty<float>();

            public float Target { get; set; }

            public bool Positive { get; set; }

            public string Class { get; set; } = "";
        }

        /// <summary>Three well separated clusters (class a, b, c around 3 on axis 0, 1, 2); Positive is x0 + x1 > x2.</summary>
        private static Row[] Rows(int count, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(i =>
            {
                int cls = i % 3;
                var x = Enumerable.Range(0, 4).Select(axis => (float)((axis == cls ? 3 : 0) + (random.NextDouble() - 0.5))).ToArray();
                return new Row
                {
                    Features = x,
                    Target = 2 * x[0] - x[1] + 0.5f * x[2],
                    Positive = x[0] + x[1] > x[2] + 1.5f,
                    Class = "abc"[cls].ToString(),
                };
            }).ToArray();
        }

        public static TheoryData<string> MulticlassForms => new()
        {
            "logits", "dense-softmax", "softmax-layer", "activation-layer", "functional-softmax", "nested-softmax",
            "functional-nested-softmax",
        };

        private static Layer MulticlassNetwork(string form)
        {
            switch (form)
            {
                case "logits":
                    return new Sequential(new Dense(16, activation: "relu"), new Dense(3));
                case "dense-softmax":
                    return new Sequential(new Dense(16, activation: "relu"), new Dense(3, activation: Activations.Get("softmax")));
                case "softmax-layer":
                    return new Sequential(new Dense(16, activation: "relu"), new Dense(3), new Softmax());
                case "activation-layer":
                    return new Sequential(new Dense(16, activation: "relu"), new Dense(3), new ActivationLayer("softmax"));
                case "nested-softmax":
                    return new Sequential(new Dense(16, activation: "relu"), new Sequential(new Dense(3), new Softmax()));
                case "functional-softmax":
                {
                    var x = Input.Create(4, name: "features");
                    var y = new Softmax().Apply(new Dense(3).Apply(new Dense(16, activation: "relu").Apply(x)));
                    return new Model(new[] { x }, new[] { y });
                }
                default:
                {
                    // A functional model whose output is a nested Sequential ending in a Softmax layer.
                    var x = Input.Create(4, name: "features");
                    var head = new Sequential(new Dense(3), new ActivationLayer("linear"), new Softmax());
                    var y = head.Apply(new Dense(16, activation: "relu").Apply(x));
                    return new Model(new[] { x }, new[] { y });
                }
            }
        }

        [Theory]
        [MemberData(nameof(MulticlassForms))]
        public void MulticlassDefaultLossFollowsWhatTheNetworkOutputs(string form)
        {
            bool probabilities = form != "logits";
            var ml = new MLContext(seed: 1);
            var train = ml.Data.LoadFromEnumerable(Rows(600, 1));
            var testRows = Rows(300, 2);
            var model = ml.Transforms.Conversion.MapValueToKey("Label", "Class")
                .Append(ml.MulticlassClassification.Trainers.NeuralNetwork(MulticlassNetwork(form),
                    new NeuralNetworkOptions { Epochs = 8, LearningRate = 0.01f }))
                .Fit(train);
            var trained = model.LastTransformer.Model;

            var loss = Assert.IsType<SparseCategoricalCrossentropyLoss>(Assert.Single(trained.Network.CompiledLosses));
            Assert.Equal(!probabilities, loss.FromLogits);
            Assert.Equal(probabilities, trained.OutputsProbabilities);
            var scored = model.Transform(ml.Data.LoadFromEnumerable(testRows));
            var metrics = ml.MulticlassClassification.Evaluate(scored);
            Assert.True(metrics.MicroAccuracy > 0.95, $"{form}: accuracy {metrics.MicroAccuracy}");
            Assert.True(metrics.LogLoss < 0.5, $"{form}: log-loss {metrics.LogLoss}");

            // Score is the class probabilities: the network's output itself when it ends in a softmax, else its softmax.
            var scores = scored.GetColumn<float[]>("Score").ToArray();
            var expected = NetworkOutput(trained.Network, testRows);
            if (!probabilities)
                expected = SoftmaxRows(expected, 3);
            for (int i = 0; i < scores.Length; i++)
            {
                for (int c = 0; c < 3; c++)
                    Assert.True(Math.Abs(expected[i * 3 + c] - scores[i][c]) < 1e-5, $"{form} row {i} class {c}: {scores[i][c]}");
            }
        }

        private static readonly string[] BinaryFormNames = { "logits", "dense-sigmoid", "activation-layer", "nested-sigmoid" };

        public static TheoryData<string> BinaryForms => new(BinaryFormNames);

        private static Layer BinaryNetwork(string form) => form switch
        {
            "logits" => new Sequential(new Dense(16, activation: "relu"), new Dense(1)),
            "dense-sigmoid" => new Sequential(new Dense(16, activation: "relu"), new Dense(1, activation: "sigmoid")),
            "activation-layer" => new Sequential(new Dense(16, activation: "relu"), new Dense(1), new ActivationLayer("sigmoid")),
            _ => new Sequential(new Dense(16, activation: "relu"), new Sequential(new Dense(1), new ActivationLayer("sigmoid"))),
        };

        [Theory]
        [MemberData(nameof(BinaryForms))]
        public void BinaryDefaultLossAndProbabilityFollowWhatTheNetworkOutputs(string form)
        {
            bool probabilities = form != "logits";
            var ml = new MLContext(seed: 1);
            var testRows = Rows(300, 4);
            var model = ml.BinaryClassification.Trainers.NeuralNetwork(BinaryNetwork(form),
                    new NeuralNetworkOptions { LabelColumnName = "Positive", Epochs = 12, LearningRate = 0.01f })
                .Fit(ml.Data.LoadFromEnumerable(Rows(600, 3)));
            var trained = model.Model;

            var loss = Assert.IsType<BinaryCrossentropyLoss>(Assert.Single(trained.Network.CompiledLosses));
            Assert.Equal(!probabilities, loss.FromLogits);
            Assert.Equal(probabilities, trained.OutputsProbabilities);
            var scored = model.Transform(ml.Data.LoadFromEnumerable(testRows));
            var metrics = ml.BinaryClassification.Evaluate(scored, labelColumnName: "Positive");
            Assert.True(metrics.Accuracy > 0.93, $"{form}: accuracy {metrics.Accuracy}");
            Assert.True(metrics.AreaUnderRocCurve > 0.98, $"{form}: AUC {metrics.AreaUnderRocCurve}");

            // Probability is the network's output when it ends in a sigmoid, else the sigmoid of it; Score is its logit.
            var output = NetworkOutput(trained.Network, testRows);
            var probability = scored.GetColumn<float>("Probability").ToArray();
            var score = scored.GetColumn<float>("Score").ToArray();
            for (int i = 0; i < probability.Length; i++)
            {
                double p = probabilities ? output[i] : 1 / (1 + Math.Exp(-output[i]));
                Assert.True(Math.Abs(p - probability[i]) < 1e-5, $"{form} row {i}: probability {probability[i]}, expected {p}");
                if (p is > 1e-4 and < 1 - 1e-4)
                    Assert.True(Math.Abs(Math.Log(p / (1 - p)) - score[i]) < 1e-2, $"{form} row {i}: score {score[i]}, p {p}");
            }
        }

        /// <summary>Rows with NaN features: every feature, the first one, the last one; then a clean row.</summary>
        private static Row[] NaNRows()
        {
            float nan = float.NaN;
            return new[]
            {
                new Row { Features = new[] { nan, nan, nan, nan }, Class = "a" },
                new Row { Features = new[] { nan, 0f, 0f, 3f }, Class = "a" },
                new Row { Features = new[] { 3f, 0f, 0f, nan }, Class = "a" },
                new Row { Features = new[] { 3f, 0f, 0f, 0f }, Class = "a" },
            };
        }

        private const int NaNRowCount = 3;

        [Fact]
        public void MulticlassNaNFeaturesScoreAsMLNetsOwnTrainersDo()
        {
            var ml = new MLContext(seed: 1);
            var train = ml.Data.LoadFromEnumerable(Rows(600, 1));
            var probe = ml.Data.LoadFromEnumerable(NaNRows());
            var keys = ml.Transforms.Conversion.MapValueToKey("Label", "Class");
            var sdca = keys.Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy()).Fit(train).Transform(probe);
            var lightGbm = keys.Append(ml.MulticlassClassification.Trainers.LightGbm()).Fit(train).Transform(probe);
            var ours = keys.Append(ml.MulticlassClassification.Trainers.NeuralNetwork(MulticlassNetwork("logits"),
                new NeuralNetworkOptions { Epochs = 3, LearningRate = 0.01f })).Fit(train).Transform(probe);

            var (sdcaScores, sdcaLabels) = (sdca.GetColumn<float[]>("Score").ToArray(), sdca.GetColumn<uint>("PredictedLabel").ToArray());
            var (gbmScores, gbmLabels) = (lightGbm.GetColumn<float[]>("Score").ToArray(),
                lightGbm.GetColumn<uint>("PredictedLabel").ToArray());
            var (ourScores, ourLabels) = (ours.GetColumn<float[]>("Score").ToArray(), ours.GetColumn<uint>("PredictedLabel").ToArray());
            for (int i = 0; i < sdcaScores.Length; i++)
            {
                _output.WriteLine($"row {i}: SDCA [{string.Join(", ", sdcaScores[i])}] -> {sdcaLabels[i]}; " +
                    $"LightGBM [{string.Join(", ", gbmScores[i])}] -> {gbmLabels[i]}; " +
                    $"network [{string.Join(", ", ourScores[i])}] -> {ourLabels[i]}");
            }

            for (int i = 0; i < NaNRowCount; i++)
            {
                // A linear model propagates NaN, as the network does: the same NaN scores and the same predicted key.
                Assert.Equal(sdcaScores[i].Select(float.IsNaN), ourScores[i].Select(float.IsNaN));
                Assert.Equal(sdcaLabels[i], ourLabels[i]);
                // LightGBM routes missing values down its trees: real scores, a real class.
                Assert.All(gbmScores[i], s => Assert.True(float.IsFinite(s), $"row {i}: LightGBM score {s}"));
            }
            Assert.All(ourScores[NaNRowCount], s => Assert.True(float.IsFinite(s)));
            Assert.Equal(sdcaLabels[NaNRowCount], ourLabels[NaNRowCount]);
        }

        [Fact]
        public void BinaryNaNFeaturesScoreAsMLNetsOwnTrainersDo()
        {
            var ml = new MLContext(seed: 1);
            var train = ml.Data.LoadFromEnumerable(Rows(600, 3));
            var probe = ml.Data.LoadFromEnumerable(NaNRows());
            var sdca = ml.BinaryClassification.Trainers.SdcaLogisticRegression(labelColumnName: "Positive").Fit(train).Transform(probe);
            var lightGbm = ml.BinaryClassification.Trainers.LightGbm(labelColumnName: "Positive").Fit(train).Transform(probe);
            var networks = BinaryFormNames.Select(form => (form, scored: ml.BinaryClassification.Trainers
                .NeuralNetwork(BinaryNetwork(form), new NeuralNetworkOptions { LabelColumnName = "Positive", Epochs = 3 })
                .Fit(train).Transform(probe))).ToList();

            var expected = BinaryColumns(sdca);
            Log("SDCA", expected);
            Log("LightGBM", BinaryColumns(lightGbm));
            foreach (var (form, scored) in networks)
            {
                var actual = BinaryColumns(scored);
                Log(form, actual);
                for (int i = 0; i < NaNRowCount; i++)
                {
                    Assert.Equal(float.IsNaN(expected.Score[i]), float.IsNaN(actual.Score[i]));
                    Assert.Equal(float.IsNaN(expected.Probability[i]), float.IsNaN(actual.Probability[i]));
                    Assert.Equal(expected.Predicted[i], actual.Predicted[i]);
                }
                Assert.True(float.IsFinite(actual.Score[NaNRowCount]) && float.IsFinite(actual.Probability[NaNRowCount]));
            }
        }

        [Fact]
        public void RegressionNaNFeaturesScoreAsMLNetsOwnTrainersDo()
        {
            var ml = new MLContext(seed: 1);
            var train = ml.Data.LoadFromEnumerable(Rows(600, 5));
            var probe = ml.Data.LoadFromEnumerable(NaNRows());
            var sdca = ml.Regression.Trainers.Sdca(labelColumnName: "Target").Fit(train).Transform(probe)
                .GetColumn<float>("Score").ToArray();
            var lightGbm = ml.Regression.Trainers.LightGbm(labelColumnName: "Target").Fit(train).Transform(probe)
                .GetColumn<float>("Score").ToArray();
            var ours = ml.Regression.Trainers.NeuralNetwork(new Sequential(new Dense(16, activation: "relu"), new Dense(1)),
                    new NeuralNetworkOptions { LabelColumnName = "Target", Epochs = 3 })
                .Fit(train).Transform(probe).GetColumn<float>("Score").ToArray();

            _output.WriteLine($"SDCA [{string.Join(", ", sdca)}]; LightGBM [{string.Join(", ", lightGbm)}]; " +
                $"network [{string.Join(", ", ours)}]");
            Assert.Equal(sdca.Select(float.IsNaN), ours.Select(float.IsNaN));
            Assert.All(lightGbm, s => Assert.True(float.IsFinite(s)));
        }

        [Fact]
        public void PredictedKeysSkipNaNScoresAndGiveTheMissingKeyWhenAllAreNaN()
        {
            float nan = float.NaN;
            var scores = new[] { nan, nan, nan, 0.2f, nan, 0.7f, 0.4f, 0.4f, 0.2f, 0.1f, 0.3f, 0.3f };

            Assert.Equal(new uint[] { 0, 3, 1, 2 }, ScoreColumns.PredictedKeys(scores, 4, 3));
        }

        [Theory]
        [InlineData(0)]
        [InlineData(-7)]
        public void ATamperedScoringBatchSizeFailsAtLoadNamingTheValue(int tampered)
        {
            const int Stored = 123457;
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(Rows(60, 1));
            var model = ml.Regression.Trainers.NeuralNetwork(new Sequential(new Dense(1)),
                new NeuralNetworkOptions { LabelColumnName = "Target", Epochs = 1, ScoringBatchSize = Stored }).Fit(data);
            using var stream = new MemoryStream();
            ml.Model.Save(model, data.Schema, stream);
            var original = stream.ToArray();

            // The untampered file loads and scores.
            var loaded = ml.Model.Load(new MemoryStream(original), out _);
            Assert.Equal(60, loaded.Transform(data).GetColumn<float>("Score").Count());

            // Tampered in a file with the stream's SHA-256 trailer: the hash refuses it.
            var patched = PatchEntry(original, "NeuralNetwork.bin", BitConverter.GetBytes(Stored), BitConverter.GetBytes(tampered));
            Assert.Contains("SHA-256", FormatErrorOf(() => ml.Model.Load(new MemoryStream(patched), out _)));

            // Tampered in a stream without the trailer (as files written before the hash are): the value check refuses it.
            var unhashed = PatchEntry(original, "NeuralNetwork.bin", BitConverter.GetBytes(Stored), BitConverter.GetBytes(tampered),
                dropBytesAtEnd: 8 + 32);
            Assert.Contains($"scoring batch size {tampered}", FormatErrorOf(() => ml.Model.Load(new MemoryStream(unhashed), out _)));
        }

        /// <summary>The message of the first <see cref="FormatException"/> in what <paramref name="load"/> throws.</summary>
        private static string FormatErrorOf(Action load)
        {
            var error = Record.Exception(load);
            Assert.NotNull(error);
            var format = Chain(error).OfType<FormatException>().FirstOrDefault();
            Assert.True(format is not null, $"no FormatException in {error}");
            return format!.Message;
        }

        private static IEnumerable<Exception> Chain(Exception error)
        {
            for (Exception? e = error; e is not null; e = e.InnerException)
                yield return e;
        }

        /// <summary>The zip with the one occurrence of <paramref name="find"/> in the entry named <paramref name="entryName"/>
        /// replaced by <paramref name="replace"/>.</summary>
        private static byte[] PatchEntry(byte[] zipBytes, string entryName, byte[] find, byte[] replace, int dropBytesAtEnd = 0)
        {
            var stream = new MemoryStream();
            stream.Write(zipBytes);
            using (var zip = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true))
            {
                var entry = Assert.Single(zip.Entries, e => e.Name == entryName);
                byte[] bytes;
                using (var read = entry.Open())
                using (var copy = new MemoryStream())
                {
                    read.CopyTo(copy);
                    bytes = copy.ToArray();
                }
                var at = Enumerable.Range(0, bytes.Length - find.Length + 1).Where(i => bytes.AsSpan(i, find.Length).SequenceEqual(find))
                    .ToList();
                replace.CopyTo(bytes, Assert.Single(at));
                bytes = bytes[..^dropBytesAtEnd];
                string fullName = entry.FullName;
                entry.Delete();
                using var write = zip.CreateEntry(fullName).Open();
                write.Write(bytes);
            }
            return stream.ToArray();
        }

        private sealed record BinaryOutputs(float[] Score, float[] Probability, bool[] Predicted);

        private static BinaryOutputs BinaryColumns(IDataView scored) => new(scored.GetColumn<float>("Score").ToArray(),
            scored.GetColumn<float>("Probability").ToArray(), scored.GetColumn<bool>("PredictedLabel").ToArray());

        private void Log(string name, BinaryOutputs outputs) => _output.WriteLine($"{name}: " + string.Join("; ",
            Enumerable.Range(0, outputs.Score.Length).Select(i => $"{outputs.Score[i]}/{outputs.Probability[i]}/{outputs.Predicted[i]}")));

        /// <summary>The network's output for the rows' features, flattened (computed directly, not through the scorer).</summary>
        private static float[] NetworkOutput(Model network, Row[] rows)
        {
            using var scope = torch.NewDisposeScope();
            using var x = torch.tensor(rows.SelectMany(r => r.Features).ToArray(), new long[] { rows.Length, 4 });
            return network.Predict(x).contiguous().data<float>().ToArray();
        }

        private static float[] SoftmaxRows(float[] values, int width)
        {
            var result = new float[values.Length];
            for (int row = 0; row < values.Length / width; row++)
            {
                var slice = values.AsSpan(row * width, width);
                double max = slice.ToArray().Max();
                double sum = slice.ToArray().Sum(v => Math.Exp(v - max));
                for (int c = 0; c < width; c++)
                    result[row * width + c] = (float)(Math.Exp(slice[c] - max) / sum);
            }
            return result;
        }
    }
}
