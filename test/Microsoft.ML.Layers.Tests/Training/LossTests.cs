using System;
using Microsoft.ML.Layers.Losses;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Training
{
    public sealed class LossTests
    {
        private static float Value(Loss loss, Tensor yTrue, Tensor yPred, Tensor? weight = null) => loss.Compute(yTrue, yPred, weight).item<float>();

        [Fact]
        public void MeanSquaredErrorAveragesOverFeaturesThenSamples()
        {
            using var yTrue = tensor(new float[] { 0, 1, 1, 1 }, 2, 2);
            using var yPred = tensor(new float[] { 1, 1, 3, 1 }, 2, 2);
            // Per sample: (1+0)/2 = 0.5 and (4+0)/2 = 2; mean 1.25.
            Assert.Equal(1.25f, Value(Loss.Get("mse"), yTrue, yPred), 6);
        }

        [Fact]
        public void SampleWeightsMultiplyPerSampleLossesAndTheSumIsDividedByTheBatchSize()
        {
            using var yTrue = tensor(new float[] { 0, 0 }, 2, 1);
            using var yPred = tensor(new float[] { 1, 2 }, 2, 1);
            using var weight = tensor(new float[] { 2, 0 });
            // Keras's sum_over_batch_size: (1*2 + 4*0) / 2.
            Assert.Equal(1f, Value(Loss.Get("mean_squared_error"), yTrue, yPred, weight), 6);
        }

        [Fact]
        public void MeanAbsoluteErrorAndHuber()
        {
            using var yTrue = tensor(new float[] { 0, 0 }, 1, 2);
            using var yPred = tensor(new float[] { 0.5f, 3 }, 1, 2);
            Assert.Equal(1.75f, Value(Loss.Get("mae"), yTrue, yPred), 6);
            // Huber (delta 1): 0.5*0.25 = 0.125 and 1*(3 - 0.5) = 2.5; mean 1.3125.
            Assert.Equal(1.3125f, Value(new HuberLoss(), yTrue, yPred), 6);
        }

        [Fact]
        public void BinaryCrossentropyFromProbabilitiesAndFromLogitsAgree()
        {
            using var yTrue = tensor(new float[] { 1, 0 }, 2, 1);
            using var logits = tensor(new float[] { 0.5f, -1 }, 2, 1);
            double expected = -(Math.Log(1 / (1 + Math.Exp(-0.5))) + Math.Log(1 - 1 / (1 + Math.Exp(1)))) / 2;

            Assert.Equal(expected, Value(new BinaryCrossentropyLoss(fromLogits: true), yTrue, logits), 5);
            Assert.Equal(expected, Value(Loss.Get("binary_crossentropy"), yTrue, logits.sigmoid()), 5);
        }

        [Fact]
        public void BinaryCrossentropyClipsProbabilitiesLikeKeras()
        {
            using var yTrue = tensor(new float[] { 1 }, 1, 1);
            using var yPred = tensor(new float[] { 0 }, 1, 1);
            // log(1e-7) in float32, not infinity.
            Assert.Equal(-Math.Log(1e-7), Value(Loss.Get("binary_crossentropy"), yTrue, yPred), 2);
        }

        [Fact]
        public void SparseAndOneHotCategoricalCrossentropyAgree()
        {
            using var logits = tensor(new float[] { 2, 1, 0, 0, 0, 3 }, 2, 3);
            using var classes = tensor(new long[] { 0, 2 });
            using var oneHot = tensor(new float[] { 1, 0, 0, 0, 0, 1 }, 2, 3);
            var logSoftmax = logits.log_softmax(-1);
            double expected = -(logSoftmax[0, 0].item<float>() + logSoftmax[1, 2].item<float>()) / 2;

            Assert.Equal(expected, Value(new SparseCategoricalCrossentropyLoss(fromLogits: true), classes, logits), 5);
            Assert.Equal(expected, Value(new CategoricalCrossentropyLoss(fromLogits: true), oneHot, logits), 5);
            Assert.Equal(expected, Value(Loss.Get("sparse_categorical_crossentropy"), classes, logits.softmax(-1)), 5);
        }

        [Fact]
        public void SparseCategoricalCrossentropyRejectsAClassOutOfRange()
        {
            var error = Assert.Throws<ArgumentException>(() => Value(Loss.Get("sparse_categorical_crossentropy"), tensor(new long[] { 3 }), ones(1, 3) / 3));
            Assert.Contains("[0, 3)", error.Message);
        }

        [Fact]
        public void KLDivergencePoissonAndCosineSimilarity()
        {
            using var p = tensor(new float[] { 0.5f, 0.5f }, 1, 2);
            using var q = tensor(new float[] { 0.25f, 0.75f }, 1, 2);
            Assert.Equal(0.5 * Math.Log(2) + 0.5 * Math.Log(0.5 / 0.75), Value(Loss.Get("kl_divergence"), p, q), 5);
            Assert.Equal(((0.25 - 0.5 * Math.Log(0.25 + 1e-7)) + (0.75 - 0.5 * Math.Log(0.75 + 1e-7))) / 2, Value(Loss.Get("poisson"), p, q), 5);
            Assert.Equal(-1.0, Value(Loss.Get("cosine_similarity"), p, p * 3), 5);
        }

        [Fact]
        public void MismatchedShapesFailNamingBoth()
        {
            var error = Assert.Throws<ArgumentException>(() => Value(Loss.Get("mse"), ones(4, 3), ones(4, 2)));
            Assert.Contains("(4, 3)", error.Message);
            Assert.Contains("(4, 2)", error.Message);
        }

        [Fact]
        public void AnUnknownLossNameListsTheKnownOnes()
        {
            var error = Assert.Throws<ArgumentException>(() => Loss.Get("mean_squared_eror"));
            Assert.Contains("mean_squared_error", error.Message);
        }
    }
}
