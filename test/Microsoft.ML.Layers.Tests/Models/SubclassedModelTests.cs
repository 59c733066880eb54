using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Layers.Losses;
using Microsoft.ML.Layers.Optimizers;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Models
{
    /// <summary>A subclassed model as a Keras user writes one: layers in the constructor, the forward pass in Call.</summary>
    [RegisterLayer("ResidualRegressor")]
    public sealed class ResidualRegressor : Model
    {
        private readonly Dense _hidden;
        private readonly Dense _skip;
        private readonly Dense _head;

        public ResidualRegressor(int units = 16, string? name = null) : base(name)
        {
            Units = units;
            _hidden = new Dense(units, activation: "relu");
            _skip = new Dense(units);
            _head = new Dense(1);
        }

        public int Units { get; }

        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
            => _head.Apply(_hidden.Apply(inputs) + _skip.Apply(inputs));

        public override LayerConfig GetConfig() => base.GetConfig().With("units", Units);
    }

    public sealed class SubclassedModelTests
    {
        [Fact]
        public void TrainsEvaluatesAndPredictsLikeAnyModel()
        {
            manual_seed(9);
            var model = new ResidualRegressor();
            using var x = randn(256, 4);
            using var y = x.matmul(tensor(new float[] { 1, -2, 0.5f, 3 }, 4, 1)) + 0.5;
            model.Compile(new Adam(0.02), "mse", new[] { "mae" });

            var history = model.Fit(x, y, batchSize: 32, epochs: 60, verbose: 0);

            Assert.True(history["loss"][^1] < 0.05, $"final loss {history["loss"][^1]}");
            Assert.Equal(6, model.Weights.Count);
            Assert.True(model.EvaluateAll(x, y)["mae"] < 0.2);
            Assert.Equal(60, history["loss"].Count);
            Assert.True(model.TestOnBatch(x, y) < 0.05);
        }

        [Fact]
        public void SavesAndLoadsThroughItsRegisteredName()
        {
            var model = new ResidualRegressor(8);
            using var x = randn(5, 3);
            var before = model.Apply(x);
            string path = Path.Combine(Path.GetTempPath(), $"mllayers-subclassed-{Guid.NewGuid():N}.zip");
            try
            {
                model.Save(path);
                var loaded = Assert.IsType<ResidualRegressor>(Model.Load(path));

                Assert.Equal(8, loaded.Units);
                Assert.True(before.equal(loaded.Apply(x)).all().item<bool>());
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void TrainsFromDotNetArrays()
        {
            manual_seed(4);
            var model = new Sequential(new InputLayer(shape: new Shape(2)), new Dense(8, activation: "tanh"), new Dense(2));
            model.Compile(new Adam(0.05), new SparseCategoricalCrossentropyLoss(fromLogits: true), new[] { "accuracy" });
            var x = new float[200, 2];
            var y = new long[200];
            var random = new Random(1);
            for (int i = 0; i < 200; i++)
            {
                x[i, 0] = (float)random.NextDouble() * 2 - 1;
                x[i, 1] = (float)random.NextDouble() * 2 - 1;
                y[i] = x[i, 0] + x[i, 1] > 0 ? 1 : 0;
            }

            var history = model.Fit(x, y, batchSize: 20, epochs: 30, verbose: 0);

            Assert.True(history["accuracy"][^1] > 0.95, $"accuracy {history["accuracy"][^1]}");
            Assert.Equal(new long[] { 200, 2 }, model.Predict(x).shape);
        }
    }
}
