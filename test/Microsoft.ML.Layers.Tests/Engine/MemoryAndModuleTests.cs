using System.Linq;
using Microsoft.ML.Layers.Optimizers;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Engine
{
    public sealed class MemoryAndModuleTests
    {
        [Fact]
        public void ALayerBuiltInsideADisposeScopeKeepsItsWeights()
        {
            var block = new GatedBlock(3);
            using (NewDisposeScope())
            {
                block.Apply(randn(2, 4));
            }

            Assert.Equal(8, block.Weights.Count);
            Assert.All(block.Weights, w => Assert.False(w.IsInvalid));
            Assert.Equal(8, block.parameters().Count());
            using var again = block.Apply(randn(2, 4));
            Assert.Equal(new long[] { 2, 3 }, again.shape);
        }

        [Fact]
        public void RepeatedCallsInsideDisposeScopesLeaveNoLiveTensors()
        {
            var block = new GatedBlock(8);
            using var x = randn(16, 10, 6);
            using var mask = ones(16, 10, dtype: ScalarType.Bool);
            using (NewDisposeScope())
                block.Apply(x, training: true, mask: mask);

            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            for (int i = 0; i < 200; i++)
            {
                using var scope = NewDisposeScope();
                var y = block.Apply(x, training: true, mask: mask);
                var loss = y.sum() + block.Losses.Aggregate((a, b) => a + b);
                loss.backward();
            }
            long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

            Assert.Equal(before, after);
        }

        [Fact]
        public void MovingToAnotherDTypeKeepsEachWeightObjectAndChangesThePolicy()
        {
            var layer = new SimpleDense(3);
            layer.EnsureBuilt(new Shape(1, 2));
            var weights = layer.Weights.ToList();
            var values = layer.GetWeights();

            layer.to(ScalarType.Float64);

            Assert.Equal(weights, layer.Weights);
            Assert.All(layer.Weights, w => Assert.Equal(ScalarType.Float64, w.dtype));
            Assert.Equal(ScalarType.Float64, layer.ComputeDType);
            using var x = ones(1, 2);
            var y = layer.Apply(x);
            Assert.Equal(ScalarType.Float64, y.dtype);
            // The same numbers, now in double precision: the field in SimpleDense saw the move.
            var expected = ((float[,])values[0]).Cast<float>().Select((v, i) => v).ToArray();
            Assert.Equal(((float[,])values[0])[0, 0] + ((float[,])values[0])[1, 0] + ((float[])values[1])[0], y[0, 0].item<double>(), 5);
        }

        [Fact]
        public void StateDictHoldsEveryWeightUnderItsModulePath()
        {
            var block = new GatedBlock(2);
            block.EnsureBuilt(new Shape(1, 3));

            var keys = block.state_dict().Keys.OrderBy(k => k, System.StringComparer.Ordinal).ToArray();

            // Layers in fields are keyed by the field; layers in a collection by their names.
            string extra = block.Extra[0].Name;
            var expected = new[] { $"{extra}.b", $"{extra}.w", "_gate.b", "_gate.w", "_value.b", "_value.w", "offset", "scale" }.OrderBy(k => k, System.StringComparer.Ordinal);
            Assert.Equal(expected, keys);
        }

        [Fact]
        public void AnOptimizerStepThroughTorchSharpUpdatesOnlyTrainableWeights()
        {
            var block = new GatedBlock(2);
            using var x = randn(4, 3);
            block.Apply(x);
            var scale = block.Weights.Single(w => w.Name == "scale");
            var kernel = block.ValueLayer.Weights[0];
            using var scaleBefore = scale.detach().clone();
            using var kernelBefore = kernel.detach().clone();

            using var optimizer = optim.Adam(block.TrainableWeights, 0.01);
            block.Apply(x, training: true).pow(2).sum().backward();
            optimizer.step();

            Assert.True(scale.equal(scaleBefore).all().item<bool>());
            Assert.False(kernel.equal(kernelBefore).all().item<bool>());
        }
    }
}
