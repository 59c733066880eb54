using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Merging
{
    public sealed class DotTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Dot(axes: -1, dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 5), new(4, 6, 5) },
            ExpectedOutputShape = new Shape(4, 3, 6),
            ExpectedSupportsMasking = true,
        });

        [Fact]
        public void TwoVectorsPerSampleGiveOneColumn()
        {
            var a = tensor(new float[,] { { 1, 2, 3 }, { 1, 0, 0 } });
            var b = tensor(new float[,] { { 4, 5, 6 }, { 0, 1, 0 } });

            var y = new Dot(axes: 1).Apply(new[] { a, b });

            Assert.Equal(new long[] { 2, 1 }, y.shape);
            Assert.Equal(new float[] { 32, 0 }, y.data<float>().ToArray());
        }

        [Fact]
        public void AxesPerInputContractThoseAxes()
        {
            var a = randn(2, 3, 5);
            var b = randn(2, 10, 3);

            var y = new Dot(axes: (1, 2)).Apply(new[] { a, b });

            // The same contraction, sample by sample: sum over i of a[n, i, j] * b[n, k, i].
            TensorAssert.Close(einsum("nij,nki->njk", a, b), y, 1e-5, 1e-5, "axes (1, 2)");
        }

        [Fact]
        public void HigherRanksKeepTheRemainingAxesOfBothInputsInOrder()
        {
            var a = randn(2, 3, 4, 5);
            var b = randn(2, 6, 5);

            var y = new Dot(axes: (-1, 2)).Apply(new[] { a, b });

            Assert.Equal(new Shape(2, 3, 4, 6), new Dot(axes: (-1, 2)).ComputeOutputShape(new Shape[] { new(2, 3, 4, 5), new(2, 6, 5) }));
            TensorAssert.Close(einsum("nabk,nck->nabc", a, b), y, 1e-5, 1e-5, "rank 4 and 3");
        }

        [Fact]
        public void NormalizeGivesTheCosineSimilarity()
        {
            var a = tensor(new float[,] { { 3, 4 } });
            var b = tensor(new float[,] { { 4, 3 } });
            var y = new Dot(axes: 1, normalize: true).Apply(new[] { a, b });
            Assert.Equal(24f / 25f, y.item<float>(), 6);
        }

        [Fact]
        public void TheOutputHasNoMask()
        {
            var y = new Dot(axes: -1).Apply(new[] { MaskedExamples.First, MaskedExamples.Second },
                masks: new Tensor?[] { MaskedExamples.FirstMask, MaskedExamples.SecondMask });
            Assert.Null(KerasMask.Get(y));
        }

        [Fact]
        public void MismatchedDotAxesFailNamingTheLayer()
        {
            var error = Assert.Throws<ArgumentException>(() => new Dot(axes: 1, name: "dot_axes").Apply(new[] { ones(2, 3), ones(2, 4) }));
            Assert.Contains("'dot_axes'", error.Message);
            Assert.Contains("axis values 3 (at axis 1) != 4 (at axis 1)", error.Message);
        }

        [Fact]
        public void ThreeAxesAreRejectedWithTheReceivedValue()
        {
            var error = Assert.Throws<ArgumentException>(() => new Dot(axes: (1, 2, 3)));
            Assert.Contains("axes=(1, 2, 3)", error.Message);
        }

        [Fact]
        public void TheConfigWritesOneAxisAsAnIntAndTwoAsAList()
        {
            Assert.Equal("-1", new Dot(axes: -1).GetConfig().Values["axes"]!.ToJsonString());
            Assert.Equal("[1,2]", new Dot(axes: (1, 2)).GetConfig().Values["axes"]!.ToJsonString());
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Dot", "config": {"name": "dot", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "axes": [2, 2], "normalize": true}, "registered_name": null, "build_config": {"input_shape": [[null, 3, 4], [null, 5, 4]]}}
                """;
            var dot = Assert.IsType<Dot>(Layer.Deserialize(json));
            Assert.True(dot.Normalize);
            Assert.Equal(new[] { 2, 2 }, dot.Axes.Values);
        }
    }
}
