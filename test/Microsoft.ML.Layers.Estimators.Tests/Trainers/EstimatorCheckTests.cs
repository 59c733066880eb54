using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.TestFramework;
using Xunit;

namespace Microsoft.ML.Layers.Estimators.Tests.Trainers
{
    /// <summary>Every estimator of the ML.NET side through the shared estimator check.</summary>
    public sealed class EstimatorCheckTests
    {
        private sealed class Invalid
        {
            public string Features { get; set; } = "";

            public string Target { get; set; } = "";

            public string Positive { get; set; } = "";
        }

        private static IDataView Valid(MLContext ml) => ml.Data.LoadFromEnumerable(Enumerable.Range(0, 120).Select(i => new NeuralNetworkTrainerTests.Row
        {
            Features = new[] { i % 7 / 7f, i % 3 / 3f, i % 5 / 5f, (i % 11) / 11f },
            Target = i % 7,
            Positive = i % 2 == 0,
            Class = "c" + (i % 3),
        }));

        private static IDataView Wrong(MLContext ml) => ml.Data.LoadFromEnumerable(new[] { new Invalid { Features = "x", Target = "y", Positive = "z" } });

        [Fact]
        public void RegressionTrainer()
        {
            var ml = new MLContext(seed: 1);
            EstimatorCheck.Run(ml, ml.Regression.Trainers.NeuralNetwork(new Dense(1), new NeuralNetworkOptions { LabelColumnName = "Target", Epochs = 2 }), Valid(ml), Wrong(ml));
        }

        [Fact]
        public void BinaryTrainer()
        {
            var ml = new MLContext(seed: 1);
            EstimatorCheck.Run(ml, ml.BinaryClassification.Trainers.NeuralNetwork(new Dense(1), new NeuralNetworkOptions { LabelColumnName = "Positive", Epochs = 2 }), Valid(ml), Wrong(ml));
        }

        [Fact]
        public void MulticlassTrainer()
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Transforms.Conversion.MapValueToKey("Label", "Class").Fit(Valid(ml)).Transform(Valid(ml));
            EstimatorCheck.Run(ml, ml.MulticlassClassification.Trainers.NeuralNetwork(new Dense(3), new NeuralNetworkOptions { Epochs = 2 }), data, Wrong(ml));
        }

        [Fact]
        public void FeatureTransform()
        {
            var ml = new MLContext(seed: 1);
            EstimatorCheck.Run(ml, ml.Transforms.NeuralNetwork(new Sequential(new Dense(5, activation: "relu"), new Dense(2)), "Embedding"), Valid(ml), Wrong(ml));
        }
    }
}
