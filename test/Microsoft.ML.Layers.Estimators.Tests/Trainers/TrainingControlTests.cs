using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Callbacks;
using Microsoft.ML.Layers.Losses;
using Microsoft.ML.Layers.Optimizers;
using Microsoft.ML.Runtime;
using Xunit;

namespace Microsoft.ML.Layers.Estimators.Tests.Trainers
{
    [Collection(SerialTrainingCollection.Name)]
    public sealed class TrainingControlTests
    {
        private static IDataView Data(MLContext ml, int rows) => ml.Data.LoadFromEnumerable(Enumerable.Range(0, rows).Select(i => new NeuralNetworkTrainerTests.Row
        {
            Features = new[] { i % 7 / 7f, i % 3 / 3f, i % 5 / 5f, (i % 11) / 11f },
            Target = 2 * (i % 7 / 7f) - (i % 3 / 3f),
        }));

        [Fact]
        public void EpochsAreLoggedToTheMLContext()
        {
            var ml = new MLContext(seed: 1);
            var messages = new List<string>();
            ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };

            ml.Regression.Trainers.NeuralNetwork(new Dense(1), new NeuralNetworkOptions { LabelColumnName = "Target", Epochs = 3 }).Fit(Data(ml, 64));

            Assert.Contains(messages, m => m.Contains("Epoch 3/3: loss"));
        }

        /// <summary>A view that hides its length (like TrainTestSplit's or a filter's) and counts the cursors opened on it.</summary>
        private sealed class UncountedView : IDataView
        {
            private readonly IDataView _inner;

            public UncountedView(IDataView inner) => _inner = inner;

            public int CursorsWithColumns { get; private set; }

            public bool CanShuffle => _inner.CanShuffle;

            public DataViewSchema Schema => _inner.Schema;

            public long? GetRowCount() => null;

            public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
            {
                if (columnsNeeded.Any())
                    CursorsWithColumns++;
                return _inner.GetRowCursor(columnsNeeded, rand);
            }

            public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
                => new[] { GetRowCursor(columnsNeeded, rand) };
        }

        [Theory]
        [InlineData(1)]
        [InlineData(6)]
        public void DataOfUnknownLengthIsReadOnceNotOncePerEpoch(int epochs)
        {
            var ml = new MLContext(seed: 1);
            var view = new UncountedView(Data(ml, 96));

            ml.Regression.Trainers.NeuralNetwork(new Dense(1), new NeuralNetworkOptions { LabelColumnName = "Target", Epochs = epochs }).Fit(view);

            // One pass reads the rows (the count comes from a pass that computes no column).
            Assert.Equal(1, view.CursorsWithColumns);
        }

        [Fact]
        public void UserCallbacksSeeEveryEpochsLogsAndTheLastValidationLossIsTheTrainedModels()
        {
            var ml = new MLContext(seed: 1);
            var epochs = new List<(int Epoch, IReadOnlyDictionary<string, double> Logs)>();
            var options = new NeuralNetworkOptions
            {
                LabelColumnName = "Target",
                Epochs = 4,
                Callbacks = new Callback[] { new LambdaCallback(onEpochEnd: (epoch, logs) => epochs.Add((epoch, logs.ToDictionary(p => p.Key, p => p.Value)))) },
            };
            var validation = Data(ml, 40);

            var trained = ml.Regression.Trainers.NeuralNetwork(new Dense(1), options).Fit(Data(ml, 64), validation);

            Assert.Equal(new[] { 0, 1, 2, 3 }, epochs.Select(e => e.Epoch));
            Assert.All(epochs, e => Assert.Contains("loss", e.Logs.Keys));
            // The validation loss after the last epoch is the mean squared error of the trained network on the validation rows.
            var dense = (Dense)trained.Model.Network.Layers.Single(l => l is Dense);
            var rows = ml.Data.CreateEnumerable<NeuralNetworkTrainerTests.Row>(validation, reuseRowObject: false).ToArray();
            double mse = rows.Average(r =>
            {
                var kernel = dense.GetWeights()[0].Cast<float>().ToArray();
                double prediction = r.Features.Select((f, i) => (double)f * kernel[i]).Sum() + dense.GetWeights()[1].Cast<float>().Single();
                return (prediction - r.Target) * (prediction - r.Target);
            });
            Assert.Equal(mse, epochs[^1].Logs["val_loss"], 4);
        }

        [Fact]
        public void TheProgressChannelReportsEpochsDoneAndTheLastLoss()
        {
            var ml = new MLContext(seed: 1);
            // The environment's progress tracker is what ML.NET's console host polls; it is a protected field of
            // HostEnvironmentBase, so the test reads it by reflection and polls it the same way.
            var environment = ((IInternalCatalog)ml.Regression).Environment;
            var trackerField = environment.GetType().BaseType!.GetField("ProgressTracker", BindingFlags.NonPublic | BindingFlags.Instance)!;
            var tracker = (ProgressReporting.ProgressTracker)trackerField.GetValue(environment)!;
            var polled = new List<(double? Done, double? Total, double? Loss, string Logged)>();
            ml.Log += (_, e) =>
            {
                if (!e.Message.Contains("Epoch 2/3"))
                    return;
                tracker.GetAllProgress(); // the first poll returns the pending start event instead of pulling progress
                var entry = Assert.Single(tracker.GetAllProgress(), p => p.Kind == ProgressReporting.ProgressEvent.EventKind.Progress).ProgressEntry;
                polled.Add((entry.Progress[0], entry.ProgressLim[0], entry.Metrics[0], e.Message));
            };

            ml.Regression.Trainers.NeuralNetwork(new Dense(1), new NeuralNetworkOptions { LabelColumnName = "Target", Epochs = 3 }).Fit(Data(ml, 64));

            var (done, total, loss, logged) = Assert.Single(polled);
            Assert.Equal(2, done);
            Assert.Equal(3, total);
            Assert.NotNull(loss);
            Assert.Contains($"loss {loss!.Value:0.#####}", logged);
        }

