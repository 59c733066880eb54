using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Attention
{
    /// <summary>The attention, merging and normalization layers together in a functional model.</summary>
    public sealed class TransformerBlockTests
    {
        private static Model Block()
        {
            var x = Input.Create(new Shape(5, 8), name: "tokens");
            var attended = new MultiHeadAttention(numHeads: 2, keyDim: 4, name: "self_attention").Apply(new[] { x, x });
            var residual = new Add(name: "residual").Apply(new[] { x, attended });
            var normalized = new LayerNormalization(name: "norm").Apply(residual);
            var pooled = new Concatenate(axis: 1, name: "concat").Apply(new[] { normalized, x });
            return new Model(x, pooled, name: "block");
        }

        [Fact]
        public void ASymbolicBlockHasKerasShapesAndWeights()
        {
            var model = Block();

            Assert.Equal(new Shape(Shape.Unknown, 10, 8), KerasTensor.Info(model.Outputs[0]).Shape);
            Assert.Equal(8 + 2, model.Weights.Count);
            Assert.Equal(new long[] { 3, 10, 8 }, model.Apply(randn(3, 5, 8)).shape);
        }

        [Fact]
        public void TheBlockRoundTripsThroughItsKeras3Json()
        {
            var model = Block();
            var x = randn(2, 5, 8);
            var expected = model.Apply(x);

            var copy = Assert.IsType<Model>(Layer.Deserialize(model.ToJson()));
            copy.SetWeights(model.GetWeights());

            Assert.Equal(model.Layers.Select(l => l.GetType()), copy.Layers.Select(l => l.GetType()));
            TensorAssert.Close(expected, copy.Apply(x), 0, 0, "round-tripped block");
        }

        [Fact]
        public void TheBlockSavesAndLoadsWithItsWeights()
        {
            var model = Block();
            var x = randn(2, 5, 8);
            var expected = model.Apply(x);
            string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"block-{System.Guid.NewGuid():N}.zip");
            try
            {
                model.Save(path);
                var loaded = Model.Load(path);
                TensorAssert.Close(expected, loaded.Apply(x), 0, 0, "loaded block");
            }
            finally
            {
                System.IO.File.Delete(path);
            }
        }
    }
}
