using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Layers.Callbacks;
using Microsoft.ML.Layers.Optimizers;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Training
{
    public sealed class CallbackTests
    {
        /// <summary>Feeds a scripted value as "val_loss" so that callbacks see a known curve.</summary>
        private sealed class ScriptedMonitor : Callback
        {
            private readonly double[] _values;

            public ScriptedMonitor(params double[] values) => _values = values;

            public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
                => ((Dictionary<string, double>)logs)["scripted"] = _values[Math.Min(epoch, _values.Length - 1)];
        }

        private static (Sequential Model, Tensor X, Tensor Y) Setup(double learningRate = 0.01)
        {
            manual_seed(11);
            var model = new Sequential(new InputLayer(shape: new Shape(2)), new Dense(1));
            model.Compile(new SGD(learningRate), "mse");
            var x = randn(32, 2);
            return (model, x, x.sum(dim: 1, keepdim: true));
        }

        [Fact]
        public void EarlyStoppingStopsAfterPatienceAndRestoresTheBestWeights()
        {
            var (model, x, y) = Setup();
            var weightsAtEpoch = new List<float[]>();
            var recorder = new LambdaCallback(onEpochEnd: (_, _) => weightsAtEpoch.Add(model.GetWeights()[0].Cast<float>().ToArray()));
            var scripted = new ScriptedMonitor(5, 3, 4, 4, 4, 4, 4);
            var early = new EarlyStopping(monitor: "scripted", patience: 2, restoreBestWeights: true);

            var history = model.Fit(x, y, epochs: 10, callbacks: new Callback[] { scripted, recorder, early }, verbose: 0);

            // Best at epoch 1 (value 3); epochs 2 and 3 do not improve: stop at epoch 3.
            Assert.Equal(4, history.EpochCount);
            Assert.Equal(3, early.StoppedEpoch);
            Assert.Equal(1, early.BestEpoch);
            Assert.Equal(weightsAtEpoch[1], model.GetWeights()[0].Cast<float>().ToArray());
        }

        [Fact]
        public void ReduceLROnPlateauDividesTheRateAfterPatience()
        {
            var (model, x, y) = Setup(learningRate: 0.1);
            var rates = new List<double>();
            var scripted = new ScriptedMonitor(1, 1, 1, 1, 1);
            var reduce = new ReduceLROnPlateau(monitor: "scripted", factor: 0.5, patience: 2);
            var recorder = new LambdaCallback(onEpochEnd: (_, _) => rates.Add(model.Optimizer!.CurrentLearningRate));

            model.Fit(x, y, epochs: 5, callbacks: new Callback[] { scripted, reduce, recorder }, verbose: 0);

            // Epoch 0 sets the best; epochs 1, 2 do not improve: halve at epoch 2; again after 2 more at epoch 4.
            Assert.Equal(new[] { 0.1, 0.1, 0.05, 0.05, 0.025 }, rates.Select(r => Math.Round(r, 9)));
        }

        [Fact]
        public void LearningRateSchedulerSetsTheRateEachEpoch()
        {
            var (model, x, y) = Setup();
            var rates = new List<double>();
            var scheduler = new LearningRateScheduler((epoch, _) => 0.1 / (epoch + 1));
            var recorder = new LambdaCallback(onEpochBegin: (_, _) => { }, onEpochEnd: (_, _) => rates.Add(model.Optimizer!.CurrentLearningRate));

            model.Fit(x, y, epochs: 3, callbacks: new Callback[] { scheduler, recorder }, verbose: 0);

            Assert.Equal(new[] { 0.1, 0.05, 0.1 / 3 }, rates.Select(r => Math.Round(r, 12)).ToArray(), new RoundedComparer());
        }

        [Fact]
        public void ModelCheckpointWritesFormattedPathsAndOnlyImprovementsWhenAsked()
        {
            var (model, x, y) = Setup();
            string directory = Path.Combine(Path.GetTempPath(), "mllayers-checkpoints-" + Guid.NewGuid().ToString("N"));
            try
            {
                var scripted = new ScriptedMonitor(3, 2, 2.5, 1);
                var everyEpoch = new ModelCheckpoint(Path.Combine(directory, "all-{epoch:02d}.zip"));
                var best = new ModelCheckpoint(Path.Combine(directory, "best-{epoch}-{scripted:.1f}.safetensors"), monitor: "scripted", saveBestOnly: true, saveWeightsOnly: true);

                model.Fit(x, y, epochs: 4, callbacks: new Callback[] { scripted, everyEpoch, best }, verbose: 0, validationSplit: 0.25);

                Assert.Equal(new[] { "all-01.zip", "all-02.zip", "all-03.zip", "all-04.zip" }, everyEpoch.SavedPaths.Select(Path.GetFileName));
                Assert.Equal(new[] { "best-1-3.0.safetensors", "best-2-2.0.safetensors", "best-4-1.0.safetensors" }, best.SavedPaths.Select(Path.GetFileName));
                Assert.All(everyEpoch.SavedPaths.Concat(best.SavedPaths), p => Assert.True(File.Exists(p)));
            }
            finally
            {
                if (Directory.Exists(directory))
                    Directory.Delete(directory, recursive: true);
            }
        }

        [Fact]
        public void CsvLoggerWritesAHeaderAndOneLinePerEpoch()
        {
            var (model, x, y) = Setup();
            string file = Path.Combine(Path.GetTempPath(), $"mllayers-log-{Guid.NewGuid():N}.csv");
            try
            {
                model.Fit(x, y, epochs: 3, validationSplit: 0.25, callbacks: new[] { new CSVLogger(file) }, verbose: 0);

                var lines = File.ReadAllLines(file);
                Assert.Equal(4, lines.Length);
                Assert.Equal("epoch,loss,val_loss", lines[0]);
                Assert.StartsWith("2,", lines[3]);
            }
            finally
            {
                File.Delete(file);
            }
        }

        [Fact]
        public void LambdaCallbackSeesEveryBatchAndEpoch()
        {
            var (model, x, y) = Setup();
            int batches = 0, epochs = 0, begins = 0, ends = 0;
            var callback = new LambdaCallback(
                onEpochEnd: (_, _) => epochs++, onTrainBatchEnd: (_, logs) => { batches++; Assert.True(logs.ContainsKey("loss")); },
                onTrainBegin: _ => begins++, onTrainEnd: _ => ends++);

            model.Fit(x, y, batchSize: 8, epochs: 2, callbacks: new[] { callback }, verbose: 0);

            Assert.Equal((8, 2, 1, 1), (batches, epochs, begins, ends));
        }

        [Fact]
        public void VerboseTwoWritesOneLinePerEpoch()
        {
            var (model, x, y) = Setup();
            var output = new StringWriter();
            var previous = Console.Out;
            Console.SetOut(output);
            try
            {
                model.Fit(x, y, epochs: 2, verbose: 2);
            }
            finally
            {
                Console.SetOut(previous);
            }
            var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2, lines.Length);
            Assert.StartsWith("Epoch 1/2 - 1/1 ", lines[0]);
            Assert.Contains(" - loss: ", lines[1]);
        }

        private sealed class RoundedComparer : IEqualityComparer<double>
        {
            public bool Equals(double a, double b) => Math.Abs(a - b) < 1e-9;

            public int GetHashCode(double value) => 0;
        }
    }
}
