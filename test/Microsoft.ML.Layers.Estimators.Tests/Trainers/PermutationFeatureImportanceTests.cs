using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Optimizers;
using Xunit;

namespace Microsoft.ML.Layers.Estimators.Tests.Trainers
{
    [Collection(SerialTrainingCollection.Name)]
    public sealed class PermutationFeatureImportanceTests
    {
        [Fact]
        public void PermutationFeatureImportanceRanksTheFeatureTheTargetDependsOn()
        {
            var ml = new MLContext(seed: 1);
            var random = new Random(3);
            // The target depends strongly on feature 2, weakly on feature 0, not at all on 1 and 3.
            var rows = Enumerable.Range(0, 1000).Select(_ =>
            {
                var x = Enumerable.Range(0, 4).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
                return new NeuralNetworkTrainerTests.Row { Features = x, Target = 3 * x[2] + 0.3f * x[0] };
            }).ToArray();
            var data = ml.Data.LoadFromEnumerable(rows);
            var model = ml.Regression.Trainers.NeuralNetwork(new Sequential(new Dense(16, activation: "relu"), new Dense(1)),
                new NeuralNetworkOptions { LabelColumnName = "Target", Epochs = 20, LearningRate = 0.01f }).Fit(data);

            var importance = ml.Regression.PermutationFeatureImportance(model, data, labelColumnName: "Target", permutationCount: 1);

            var drops = importance.Select(i => i.RSquared.Mean).ToArray();
            Assert.Equal(4, drops.Length);
            // Permuting feature 2 destroys the fit; feature 0 matters a little; 1 and 3 barely.
            Assert.True(drops[2] < drops[0] && drops[0] < drops[1] && drops[0] < drops[3], $"R^2 changes: {string.Join(", ", drops.Select(d => d.ToString("0.000")))}");
        }
    }
}
