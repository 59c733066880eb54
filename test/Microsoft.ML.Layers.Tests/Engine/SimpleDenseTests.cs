using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Engine
{
    public sealed class SimpleDenseTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new SimpleDense(4, dtype: dtype),
            InputShapes = new Shape[] { new(3, 5) },
            ExpectedTrainableWeights = 2,
            ExpectedNonTrainableWeights = 0,
            ExpectedOutputShape = new Shape(3, 4),
        });

        [Fact]
        public void ComputesInputTimesKernelPlusBiasWithAKernelLaidOutInputByUnits()
        {
            var layer = new SimpleDense(2);
            layer.EnsureBuilt(new Shape(Shape.Unknown, 3));
            layer.SetWeights(new Array[] { new float[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } }, new float[] { 0.5f, -1 } });
            using var x = tensor(new float[] { 1, 0, -1, 2, 1, 0 }, 2, 3);

            var y = layer.Apply(x).data<float>().ToArray();

            // Row 1: [1,0,-1]·K = [1-5, 2-6] = [-4,-4] + b; row 2: [2,1,0]·K = [2+3, 4+4] = [5, 8] + b.
            Assert.Equal(new float[] { -3.5f, -5f, 5.5f, 7f }, y);
        }

        [Fact]
        public void BuildsOnFirstCallFromTheInputsLastDimension()
        {
            var layer = new SimpleDense(7);
            Assert.False(layer.Built);
            Assert.Empty(layer.Weights);

            layer.Apply(ones(2, 3));

            Assert.True(layer.Built);
            Assert.Equal(new[] { new Shape(3, 7), new Shape(7) }, layer.Weights.Select(w => w.Shape));
            Assert.Equal(new[] { "w", "b" }, layer.Weights.Select(w => w.Name));
            Assert.Equal(3 * 7 + 7, layer.CountParams());
        }

        [Fact]
        public void ConfigUsesKerasLayoutAndKeys()
        {
            var layer = new SimpleDense(4, name: "my_dense");
            var json = System.Text.Json.Nodes.JsonNode.Parse(layer.ToJson())!;

            Assert.Equal("SimpleDense", (string?)json["class_name"]);
            Assert.Equal("my_dense", (string?)json["config"]!["name"]);
            Assert.True((bool)json["config"]!["trainable"]!);
            Assert.Equal("float32", (string?)json["config"]!["dtype"]);
            Assert.Equal(4, (int)json["config"]!["units"]!);
        }

        [Fact]
        public void FromConfigOfTheSubclassIsUsedWhenDeclared()
        {
            var config = new SimpleDense(6, name: "d6").GetConfig();

            var copy = Assert.IsType<SimpleDense>(Layer.Deserialize(config));

            Assert.Equal(6, copy.Units);
            Assert.Equal("d6", copy.Name);
        }
    }
}