        [Fact]
        public void CancelExecutionStopsTrainingPromptly()
        {
            var ml = new MLContext(seed: 1);
            int epochsLogged = 0;
            ml.Log += (_, e) =>
            {
                if (e.Message.Contains("Epoch 1/"))
                {
                    epochsLogged++;
                    ml.CancelExecution();
                }
            };
            var trainer = ml.Regression.Trainers.NeuralNetwork(new Dense(1), new NeuralNetworkOptions { LabelColumnName = "Target", Epochs = 1000 });

            Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(Data(ml, 256)));
            Assert.Equal(1, epochsLogged);
        }

        [Fact]
        public void DataLargerThanTheMemoryLimitStreamsThroughCursorsAndStillLearns()
        {
            var ml = new MLContext(seed: 1);
            var data = Data(ml, 1000);
            var trainer = ml.Regression.Trainers.NeuralNetwork(new Sequential(new Dense(16, activation: "relu"), new Dense(1)),
                new NeuralNetworkOptions { LabelColumnName = "Target", Epochs = 20, LearningRate = 0.01f, InMemoryLimitBytes = 1024 });

            var metrics = ml.Regression.Evaluate(trainer.Fit(data).Transform(data), labelColumnName: "Target");

            Assert.True(metrics.RSquared > 0.95, $"R^2 {metrics.RSquared}");
        }

        [Fact]
        public void AGpuDeviceThatDoesNotExistFailsUnlessFallingBackToCpu()
        {
            var ml = new MLContext(seed: 1) { GpuDeviceId = 0, FallbackToCpu = false };
            var trainer = ml.Regression.Trainers.NeuralNetwork(new Dense(1), new NeuralNetworkOptions { LabelColumnName = "Target", Epochs = 1 });

            var error = Assert.Throws<InvalidOperationException>(() => trainer.Fit(Data(ml, 16)));
            Assert.Contains("FallbackToCpu", error.Message);

            ml.FallbackToCpu = true;
            Assert.NotNull(trainer.Fit(Data(ml, 16)));
        }

        [Fact]
        public void EmptyTrainingDataIsRejected()
        {
            var ml = new MLContext(seed: 1);
            var error = Assert.Throws<InvalidOperationException>(() =>
                ml.Regression.Trainers.NeuralNetwork(new Dense(1), labelColumnName: "Target").Fit(Data(ml, 0)));
            Assert.Contains("empty", error.Message);
        }

        public sealed class Narrow
        {
            [VectorType(3)]
            public float[] Features { get; set; } = Array.Empty<float>();

            public float Target { get; set; }
        }

        [Fact]
        public void AFeatureVectorOfAnotherSizeThanTheNetworkTakesIsRejectedEagerly()
        {
            var ml = new MLContext(seed: 1);
            var data = Data(ml, 32);
            var model = ml.Regression.Trainers.NeuralNetwork(new Dense(1), new NeuralNetworkOptions { LabelColumnName = "Target", Epochs = 1 }).Fit(data);
            var narrow = ml.Data.LoadFromEnumerable(new[] { new Narrow { Features = new float[3] } });

            var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(narrow));
            Assert.Contains("'Features'", error.Message);
            Assert.Contains("Vector<Single, 4>", error.Message);

            var fixedInput = new Sequential(new InputLayer(shape: new Shape(4)), new Dense(1));
            var fitError = Assert.Throws<ArgumentOutOfRangeException>(() =>
                ml.Regression.Trainers.NeuralNetwork(fixedInput, new NeuralNetworkOptions { LabelColumnName = "Target" }).Fit(
                    ml.Data.LoadFromEnumerable(new[] { new Narrow { Features = new float[3], Target = 1 } })));
            Assert.Contains("'Features'", fitError.Message);
        }

        [Fact]
        public void ANaNLabelIsRejectedNamingTheLabelColumnAndTheFix()
        {
            var ml = new MLContext(seed: 1);
            var rows = Enumerable.Range(0, 20).Select(i => new NeuralNetworkTrainerTests.Row { Features = new float[4], Target = i == 7 ? float.NaN : i }).ToArray();

            var error = Assert.Throws<InvalidOperationException>(() =>
                ml.Regression.Trainers.NeuralNetwork(new Dense(1), labelColumnName: "Target").Fit(ml.Data.LoadFromEnumerable(rows)));

            Assert.Contains("'Target'", error.Message);
            Assert.Contains("row 7", error.Message);
            Assert.Contains("ReplaceMissingValues", error.Message);
        }
    }
}
