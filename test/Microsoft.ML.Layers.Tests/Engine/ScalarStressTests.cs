using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Microsoft.ML.Layers.Optimizers;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Engine
{
    /// <summary>
    /// The TorchSharp 0.107 Scalar race (a temporary Scalar freed by a collection during a native call) under pressure:
    /// 8 threads train and score small models while another thread forces collections without pause. The test settings
    /// have no gen0 workaround any more, so this runs with the default collector budget.
    /// </summary>
    public sealed class ScalarStressTests
    {
        private const int Threads = 8;
        private const int Steps = 120;

        [Fact]
        public void TrainingAndScoringOnEightThreadsSurviveForcedCollections()
        {
            var errors = new ConcurrentBag<Exception>();
            var losses = new double[Threads];
            var predictions = new float[Threads][];
            using var done = new CancellationTokenSource();
            long collections = 0;
            var collector = new Thread(() =>
            {
                while (!done.IsCancellationRequested)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    Interlocked.Increment(ref collections);
                }
            }) { IsBackground = true };
            collector.Start();

            var clock = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
            {
                try
                {
                    (losses[t], predictions[t]) = TrainAndScore(t);
                }
                catch (Exception e)
                {
                    errors.Add(e);
                }
            }) { IsBackground = true }).ToArray();
            foreach (var worker in workers)
                worker.Start();
            var deadline = clock.Elapsed + TimeSpan.FromSeconds(60);
            bool finished = workers.All(w => w.Join(Max(deadline - clock.Elapsed, TimeSpan.Zero)));
            done.Cancel();
            collector.Join(TimeSpan.FromSeconds(10));
            clock.Stop();

            Assert.True(finished, $"{Threads} threads x {Steps} steps did not finish within 60 s.");
            Assert.True(errors.IsEmpty, string.Join(Environment.NewLine + Environment.NewLine, errors));
            Assert.True(Interlocked.Read(ref collections) > 10, $"Only {collections} forced collections ran during {clock.Elapsed}.");
            for (int t = 0; t < Threads; t++)
            {
                Assert.True(double.IsFinite(losses[t]), $"thread {t}: final loss {losses[t]}");
                Assert.All(predictions[t], p => Assert.True(float.IsFinite(p) && p >= 0 && p <= 1, $"thread {t}: prediction {p}"));
            }
        }

        private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

        private static (double Loss, float[] Predictions) TrainAndScore(int thread)
        {
            var random = new Random(thread);
            var features = Enumerable.Range(0, 32 * 8).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            var labels = Enumerable.Range(0, 32).Select(i => features[i * 8] + features[i * 8 + 1] > 0 ? 1f : 0f).ToArray();
            using var x = tensor(features, new long[] { 32, 8 });
            using var y = tensor(labels, new long[] { 32, 1 });
            var model = new Sequential(new InputLayer(shape: new Shape(8)), new Dense(16, activation: "relu"), new Dropout(0.2),
                new Dense(8, activation: "tanh"), new Dense(1, activation: "sigmoid"));
            model.Compile(new Adam(0.01), "binary_crossentropy");
            double loss = double.NaN;
            float[] scores = Array.Empty<float>();
            for (int step = 0; step < Steps; step++)
            {
                using var scope = NewDisposeScope();
                loss = model.TrainOnBatch(x, y);
                if (step % 10 == 9)
                    scores = model.Predict(x).data<float>().ToArray();
            }
            model.Dispose();
            return (loss, scores);
        }
    }
}
