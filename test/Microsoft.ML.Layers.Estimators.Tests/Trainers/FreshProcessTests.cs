using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.TestFramework;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Estimators.Tests.Trainers
{
    /// <summary>A user's layer, known only to this test assembly.</summary>
    [RegisterLayer("TestOnlyScale")]
    public sealed class TestOnlyScale : Layer
    {
        public TestOnlyScale(string? name = null) : base(name)
        {
        }

        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null) => inputs * 2;
    }

    /// <summary>
    /// A console application outside the repository that references only Microsoft.ML.Layers.Estimators: it loads an
    /// ML.NET model zip with a fresh MLContext and no registration call, and prints the scores (or the error).
    /// </summary>
    public sealed class ModelLoaderFixture : IDisposable
    {
        private const string ProgramText = """
            using System;
            using System.Globalization;
            using System.Linq;
            using Microsoft.ML;
            using Microsoft.ML.Data;

            try
            {
                var ml = new MLContext();
                var model = ml.Model.Load(args[0], out _);
                var data = ml.Data.LoadFromTextFile(args[1], new[] { new TextLoader.Column("Features", DataKind.Single, 0, 3) }, separatorChar: ',');
                foreach (var score in model.Transform(data).GetColumn<float>("Score"))
                    Console.WriteLine(score.ToString("R", CultureInfo.InvariantCulture));
                return 0;
            }
            catch (Exception e)
            {
                for (var error = e; error is not null; error = error.InnerException)
                    Console.WriteLine("ERROR: " + error.GetType().Name + ": " + error.Message);
                return 2;
            }
            """;

        public ModelLoaderFixture() => Application = new ExternalApplication("Loader", "Estimators/Microsoft.ML.Layers.Estimators.csproj", ProgramText);

        public ExternalApplication Application { get; }

        public string Directory => Application.Directory;

        public ProcessResult Run(string modelPath, string dataPath) => Application.Run(null, modelPath, dataPath);

        public void Dispose() => Application.Dispose();
    }

    [Collection(SerialTrainingCollection.Name)]
    public sealed class FreshProcessTests : IClassFixture<ModelLoaderFixture>
    {
        private readonly ModelLoaderFixture _loader;

        public FreshProcessTests(ModelLoaderFixture loader) => _loader = loader;

        private (string Model, string Data, float[] Scores) TrainAndSave(Layer network)
        {
            var ml = new MLContext(seed: 1);
            var rows = Enumerable.Range(0, 64).Select(i => new NeuralNetworkTrainerTests.Row
            {
                Features = new[] { i % 7 / 7f, i % 3 / 3f, i % 5 / 5f, (i % 11) / 11f },
                Target = i % 7,
            }).ToArray();
            var data = ml.Data.LoadFromEnumerable(rows);
            var model = ml.Regression.Trainers.NeuralNetwork(network, new NeuralNetworkOptions { LabelColumnName = "Target", Epochs = 2 }).Fit(data);
            string modelPath = Path.Combine(_loader.Directory, $"model-{Guid.NewGuid():N}.zip");
            string dataPath = Path.Combine(_loader.Directory, $"data-{Guid.NewGuid():N}.csv");
            ml.Model.Save(model, data.Schema, modelPath);
            File.WriteAllLines(dataPath, rows.Select(r => string.Join(",", r.Features.Select(f => f.ToString("R", CultureInfo.InvariantCulture)))));
            var scores = model.Transform(ml.Data.LoadFromTextFile(dataPath, new[] { new TextLoader.Column("Features", DataKind.Single, 0, 3) }, separatorChar: ','))
                .GetColumn<float>("Score").ToArray();
            return (modelPath, dataPath, scores);
        }

        [Fact]
        public void AnotherProcessLoadsTheModelWithoutRegistrationAndScoresBitIdentically()
        {
            var (model, data, scores) = TrainAndSave(new Sequential(new Dense(8, activation: "relu"), new Dense(1)));

            var result = _loader.Run(model, data);

            Assert.True(result.ExitCode == 0, result.ToString());
            var loaded = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(scores, loaded);
        }

        [Fact]
        public void AProcessWithoutTheCustomLayersAssemblyFailsNamingTheLayerClass()
        {
            var (model, data, _) = TrainAndSave(new Sequential(new TestOnlyScale(), new Dense(1)));

            var result = _loader.Run(model, data);

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("'TestOnlyScale'", result.StandardOutput);
            Assert.Contains("RegisterLayer", result.StandardOutput);
        }
    }
}
