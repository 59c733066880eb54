using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.TestFramework;
using Xunit;

namespace Microsoft.ML.Layers.Estimators.Tests.Trainers
{
    /// <summary>A console application that contains <see cref="MinimalRNNCell"/> (the same source file) and loads a model zip.</summary>
    public sealed class UserCellLoaderFixture : IDisposable
    {
        private const string ProgramText = """
            using System;
            using System.Globalization;
            using System.Linq;
            using Microsoft.ML;
            using Microsoft.ML.Data;

            try
            {
                // The application's own cell class: this assembly is loaded, so the registry finds [RegisterLayer("MinimalRNNCell")].
                Console.Error.WriteLine(typeof(Microsoft.ML.Layers.Estimators.Tests.Trainers.MinimalRNNCell).Name);
                var ml = new MLContext();
                var model = ml.Model.Load(args[0], out _);
                var data = ml.Data.LoadFromTextFile(args[1], new[] { new TextLoader.Column("Features", DataKind.Single, 0, 7) }, separatorChar: ',');
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

        public UserCellLoaderFixture()
        {
            string cellSource = File.ReadAllText(Path.Combine(RepositoryLayout.Root, "test", "Microsoft.ML.Layers.Estimators.Tests", "Trainers",
                "MinimalRNNCell.cs"));
            Application = new ExternalApplication("CellLoader", ProgramText, new[]
            {
                $"<ProjectReference Include=\"{Path.Combine(RepositoryLayout.Root, "Estimators", "Microsoft.ML.Layers.Estimators.csproj")}\" />",
                RepositoryLayout.LibTorchPackageReference,
            }, new System.Collections.Generic.Dictionary<string, string> { ["MinimalRNNCell.cs"] = cellSource });
        }

        public ExternalApplication Application { get; }

        public void Dispose() => Application.Dispose();
    }

    /// <summary>
    /// A user-written cell (<see cref="MinimalRNNCell"/>) inside <see cref="RNN"/> trains in an ML.NET pipeline on a generated
    /// sequence task, and the saved zip scores identically in a fresh process that has the cell class.
    /// </summary>
    [Collection(SerialTrainingCollection.Name)]
    public sealed class UserCellPipelineTests : IClassFixture<UserCellLoaderFixture>
    {
        private const int Steps = 8;
        private readonly UserCellLoaderFixture _loader;

        public UserCellPipelineTests(UserCellLoaderFixture loader) => _loader = loader;

        public sealed class SequenceRow
        {
            [VectorType(Steps)]
            public float[] Features { get; set; } = Array.Empty<float>();

            public float Target { get; set; }
        }

        /// <summary>Generated task: 8 steps of values in [-1, 1]; the target is the leaky sum <c>Σ x_t 0.7^(7 - t)</c>, which a
        /// linear recurrence can represent exactly.</summary>
        internal static SequenceRow[] LeakySums(int count, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(_ =>
            {
                var x = Enumerable.Range(0, Steps).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
                float target = 0;
                foreach (var v in x)
                    target = 0.7f * target + v;
                return new SequenceRow { Features = x, Target = target };
            }).ToArray();
        }

        [Fact]
        public void AUserCellTrainsInAPipelineAndScoresIdenticallyAfterLoadingInAFreshProcess()
        {
            Assert.True(_loader.Application.Build.ExitCode == 0, _loader.Application.Build.ToString());
            var ml = new MLContext(seed: 1);
            var train = ml.Data.LoadFromEnumerable(LeakySums(512, 1));
            var testRows = LeakySums(64, 2);
            var test = ml.Data.LoadFromEnumerable(testRows);
            var network = new Sequential(new Reshape(Steps, 1), new RNN(new MinimalRNNCell(8)), new Dense(1));
            var model = ml.Regression.Trainers.NeuralNetwork(network, new NeuralNetworkOptions
            {
                LabelColumnName = "Target", Epochs = 30, BatchSize = 32, LearningRate = 0.01f,
            }).Fit(train);

            var metrics = ml.Regression.Evaluate(model.Transform(test), labelColumnName: "Target");
            Assert.True(metrics.RSquared > 0.9, $"R² {metrics.RSquared} after training on the leaky sums");

            string modelPath = Path.Combine(_loader.Application.Directory, $"cell-model-{Guid.NewGuid():N}.zip");
            string dataPath = Path.Combine(_loader.Application.Directory, $"cell-data-{Guid.NewGuid():N}.csv");
            ml.Model.Save(model, train.Schema, modelPath);
            File.WriteAllLines(dataPath, testRows.Select(r => string.Join(",", r.Features.Select(f => f.ToString("R", CultureInfo.InvariantCulture)))));
            var scores = model.Transform(ml.Data.LoadFromTextFile(dataPath,
                new[] { new TextLoader.Column("Features", DataKind.Single, 0, Steps - 1) }, separatorChar: ',')).GetColumn<float>("Score").ToArray();

            var result = _loader.Application.Run(null, modelPath, dataPath);

            Assert.True(result.ExitCode == 0, result.ToString());
            var loaded = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(scores, loaded);
        }
    }
}
