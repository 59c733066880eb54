using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Normalization
{
    public sealed class BatchNormalizationTests
    {
        // Three samples of two features: batch mean (3, 30), biased batch variance (8/3, 1400/3).
        private static Tensor Batch() => tensor(new float[,] { { 1, 10 }, { 3, 20 }, { 5, 60 } });

        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new BatchNormalization(dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 5) },
            ExpectedTrainableWeights = 2,
            ExpectedNonTrainableWeights = 2,
            ExpectedOutputShape = new Shape(4, 3, 5),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
            // The moving statistics move in every training call.
            NonTrainableWeightsUpdateInTraining = true,
        });

        [Fact]
        public void WeightsAreGammaBetaMovingMeanMovingVarianceInKerasOrder()
        {
            var bn = new BatchNormalization(name: "bn");
            bn.Apply(ones(2, 4));

            Assert.Equal(new[] { "bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance" }, bn.Weights.Select(w => w.Path));
            Assert.Equal(new[] { "bn/gamma", "bn/beta" }, bn.TrainableWeights.Select(w => w.Path));
            Assert.All(bn.Weights, w => Assert.Equal(new long[] { 4 }, w.shape));
        }

        [Fact]
        public void TrainingNormalizesWithTheBatchMeanAndBiasedVariance()
        {
            var bn = new BatchNormalization();
            var y = bn.Apply(Batch(), training: true);

            double e = 1e-3;
            var expected = tensor(new double[,]
            {
                { (1 - 3) / Math.Sqrt(8.0 / 3 + e), (10 - 30) / Math.Sqrt(1400.0 / 3 + e) },
                { (3 - 3) / Math.Sqrt(8.0 / 3 + e), (20 - 30) / Math.Sqrt(1400.0 / 3 + e) },
                { (5 - 3) / Math.Sqrt(8.0 / 3 + e), (60 - 30) / Math.Sqrt(1400.0 / 3 + e) },
            });
            TensorAssert.Close(expected, y, 1e-5, 1e-5, "training output");
        }

        [Fact]
        public void TrainingMovesTheMovingStatisticsByOneMinusMomentumTowardTheBatchStatistics()
        {
            var bn = new BatchNormalization(momentum: 0.9);
            bn.Apply(Batch(), training: true);

            // moving_mean = 0 * 0.9 + mean * 0.1; moving_variance = 1 * 0.9 + biased variance * 0.1.
            TensorAssert.Close(tensor(new double[] { 0.3, 3.0 }), bn.MovingMean!, 1e-6, 1e-6, "moving mean");
            TensorAssert.Close(tensor(new double[] { 0.9 + 0.8 / 3, 0.9 + 140.0 / 3 }), bn.MovingVariance!, 1e-6, 1e-6, "moving variance");

            bn.Apply(Batch(), training: true);
            TensorAssert.Close(tensor(new double[] { 0.3 * 0.9 + 0.3, 3.0 * 0.9 + 3.0 }), bn.MovingMean!, 1e-6, 1e-6, "moving mean after two steps");
        }

        [Fact]
        public void InferenceUsesTheMovingStatisticsGammaAndBetaAndChangesNothing()
        {
            var bn = new BatchNormalization();
            bn.Apply(Batch());
            bn.SetWeights(new Array[] { new float[] { 2, 3 }, new float[] { 1, -1 }, new float[] { 1, 10 }, new float[] { 4, 25 } });

            var y = bn.Apply(Batch());

            double e = 1e-3;
            var expected = tensor(new double[,]
            {
                { 2 * (1 - 1) / Math.Sqrt(4 + e) + 1, 3 * (10 - 10) / Math.Sqrt(25 + e) - 1 },
                { 2 * (3 - 1) / Math.Sqrt(4 + e) + 1, 3 * (20 - 10) / Math.Sqrt(25 + e) - 1 },
                { 2 * (5 - 1) / Math.Sqrt(4 + e) + 1, 3 * (60 - 10) / Math.Sqrt(25 + e) - 1 },
            });
            TensorAssert.Close(expected, y, 1e-5, 1e-5, "inference output");
            Assert.Equal(new float[] { 1, 10 }, bn.MovingMean!.data<float>().ToArray());
        }

        [Fact]
        public void AFrozenLayerRunsInInferenceModeEvenWhenTraining()
        {
            var bn = new BatchNormalization();
            bn.Apply(Batch());
            bn.Trainable = false;

            var y = bn.Apply(Batch(), training: true);

            Assert.Equal(new float[] { 0, 0 }, bn.MovingMean!.data<float>().ToArray());
            TensorAssert.Close(Batch() / Math.Sqrt(1 + 1e-3), y, 1e-6, 1e-6, "frozen output");
        }

        [Fact]
        public void ChannelsFirstAxisMatchesLibtorchBatchNormInTraining()
        {
            var bn = new BatchNormalization(axis: 1, epsilon: 1e-5);
            var x = randn(4, 3, 5, 2);
            bn.Apply(x);
            bn.SetWeights(new Array[] { new float[] { 0.5f, 2, -1 }, new float[] { 0.1f, 0.2f, 0.3f }, new float[] { 0, 0, 0 }, new float[] { 1, 1, 1 } });

            var y = bn.Apply(x, training: true);

            // libtorch normalizes channels-first input (axis 1) with the biased batch variance in training.
            var expected = nn.functional.batch_norm(x, zeros(3), ones(3), tensor(new float[] { 0.5f, 2, -1 }), tensor(new float[] { 0.1f, 0.2f, 0.3f }),
                training: true, momentum: 0.1, eps: 1e-5);
            TensorAssert.Close(expected, y, 1e-5, 1e-5, "channels-first training output");
        }

        [Fact]
        public void AMaskedTrainingCallComputesTheStatisticsOfTheUnmaskedStepsOnly()
        {
            var bn = new BatchNormalization(momentum: 0);
            // One sequence of three steps, one feature; the third step (100) is padding.
            var x = tensor(new float[] { 1, 3, 100 }).reshape(1, 3, 1);
            var mask = tensor(new[] { true, true, false }).reshape(1, 3);

            var y = bn.Apply(x, training: true, mask: mask);

            // momentum 0: the moving statistics are the batch statistics: mean 2, variance 1 (each up to the 1e-7 guard).
            TensorAssert.Close(tensor(new double[] { 2 }), bn.MovingMean!, 1e-6, 1e-6, "masked mean");
            TensorAssert.Close(tensor(new double[] { 1 }), bn.MovingVariance!, 1e-6, 1e-6, "masked variance");
            TensorAssert.Close(tensor(new double[] { -1, 1, 98 }).reshape(1, 3, 1) / Math.Sqrt(1 + 1e-3), y, 1e-5, 1e-5, "masked output");
            Assert.True(KerasMask.Get(y)!.equal(mask).all().item<bool>());
        }

        [Fact]
        public void AMaskOfTheInputsRankFailsNamingTheLayer()
        {
            var bn = new BatchNormalization(name: "bn_mask");
            var error = Assert.Throws<ArgumentException>(() => bn.Apply(ones(2, 3), training: true, mask: ones(2, 3, dtype: ScalarType.Bool)));
            Assert.Contains("'bn_mask'", error.Message);
            Assert.Contains("one dimension less", error.Message);
        }

        [Fact]
        public void UnderMixedBFloat16TheWeightsStayFloat32AndTheMovingStatisticsUpdate()
        {
            var bn = new BatchNormalization(momentum: 0.5);
            bn.DTypePolicy = new DTypePolicy("mixed_bfloat16");

            var y = bn.Apply(Batch(), training: true);

            Assert.Equal(ScalarType.BFloat16, y.dtype);
            Assert.All(bn.Weights, w => Assert.Equal(ScalarType.Float32, w.dtype));
            TensorAssert.Close(tensor(new double[] { 1.5, 15 }), bn.MovingMean!, 1e-2, 1e-2, "moving mean under mixed_bfloat16");
        }

        [Fact]
        public void WithoutCenterAndScaleOnlyTheMovingStatisticsExist()
        {
            var bn = new BatchNormalization(center: false, scale: false);
            bn.Apply(ones(2, 3));
            Assert.Empty(bn.TrainableWeights);
            Assert.Equal(2, bn.NonTrainableWeights.Count);
        }

        [Fact]
        public void SynchronizedIsRejectedWithTheReceivedValue()
        {
            var error = Assert.Throws<ArgumentException>(() => new BatchNormalization(synchronized: true));
            Assert.Contains("synchronized=True", error.Message);
        }

        [Fact]
        public void AnAxisOutsideTheInputFailsNamingTheLayer()
        {
            var bn = new BatchNormalization(axis: 3, name: "bn_axis");
            var error = Assert.Throws<ArgumentException>(() => bn.Apply(ones(2, 3)));
            Assert.Contains("'bn_axis'", error.Message);
            Assert.Contains("axis=3", error.Message);
        }

        [Fact]
        public void AnInputWithOtherFeaturesThanTheBuildOnesFailsNamingTheLayer()
        {
            var bn = new BatchNormalization(name: "bn_features");
            bn.Apply(ones(2, 3));
            var error = Assert.Throws<ArgumentException>(() => bn.Apply(ones(2, 4)));
            Assert.Contains("'bn_features'", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "BatchNormalization", "config": {"name": "batch_normalization_3", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "axis": -1, "momentum": 0.9, "epsilon": 0.001, "center": true, "scale": false,
                 "beta_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                 "gamma_initializer": {"module": "keras.initializers", "class_name": "Ones", "config": {}, "registered_name": null},
                 "moving_mean_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                 "moving_variance_initializer": {"module": "keras.initializers", "class_name": "Ones", "config": {}, "registered_name": null},
                 "beta_regularizer": null, "gamma_regularizer": null, "beta_constraint": null, "gamma_constraint": null, "synchronized": false},
                 "registered_name": null, "build_config": {"input_shape": [null, 6]}}
                """;

            var bn = Assert.IsType<BatchNormalization>(Layer.Deserialize(json));

            Assert.Equal(("batch_normalization_3", 0.9, false), (bn.Name, bn.Momentum, bn.Scale));
            Assert.Equal(new[] { "batch_normalization_3/beta", "batch_normalization_3/moving_mean", "batch_normalization_3/moving_variance" },
                bn.Weights.Select(w => w.Path));
            Assert.Equal(new long[] { 6 }, bn.MovingVariance!.shape);
        }
    }
}
