using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.TestFramework;
using Xunit;

namespace Microsoft.ML.Layers.Estimators.Tests.Trainers
{
    /// <summary>
    /// An ML.NET model file written by the code before the public API change of issue 13 (<c>Fixtures/Api1</c>, see its
    /// README; never regenerated) still loads in a fresh <see cref="MLContext"/> and scores as it did.
    /// </summary>
    public sealed class ApiCompatibilityModelFileTests
    {
        private static readonly string Api1 =
            Path.Combine(RepositoryLayout.Root, "test", "Microsoft.ML.Layers.Estimators.Tests", "Fixtures", "Api1");

        public sealed class Row
        {
            [VectorType(4)]
            public float[] Features { get; set; } = Array.Empty<float>();

            public float Label { get; set; }
        }

        [Fact]
        public void AnOldRegressionModelFileLoadsAndScoresAsBefore()
        {
            var rows = JsonSerializer.Deserialize<Row[]>(File.ReadAllText(Path.Combine(Api1, "regression.inputs.json")))!;
            var expected = JsonSerializer.Deserialize<float[]>(File.ReadAllText(Path.Combine(Api1, "regression.expected.json")))!;
            var ml = new MLContext();

            var model = ml.Model.Load(Path.Combine(Api1, "regression.zip"), out var schema);
            var scores = model.Transform(ml.Data.LoadFromEnumerable(rows)).GetColumn<float>("Score").ToArray();

            Assert.Equal(10, rows.Length);
            Assert.Equal("Features", schema["Features"].Name);
            Assert.Equal(expected.Length, scores.Length);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - scores[i]) <= 1e-6, $"row {i}: score {scores[i]}, was {expected[i]}");
        }
    }
}
