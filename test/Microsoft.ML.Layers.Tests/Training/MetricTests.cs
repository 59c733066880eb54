using System;
using Microsoft.ML.Layers.Metrics;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Training
{
    public sealed class MetricTests
    {
        [Fact]
        public void AccuraciesCountHandWorkedHits()
        {
            var binary = Metric.Get("binary_accuracy");
            binary.UpdateState(tensor(new float[] { 1, 0, 1, 0 }, 4, 1), tensor(new float[] { 0.9f, 0.4f, 0.2f, 0.6f }, 4, 1));
            Assert.Equal(0.5, binary.Result(), 9);

            var sparse = Metric.Get("sparse_categorical_accuracy");
            sparse.UpdateState(tensor(new long[] { 2, 0 }), tensor(new float[] { 0.1f, 0.2f, 0.7f, 0.3f, 0.6f, 0.1f }, 2, 3));
            Assert.Equal(0.5, sparse.Result(), 9);

            var categorical = Metric.Get("categorical_accuracy");
            categorical.UpdateState(tensor(new float[] { 0, 0, 1, 0, 1, 0 }, 2, 3), tensor(new float[] { 0.1f, 0.2f, 0.7f, 0.3f, 0.6f, 0.1f }, 2, 3));
            Assert.Equal(1.0, categorical.Result(), 9);

            var topTwo = new MeanMetric("top2", (t, p) => MetricFunctions.SparseTopKCategoricalAccuracy(t, p, 2));
            topTwo.UpdateState(tensor(new long[] { 0, 2 }), tensor(new float[] { 0.1f, 0.2f, 0.7f, 0.3f, 0.6f, 0.1f }, 2, 3));
            Assert.Equal(0.0, topTwo.Result(), 9);
        }

        [Fact]
        public void MetricsAccumulateOverBatchesUntilReset()
        {
            var mae = Metric.Get("mae");
            mae.UpdateState(tensor(new float[] { 0 }, 1, 1), tensor(new float[] { 1 }, 1, 1));
            mae.UpdateState(tensor(new float[] { 0, 0 }, 2, 1), tensor(new float[] { 2, 3 }, 2, 1));
            Assert.Equal(2.0, mae.Result(), 9);
            mae.ResetState();
            Assert.Equal(0.0, mae.Result(), 9);

            var rmse = Metric.Get("root_mean_squared_error");
            rmse.UpdateState(tensor(new float[] { 0, 0 }, 2, 1), tensor(new float[] { 3, 4 }, 2, 1));
            Assert.Equal(Math.Sqrt(12.5), rmse.Result(), 9);
        }

        [Fact]
        public void PrecisionAndRecallAtHalf()
        {
            using var yTrue = tensor(new float[] { 1, 1, 0, 0, 1 }, 5, 1);
            using var yPred = tensor(new float[] { 0.9f, 0.3f, 0.8f, 0.1f, 0.7f }, 5, 1);
            var precision = Metric.Get("precision");
            var recall = Metric.Get("recall");
            precision.UpdateState(yTrue, yPred);
            recall.UpdateState(yTrue, yPred);
            Assert.Equal(2.0 / 3, precision.Result(), 9); // TP 2, FP 1
            Assert.Equal(2.0 / 3, recall.Result(), 9);    // TP 2, FN 1
        }

        [Fact]
        public void AucOfAPerfectRankingIsOneAndOfAReversedOneIsZero()
        {
            using var yTrue = tensor(new float[] { 0, 0, 1, 1 }, 4, 1);
            var perfect = new AucMetric();
            perfect.UpdateState(yTrue, tensor(new float[] { 0.1f, 0.35f, 0.4f, 0.8f }, 4, 1));
            var reversed = new AucMetric();
            reversed.UpdateState(yTrue, tensor(new float[] { 0.8f, 0.4f, 0.35f, 0.1f }, 4, 1));
            var mixed = new AucMetric();
            // One of the four positive-negative pairs is misordered: AUC 0.75.
            mixed.UpdateState(yTrue, tensor(new float[] { 0.1f, 0.5f, 0.4f, 0.8f }, 4, 1));

            Assert.Equal(1.0, perfect.Result(), 3);
            Assert.Equal(0.0, reversed.Result(), 3);
            Assert.Equal(0.75, mixed.Result(), 2);
        }
    }
}
