using System;
using System.Linq;
using Microsoft.ML.Layers.Regularizers;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Regularization
{
    public sealed class ActivityRegularizationTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new ActivityRegularization(l1: 0.01, l2: 0.02, dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 2) },
            ExpectedOutputShape = new Shape(4, 3, 2),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
        });

        [Fact]
        public void AddsTheL1AndL2PenaltyDividedByTheBatchSize()
        {
            // sum|x| = 6, sum x^2 = 14, batch 2: (0.01 * 6 + 0.1 * 14) / 2 = 0.73.
            using var x = tensor(new[] { 1f, -2f, 3f, 0f }).reshape(2, 2);
            var layer = new ActivityRegularization(l1: 0.01, l2: 0.1);

            var y = layer.Apply(x, training: true);

            Assert.True(y.equal(x).all().item<bool>());
            Assert.Equal(0.73f, Assert.Single(layer.Losses).item<float>(), 5);
        }

        [Fact]
        public void AddsThePenaltyInInferenceTooAsKeras3Does()
        {
            var layer = new ActivityRegularization(l2: 1.0);

            layer.Apply(tensor(new[] { 2f }).reshape(1, 1));

            Assert.Equal(4f, Assert.Single(layer.Losses).item<float>());
        }

        [Fact]
        public void ConfigHoldsTheFactorsNotARegularizer()
        {
            var config = new ActivityRegularization(l1: 0.5).GetConfig().Values;

            Assert.Equal(new[] { "name", "trainable", "dtype", "l1", "l2" }, config.Select(p => p.Key));
            Assert.Equal((0.5, 0.0), ((double)config["l1"]!, (double)config["l2"]!));
        }

        [Fact]
        public void RejectsANegativeFactorWithTheReceivedValue()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ActivityRegularization(l1: -1));
            Assert.Contains("l1=-1", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "ActivityRegularization", "config": {"name": "activity_regularization", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "l1": 0.001, "l2": 0.0}, "registered_name": null}
                """;

            var layer = Assert.IsType<ActivityRegularization>(Layer.Deserialize(json));

            Assert.Equal((0.001, 0.0), (layer.L1, layer.L2));
            Assert.IsType<L1L2Regularizer>(layer.ActivityRegularizer);
        }
    }
}
