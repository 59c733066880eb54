using System;
using Xunit;

namespace Microsoft.ML.Layers.Estimators.Tests.Trainers
{
    /// <summary>The simple overloads of the catalog pass their arguments on as ML.NET's simple overloads do.</summary>
    public sealed class CatalogOverloadTests
    {
        private static Sequential Network() => new(new Dense(1));

        [Fact]
        public void SimpleOverloadsCarryColumnsEpochsBatchSizeAndLearningRate()
        {
            var ml = new MLContext(seed: 1);
            var trainers = new[]
            {
                ml.Regression.Trainers.NeuralNetwork(Network(), "Target", "Inputs", epochs: 3, batchSize: 7, learningRate: 0.5f),
                ml.BinaryClassification.Trainers.NeuralNetwork(Network(), "Target", "Inputs", epochs: 3, batchSize: 7, learningRate: 0.5f),
                ml.MulticlassClassification.Trainers.NeuralNetwork(Network(), "Target", "Inputs", epochs: 3, batchSize: 7, learningRate: 0.5f),
            };
            foreach (var options in Array.ConvertAll(trainers, t => t.Options))
            {
                Assert.Equal("Target", options.LabelColumnName);
                Assert.Equal(new[] { "Inputs" }, options.FeatureColumnNames);
                Assert.Equal((3, 7, 0.5f), (options.Epochs, options.BatchSize, options.LearningRate));
            }
        }

        [Fact]
        public void SimpleOverloadDefaultsAreTheOptionsDefaults()
        {
            var ml = new MLContext(seed: 1);
            var simple = ml.Regression.Trainers.NeuralNetwork(Network()).Options;
            var defaults = new NeuralNetworkOptions();
            Assert.Equal((defaults.Epochs, defaults.BatchSize, defaults.LearningRate), (simple.Epochs, simple.BatchSize, simple.LearningRate));
        }

        [Fact]
        public void ASimpleOverloadWithZeroEpochsFailsAtTheDoor()
        {
            var ml = new MLContext(seed: 1);
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.NeuralNetwork(Network(), epochs: 0));
            Assert.Contains("Epochs=0", error.Message);
        }
    }
}
