using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Engine
{
    public sealed class NestedLayerTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new GatedBlock(4, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 5) },
            // Own: offset (trainable), scale (non-trainable); nested: 3 SimpleDense x (w, b).
            ExpectedTrainableWeights = 1 + 6,
            ExpectedNonTrainableWeights = 1,
            ExpectedOutputShape = new Shape(2, 3, 4),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(2, 3),
        });

        [Fact]
        public void WeightsComeInKerasOrderOwnTrainableThenOwnNonTrainableThenNestedInFieldOrder()
        {
            var block = new GatedBlock(4);
            block.EnsureBuilt(new Shape(1, 5));

            var expected = new Parameter[] { }
                .Append(block.Weights.Single(w => w.Name == "offset"))
                .Append(block.Weights.Single(w => w.Name == "scale"))
                .Concat(block.ValueLayer.Weights)
                .Concat(block.GateLayer.Weights)
                .Concat(block.Extra[0].Weights)
                .ToList();

            Assert.Equal(expected, block.Weights);
            Assert.Equal(new[] { block.ValueLayer, block.GateLayer, block.Extra[0] }, block.Sublayers);
        }

        [Fact]
        public void NestedLayersAreTorchSharpSubmodules()
        {
            var block = new GatedBlock(4);
            block.EnsureBuilt(new Shape(1, 5));

            Assert.Equal(3, block.children().Count());
            Assert.Equal(block.Weights.Count, block.parameters().Count());
            Assert.Equal(block.Weights.Select(w => w.Handle).OrderBy(h => h), block.parameters().Select(p => p.Handle).OrderBy(h => h));
        }

        [Fact]
        public void FreezingTheParentFreezesEveryNestedLayerAndItsGradients()
        {
            var block = new GatedBlock(4);
            block.EnsureBuilt(new Shape(1, 5));

            block.Trainable = false;

            Assert.Empty(block.TrainableWeights);
            Assert.Empty(block.ValueLayer.TrainableWeights);
            Assert.False(block.GateLayer.Trainable);
            Assert.All(block.Weights, w => Assert.False(w.requires_grad));

            block.Trainable = true;
            Assert.Equal(7, block.TrainableWeights.Count);
            Assert.False(block.Weights.Single(w => w.Name == "scale").Trainable); // created non-trainable, stays so
        }

        [Fact]
        public void LossesHoldTheWeightRegularizationPenalty()
        {
            var block = new GatedBlock(2);
            block.EnsureBuilt(new Shape(1, 3));
            var offset = block.Weights.Single(w => w.Name == "offset");
            offset.Assign(tensor(new float[] { 1, -2 }));

            var penalty = Assert.Single(block.Losses);

            Assert.Equal(0.5f * (1 + 4), penalty.item<float>(), 6);
        }

        [Fact]
        public void AFrozenLayersRegularizationPenaltyIsNotALoss()
        {
            var block = new GatedBlock(2);
            block.EnsureBuilt(new Shape(1, 3));

            block.Trainable = false;

            Assert.Empty(block.Losses);
        }

        [Fact]
        public void MaskedStepsAreZeroAndTheMaskPassesToTheOutput()
        {
            var block = new GatedBlock(3);
            using var x = randn(2, 4, 5);
            using var mask = tensor(new[] { true, true, false, false, true, true, true, true }, 2, 4);

            var y = block.Apply(x, mask: mask);

            Assert.Equal(0f, y[0, 2].abs().sum().item<float>());
            Assert.Equal(0f, y[0, 3].abs().sum().item<float>());
            Assert.NotEqual(0f, y[1, 3].abs().sum().item<float>());
            Assert.True(KerasMask.Get(y)!.equal(mask).all().item<bool>());
        }
    }
}
