using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Optimizers;
using Xunit;

namespace Microsoft.ML.Layers.Estimators.Tests.Trainers
{
    [Collection(SerialTrainingCollection.Name)]
    public sealed class MultiInputTests
    {
        public sealed class TwoColumns
        {
            [VectorType(2)]
            public float[] A { get; set; } = Array.Empty<float>();

            [VectorType(3)]
            public float[] B { get; set; } = Array.Empty<float>();

            public float Label { get; set; }
        }

        [Fact]
        public void SeveralFeatureColumnsFeedAFunctionalModelMatchedByInputName()
        {
            var random = new Random(1);
            var rows = Enumerable.Range(0, 1000).Select(_ =>
            {
                var a = new[] { (float)random.NextDouble(), (float)random.NextDouble() };
                var b = new[] { (float)random.NextDouble(), (float)random.NextDouble(), (float)random.NextDouble() };
                return new TwoColumns { A = a, B = b, Label = 3 * a[0] - b[2] };
            }).ToArray();
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(rows);
            // The network's inputs are declared in the order (B, A); the columns are given as (A, B): matched by name.
            var b = Input.Create(3, name: "B");
            var a = Input.Create(2, name: "A");
            var merged = new Concatenate().Apply(new[] { new Dense(8, activation: "relu").Apply(a), new Dense(8, activation: "relu").Apply(b) });
            var network = new Model(new[] { b, a }, new[] { new Dense(1).Apply(merged) });
            var trainer = ml.Regression.Trainers.NeuralNetwork(network, new NeuralNetworkOptions { FeatureColumnNames = new[] { "A", "B" }, Epochs = 30, LearningRate = 0.01f });

            var model = trainer.Fit(data);
            var metrics = ml.Regression.Evaluate(model.Transform(data));

            Assert.Equal(new[] { "B", "A" }, model.Model.FeatureColumnNames);
            Assert.True(metrics.RSquared > 0.95, $"R^2 {metrics.RSquared}");
        }

        [Fact]
        public void AFeatureColumnCountThatDoesNotMatchTheInputsIsRejected()
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(new[] { new TwoColumns { A = new float[2], B = new float[3] } });
            var a = Input.Create(2, name: "A");
            var b = Input.Create(3, name: "B");
            var network = new Model(new[] { a, b }, new[] { new Dense(1).Apply(new Concatenate().Apply(new[] { a, b })) });

            var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
                ml.Regression.Trainers.NeuralNetwork(network, new NeuralNetworkOptions { FeatureColumnNames = new[] { "A" } }).Fit(data));

            Assert.Contains("2 input(s)", error.Message);
        }
    }
}
