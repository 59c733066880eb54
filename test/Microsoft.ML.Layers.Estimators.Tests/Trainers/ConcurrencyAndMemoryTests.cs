using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Optimizers;
using TorchSharp;
using Xunit;

namespace Microsoft.ML.Layers.Estimators.Tests.Trainers
{
    public sealed class ConcurrencyAndMemoryTests
    {
        private static (MLContext Ml, ITransformer Model, NeuralNetworkTrainerTests.Row[] Rows) Trained()
        {
            var ml = new MLContext(seed: 1);
            var rows = Enumerable.Range(0, 400).Select(i => new NeuralNetworkTrainerTests.Row
            {
                Features = new[] { i % 7 / 7f, i % 3 / 3f, i % 5 / 5f, (i % 11) / 11f },
                Target = i % 7,
            }).ToArray();
            var model = ml.Regression.Trainers.NeuralNetwork(new Sequential(new Dense(16, activation: "relu"), new Dense(1)),
                new NeuralNetworkOptions { LabelColumnName = "Target", Epochs = 2 }).Fit(ml.Data.LoadFromEnumerable(rows));
            return (ml, model, rows);
        }

        [Fact]
        public void EightThreadsWithTheirOwnPredictionEnginesAgreeWithOneThread()
        {
            var (ml, model, rows) = Trained();
            var engine = ml.Model.CreatePredictionEngine<NeuralNetworkTrainerTests.Row, NeuralNetworkTrainerTests.Prediction>(model);
            var expected = rows.Select(r => engine.Predict(r).Score).ToArray();

            var results = new float[8][];
            Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
            {
                var own = ml.Model.CreatePredictionEngine<NeuralNetworkTrainerTests.Row, NeuralNetworkTrainerTests.Prediction>(model);
                results[t] = rows.Select(r => own.Predict(r).Score).ToArray();
            });

            Assert.All(results, r => Assert.Equal(expected, r));
        }

        [Fact]
        public void EightThreadsTransformingTheSameDataAgreeWithOneThread()
        {
            var (ml, model, rows) = Trained();
            var data = ml.Data.LoadFromEnumerable(rows);
            var expected = model.Transform(data).GetColumn<float>("Score").ToArray();

            var results = new float[8][];
            Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t => results[t] = model.Transform(data).GetColumn<float>("Score").ToArray());

            Assert.All(results, r => Assert.Equal(expected, r));
        }

        [Fact]
        public void ManySingleRowPredictionsLeaveNoLiveTensors()
        {
            var (ml, model, rows) = Trained();
            var engine = ml.Model.CreatePredictionEngine<NeuralNetworkTrainerTests.Row, NeuralNetworkTrainerTests.Prediction>(model);
            engine.Predict(rows[0]);
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

            for (int i = 0; i < 100_000; i++)
                engine.Predict(rows[i % rows.Length]);

            Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }

        [Fact]
        public void TrainingManyEpochsLeavesNoLiveTensorsBehind()
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 256).Select(i => new NeuralNetworkTrainerTests.Row
            {
                Features = new[] { i % 7 / 7f, i % 3 / 3f, i % 5 / 5f, 0.5f },
                Target = i % 7,
            }));
            long Growth(int epochs)
            {
                long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
                new MLContext(seed: 1).Regression.Trainers.NeuralNetwork(new Sequential(new Dense(8), new Dense(1)),
                    new NeuralNetworkOptions { LabelColumnName = "Target", Epochs = epochs }).Fit(data);
                return DisposeScopeManager.Statistics.ThreadTotalLiveCount - before;
            }

            Growth(1);
            long afterTwo = Growth(2);
            long afterTwenty = Growth(20);

            // What a trained model keeps (its weights and the optimizer's slots) does not depend on the number of epochs.
            Assert.Equal(afterTwo, afterTwenty);
            Assert.True(afterTwo <= 12, $"a 4-weight model with Adam kept {afterTwo} live tensors");
        }
    }
}
