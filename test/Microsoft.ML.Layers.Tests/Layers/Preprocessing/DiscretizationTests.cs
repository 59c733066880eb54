using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Preprocessing
{
    public sealed class DiscretizationTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Discretization(binBoundaries: new[] { -0.5, 0.0, 0.5 }, outputMode: EncodingMode.MultiHot, dtype: dtype),
            InputShapes = new Shape[] { new(4, 3) },
            ExpectedOutputShape = new Shape(4, 4),
            ConfigHasTrainable = false,
            DTypeVariants = new[] { ScalarType.Float64 },
            CheckMixedPolicy = false,
        });

        [Fact]
        public void KerasDocstringBins()
        {
            // bins (-inf, 0), [0, 1), [1, 2), [2, inf): [[-1.5, 1.0, 3.4, .5], [0.0, 3.0, 1.3, 0.0]] -> [[0, 2, 3, 1], [1, 3, 2, 1]].
            var layer = new Discretization(binBoundaries: new[] { 0.0, 1.0, 2.0 });
            var y = layer.Apply(tensor(new[] { -1.5f, 1.0f, 3.4f, 0.5f, 0.0f, 3.0f, 1.3f, 0.0f }).reshape(2, 4));

            Assert.Equal(ScalarType.Int64, y.dtype);
            Assert.Equal(new long[] { 0, 2, 3, 1, 1, 3, 2, 1 }, y.data<long>().ToArray());
        }

        [Fact]
        public void CountEncodesTheBins()
        {
            var y = new Discretization(binBoundaries: new[] { 0.0, 1.0 }, outputMode: EncodingMode.Count)
                .Apply(tensor(new[] { -1f, 0.5f, 0.7f, 5f }).reshape(1, 4));
            Assert.Equal(new[] { 1f, 2f, 1f }, y.data<float>().ToArray());
        }

        [Fact]
        public void ReadsAConfigWrittenAfterKerasAdaptAndWritesKerasKeys()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Discretization", "config": {"bin_boundaries": [0.0, 1.0, 2.0],
                 "num_bins": 4, "epsilon": 0.01, "output_mode": "int", "sparse": false, "name": "discretization", "dtype": "float32"},
                 "registered_name": null}
                """;
            var layer = Assert.IsType<Discretization>(Layer.Deserialize(json));

            Assert.Equal(new long[] { 3 }, layer.Apply(tensor(new[] { 2.5f })).data<long>().ToArray());
            var config = layer.GetConfig();
            Assert.False(config.Values.ContainsKey("trainable"));
            Assert.Equal("[0,1,2]", config.Values["bin_boundaries"]!.ToJsonString());
            Assert.Equal(layer.ToJson(), Layer.Deserialize(layer.ToJson()).ToJson());
        }

        [Fact]
        public void NumBinsWithoutBoundariesFailsWhenCalledNamingTheLayer()
        {
            var error = Assert.Throws<InvalidOperationException>(() => new Discretization(numBins: 4, name: "bins").Apply(ones(2, 2)));
            Assert.Contains("'bins'", error.Message);
            Assert.Contains("adapt", error.Message);
        }

        [Fact]
        public void RejectsWhatKerasRejects()
        {
            Assert.Throws<ArgumentException>(() => new Discretization());
            Assert.Throws<ArgumentException>(() => new Discretization(binBoundaries: new[] { 1.0 }, numBins: 2));
            Assert.Contains("increasing",
                Assert.Throws<ArgumentException>(() => new Discretization(binBoundaries: new[] { 1.0, 0.0 })).Message);
        }
    }
}
