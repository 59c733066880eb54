using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Layers.Callbacks;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Optimizers;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Training
{
    // Seeded runs compare their draws from the global generator: no other test may draw from it meanwhile.
    [Collection(Components.GlobalGeneratorCollection.Name)]
    public sealed class FitTests
    {
        private static (Tensor X, Tensor Y) Xor(int repeats)
        {
            var x = tensor(new float[] { 0, 0, 0, 1, 1, 0, 1, 1 }, 4, 2).repeat(repeats, 1);
            var y = tensor(new float[] { 0, 1, 1, 0 }, 4, 1).repeat(repeats, 1);
            return (x, y);
        }

        private static Sequential XorModel() => new(new InputLayer(shape: new Shape(2)), new Dense(16, activation: "tanh"), new Dense(1, activation: "sigmoid"));

        [Fact]
        public void AnMlpLearnsXorToFullAccuracy()
        {
            manual_seed(7);
            var (x, y) = Xor(64);
            var model = XorModel();
            model.Compile(new Adam(0.05), "binary_crossentropy", new[] { "accuracy" });

            var history = model.Fit(x, y, batchSize: 32, epochs: 30, verbose: 0);

            Assert.Equal(30, history.EpochCount);
            Assert.Equal(1.0, history["accuracy"][^1]);
            Assert.True(history["loss"][^1] < history["loss"][0] / 5);
            var predictions = model.Predict(tensor(new float[] { 0, 0, 0, 1, 1, 0, 1, 1 }, 4, 2)).gt(0.5).to(ScalarType.Float32);
            Assert.Equal(new float[] { 0, 1, 1, 0 }, predictions.data<float>().ToArray());
            Assert.Equal(1.0, model.EvaluateAll(x, y)["accuracy"]);
        }

        [Fact]
        public void TheSameSeedGivesTheSameWeightsAndTheSameCurve()
        {
            History Run(out IReadOnlyList<Array> weights)
            {
                manual_seed(42);
                var (x, y) = Xor(16);
                var model = XorModel();
                model.Compile("adam", "binary_crossentropy");
                var history = model.Fit(x, y, batchSize: 8, epochs: 3, verbose: 0);
                weights = model.GetWeights();
                return history;
            }

            var first = Run(out var firstWeights);
            var second = Run(out var secondWeights);

            Assert.Equal(first["loss"], second["loss"]);
            Assert.Equal(firstWeights.SelectMany(a => a.Cast<float>()), secondWeights.SelectMany(a => a.Cast<float>()));
        }

        [Fact]
        public void AFunctionalModelWithTwoInputsTrains()
        {
            manual_seed(3);
            var a = Input.Create(3, name: "a");
            var b = Input.Create(3, name: "b");
            var merged = new Dense(8, activation: "relu").Apply(new MultiInputConcat().Apply(new[] { a, b }));
            var model = new Model(new[] { a, b }, new[] { new Dense(1).Apply(merged) });
            model.Compile(new Adam(0.02), "mse");
            var xa = randn(256, 3);
            var xb = randn(256, 3);
            var y = (xa.sum(dim: 1, keepdim: true) - xb.sum(dim: 1, keepdim: true) * 0.5);

            var history = model.Fit(new[] { xa, xb }, new[] { y }, batchSize: 32, epochs: 40, verbose: 0, validationSplit: 0.25);

            Assert.True(history["loss"][^1] < 0.05, $"final loss {history["loss"][^1]}");
            Assert.True(history["val_loss"][^1] < 0.1, $"final val_loss {history["val_loss"][^1]}");
        }

        [Fact]
        public void StreamedBatchesTrainLikeInMemoryData()
        {
            manual_seed(5);
            var (x, y) = Xor(32);
            var model = XorModel();
            model.Compile(new Adam(0.05), "binary_crossentropy", new[] { "accuracy" });
            IEnumerable<Batch> Batches()
            {
                for (int start = 0; start < 128; start += 16)
                    yield return new Batch(x.narrow(0, start, 16), y.narrow(0, start, 16));
            }

            var history = model.Fit(Batches(), epochs: 40, verbose: 0);

            Assert.Equal(1.0, history["accuracy"][^1]);
        }

        [Fact]
        public void MemoryStaysFlatAcrossEpochs()
        {
            var (x, y) = Xor(64);
            var model = XorModel();
            model.Compile(new Adam(0.01), "binary_crossentropy", new[] { "accuracy", "auc" });
            var liveAtEpochEnd = new List<long>();
            var probe = new LambdaCallback(onEpochEnd: (_, _) => liveAtEpochEnd.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount));

            model.Fit(x, y, batchSize: 16, epochs: 8, validationSplit: 0.25, callbacks: new[] { probe }, verbose: 0);

            Assert.All(liveAtEpochEnd.Skip(1), count => Assert.Equal(liveAtEpochEnd[1], count));
        }

        [Fact]
        public void ANonFiniteLossStopsTrainingNamingTheEpochAndBatch()
        {
            var (x, y) = Xor(8);
            var model = XorModel();
            model.Compile(new SGD(1e30), "mse");
            var badY = y.clone();
            badY[5] = tensor(float.NaN);

            var error = Assert.Throws<InvalidOperationException>(() => model.Fit(x, badY, batchSize: 4, epochs: 2, shuffle: false, verbose: 0));

            Assert.Contains("epoch 1, batch 2", error.Message);
        }

        [Fact]
        public void TerminateOnNaNStopsQuietly()
        {
            var (x, y) = Xor(8);
            var model = XorModel();
            model.Compile(new SGD(0.1), "mse");
            var badY = y.clone();
            badY[5] = tensor(float.NaN);
            var terminate = new TerminateOnNaN();

            var history = model.Fit(x, badY, batchSize: 4, epochs: 3, shuffle: false, callbacks: new[] { terminate }, verbose: 0);

            Assert.Equal(1, terminate.TerminatedAtBatch);
            Assert.Equal(1, history.EpochCount);
        }

        [Fact]
        public void FitBeforeCompileSaysToCompile()
        {
            var (x, y) = Xor(1);
            var error = Assert.Throws<InvalidOperationException>(() => XorModel().Fit(x, y, verbose: 0));
            Assert.Contains("Compile()", error.Message);
        }

        [Fact]
        public void MismatchedRowCountsAreRejected()
        {
            var model = XorModel();
            model.Compile("sgd", "mse");
            var error = Assert.Throws<ArgumentException>(() => model.Fit(ones(10, 2), ones(9, 1), verbose: 0));
            Assert.Contains("cardinality", error.Message);
        }

        [Fact]
        public void ClassWeightsScaleTheLossOfTheirClass()
        {
            var model = new Sequential(new InputLayer(shape: new Shape(1)), new Dense(1, kernelInitializer: Initializer.Zeros()));
            model.Compile(new SGD(0.0001), "mse");
            using var x = ones(2, 1);
            using var y = tensor(new float[] { 0, 1 }, 2, 1);
            // Predictions are 0: per-sample losses 0 and 1. Class 1 weighted 3: (0 + 3) / 2.
            Assert.Equal(1.5, model.TrainOnBatch(x, y, classWeight: new Dictionary<int, double> { [0] = 1, [1] = 3 }), 4);
        }

        [Fact]
        public void PredictBatchesAndMatchesOneCall()
        {
            var model = XorModel();
            using var x = randn(100, 2);

            var batched = model.Predict(x, batchSize: 7);
            var whole = model.PredictOnBatch(x);

            Assert.True(batched.allclose(whole, rtol: 1e-5, atol: 1e-6));
            Assert.False(batched.requires_grad);
        }
    }

    /// <summary>Concatenates a list of inputs on the last axis (for the two-input model).</summary>
    [RegisterLayer("MultiInputConcat")]
    public sealed class MultiInputConcat : Layer
    {
        public MultiInputConcat(string? name = null) : base(name)
        {
        }

        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null) => inputs;

        protected override Tensor Call(IReadOnlyList<Tensor> inputs, bool? training = null, IReadOnlyList<Tensor?>? masks = null) => cat(inputs.ToArray(), -1);
    }
}
