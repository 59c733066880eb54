using System;
using System.Linq;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Engine
{
    public sealed class SmokeTests
    {
        [Fact]
        public void SimpleDenseBuildsAndComputes()
        {
            var layer = new SimpleDense(4);
            using var x = ones(2, 2);
            var y = layer.Apply(x);
            Assert.True(layer.Built);
            Assert.Equal(2, layer.Weights.Count);
            Assert.Equal(new long[] { 2, 4 }, y.shape);
            var json = layer.ToJson();
            var copy = (SimpleDense)Layer.Deserialize(json);
            Assert.Equal(layer.Name, copy.Name);
            copy.SetWeights(layer.GetWeights());
            var y2 = copy.Apply(x);
            Assert.True(y.allclose(y2));
            Console.WriteLine(json);
        }
    }
}
