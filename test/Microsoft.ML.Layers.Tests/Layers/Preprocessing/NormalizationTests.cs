using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

using NormalizationLayer = Microsoft.ML.Layers.Normalization;

namespace Microsoft.ML.Layers.Tests.Layers.Preprocessing
{
    public sealed class NormalizationTests
    {
        [Fact]
        public void PassesTheSharedLayerCheckWhenAdapted() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype =>
            {
                var layer = new NormalizationLayer(dtype: dtype);
                layer.Adapt(arange(60, dtype: ScalarType.Float32).reshape(10, 3, 2).sin() * 3 + 1);
                return layer;
            },
            InputShapes = new Shape[] { new(4, 3, 2) },
            BuiltAtCreation = true,
            ExpectedNonTrainableWeights = 3,
            ExpectedOutputShape = new Shape(4, 3, 2),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
            // Adapt builds the layer, and a dtype policy is set before the build: MixedPolicyAppliesWhenSetBeforeAdapting checks it.
            CheckMixedPolicy = false,
        });

        [Fact]
        public void PassesTheSharedLayerCheckWithGivenStatistics() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new NormalizationLayer(null, new[] { 1.0, -2.0 }, new[] { 4.0, 0.25 }, dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 2) },
            ExpectedOutputShape = new Shape(4, 3, 2),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
        });

        [Fact]
        public void AdaptingWithoutAxesNormalizesByOneScalarMeanAndVariance()
        {
            // Keras's docstring: adapt on [1, 2, 3, 4, 5] with axis=None, then [1, 2, 3] -> [-1.4142135, -0.70710677, 0].
            var layer = new NormalizationLayer(axis: Array.Empty<int>());
            layer.Adapt(tensor(new[] { 1f, 2f, 3f, 4f, 5f }));

            var y = layer.Apply(tensor(new[] { 1f, 2f, 3f }));

            Assert.True(y.allclose(tensor(new[] { -1.4142135f, -0.70710677f, 0f }), rtol: 1e-6, atol: 1e-6));
            Assert.Equal(Array.Empty<long>(), layer.Mean!.shape);
        }

        [Fact]
        public void AdaptingTheLastAxisKeepsAMeanAndVariancePerFeature()
        {
            // Keras's docstring: columns with means (1, 8, 5) and variances 1: [0, 7, 4] -> [-1, -1, -1].
            var layer = new NormalizationLayer();
            layer.Adapt(tensor(new[] { 0f, 7f, 4f, 2f, 9f, 6f, 0f, 7f, 4f, 2f, 9f, 6f }).reshape(4, 3));

            var y = layer.Apply(tensor(new[] { 0f, 7f, 4f }).reshape(1, 3));

            Assert.Equal(new[] { -1f, -1f, -1f }, y.data<float>().ToArray());
            Assert.Equal(new[] { 1f, 8f, 5f }, layer.Mean!.data<float>().ToArray());
            Assert.Equal(new[] { 1f, 1f, 1f }, layer.Variance!.data<float>().ToArray());
        }

        [Fact]
        public void GivenStatisticsNormalizeWithoutAdapting()
        {
            // Keras's docstring: mean 3, variance 2 on [[1], [2], [3]].
            var y = new NormalizationLayer(mean: 3.0, variance: 2.0).Apply(tensor(new[] { 1f, 2f, 3f }).reshape(3, 1));

            Assert.True(y.allclose(tensor(new[] { -1.4142135f, -0.70710677f, 0f }).reshape(3, 1), rtol: 1e-6, atol: 1e-6));
        }

        [Fact]
        public void InvertDenormalizes()
        {
            // Keras's docstring: means (1, 8, 5), variances 1: [1, 2, 3] -> [2, 10, 8].
            var layer = new NormalizationLayer(invert: true);
            layer.Adapt(tensor(new[] { 0f, 7f, 4f, 2f, 9f, 6f, 0f, 7f, 4f, 2f, 9f, 6f }).reshape(4, 3));

            var y = layer.Apply(tensor(new[] { 1f, 2f, 3f }).reshape(1, 3));

            Assert.Equal(new[] { 2f, 10f, 8f }, y.data<float>().ToArray());
        }

        [Fact]
        public void AZeroVarianceDividesByKerasEpsilon()
        {
            var y = new NormalizationLayer(mean: 1.0, variance: 0.0).Apply(tensor(new[] { 1.5 }).reshape(1, 1).to(ScalarType.Float64));
            Assert.Equal(0.5 / 1e-7, y.to(ScalarType.Float64).item<double>(), 3);
        }

        [Fact]
        public void AdaptingOverBatchesEqualsAdaptingOverAllTheDataAtOnce()
        {
            // A large offset and a small spread: a naive float32 sum of squares would lose the variance entirely.
            using var data = (randn(1000, 3, dtype: ScalarType.Float64) * 0.01 + 1e6).to(ScalarType.Float32);
            var wide = data.to(ScalarType.Float64);
            var expectedMean = wide.mean(new long[] { 0 });
            var expectedVariance = (wide - expectedMean).square().mean(new long[] { 0 });
            var layer = new NormalizationLayer();

            layer.Adapt(new[] { data[..300], data[300..800], data[800..] });

            Assert.True(layer.Mean!.to(ScalarType.Float64).allclose(expectedMean, rtol: 1e-7, atol: 0));
            Assert.True(layer.Variance!.to(ScalarType.Float64).allclose(expectedVariance, rtol: 1e-5, atol: 0));
            Assert.Equal(1000L, layer.Weights[2].item<long>());
        }

        [Fact]
        public void AdaptingAgainReplacesTheStatistics()
        {
            var layer = new NormalizationLayer();
            layer.Adapt(full(new long[] { 4, 2 }, 10f));
            layer.Adapt(tensor(new[] { 0f, 0f, 2f, 4f }).reshape(2, 2));

            Assert.Equal(new[] { 1f, 2f }, layer.Mean!.data<float>().ToArray());
            Assert.Equal(new[] { 1f, 4f }, layer.Variance!.data<float>().ToArray());
        }

        [Fact]
        public void CallingBeforeAdaptingFailsClearly()
        {
            var layer = new NormalizationLayer(name: "scaler");

            var error = Assert.Throws<InvalidOperationException>(() => layer.Apply(ones(2, 3)));

            Assert.Contains("'scaler'", error.Message);
            Assert.Contains("Adapt", error.Message);
        }

        [Fact]
        public void StatisticsLoadedFromAKeras3FileCountAsAdapted()
        {
            // Keras 3 never updates `count`: the loaded mean and variance alone make the layer usable.
            var layer = new NormalizationLayer();
            layer.EnsureBuilt(new Shape(Shape.Unknown, 2));
            layer.SetWeights(new Array[] { new[] { 1f, 2f }, new[] { 4f, 4f }, new long[] { 0 } });

            var y = layer.Apply(tensor(new[] { 3f, 2f }).reshape(1, 2));

            Assert.Equal(new[] { 1f, 0f }, y.data<float>().ToArray());
        }

        [Fact]
        public void AModelCanBeWiredBeforeAdapting()
        {
            var inputs = Input.Create(new Shape(2));
            var norm = new NormalizationLayer();
            var model = new Model(inputs, norm.Apply(inputs));

            norm.Adapt(tensor(new[] { 0f, 10f, 2f, 30f }).reshape(2, 2));

            Assert.Equal(new[] { -1f, -1f }, model.Apply(tensor(new[] { 0f, 10f }).reshape(1, 2)).data<float>().ToArray());
        }

        [Fact]
        public void TheAdaptedStatisticsAreSavedWithTheModel()
        {
            var norm = new NormalizationLayer();
            norm.Adapt(tensor(new[] { 1f, 5f, 3f, 9f }).reshape(2, 2));
            var model = new Sequential(new InputLayer(shape: new Shape(2)), norm);
            string path = Path.Combine(Path.GetTempPath(), $"normalization-{Guid.NewGuid():N}.zip");
            try
            {
                model.Save(path);
                var loaded = Model.Load(path);

                using var x = tensor(new[] { 4f, 4f }).reshape(1, 2);
                Assert.True(loaded.Apply(x).equal(model.Apply(x)).all().item<bool>());
                Assert.Equal(new[] { 2f, 7f }, loaded.Weights[0].data<float>().ToArray());
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void MixedPolicyAppliesWhenSetBeforeAdapting()
        {
            var layer = new NormalizationLayer();
            layer.DTypePolicy = new DTypePolicy("mixed_bfloat16");
            layer.Adapt(tensor(new[] { 0f, 10f, 2f, 30f }).reshape(2, 2));

            var y = layer.Apply(tensor(new[] { 2f, 30f }).reshape(1, 2));

            Assert.Equal(ScalarType.Float32, layer.Mean!.dtype);
            Assert.Equal(ScalarType.BFloat16, y.dtype);
            Assert.Equal(new[] { 1f, 1f }, y.to(ScalarType.Float32).data<float>().ToArray());
        }

        [Fact]
        public void StatisticsOverSeveralAxesRoundTripAsNestedLists()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Normalization", "config": {"name": "normalization", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "axis": [1, 2], "invert": false, "mean": [[1.0, 2.0], [3.0, 4.0]], "variance": [[1.0, 1.0], [4.0, 4.0]]},
                 "registered_name": null, "build_config": {"input_shape": [null, 2, 2]}}
                """;

            var layer = Assert.IsType<NormalizationLayer>(Layer.Deserialize(json));
            using var x = tensor(new[] { 2f, 2f, 7f, 0f }).reshape(1, 2, 2);

            var y = layer.Apply(x);

            Assert.Equal(new[] { 1f, 0f, 2f, -2f }, y.data<float>().ToArray());
            Assert.Empty(layer.Weights);
            Assert.Equal("[[1,2],[3,4]]", layer.GetConfig().Values["mean"]!.ToJsonString());
            Assert.Equal("[1,2]", layer.GetConfig().Values["axis"]!.ToJsonString());
        }

        [Fact]
        public void ReadsAKeras3ConfigOfAnAdaptedLayer()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Normalization", "config": {"name": "normalization", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "axis": [-1], "invert": false, "mean": null, "variance": null},
                 "registered_name": null, "build_config": {"input_shape": [1000, 8]}}
                """;

            var layer = Assert.IsType<NormalizationLayer>(Layer.Deserialize(json));

            Assert.Equal(new[] { "mean", "variance", "count" }, layer.Weights.Select(w => w.Name));
            Assert.Equal(new long[] { 8 }, layer.Mean!.shape);
            Assert.All(layer.Weights, w => Assert.False(w.Trainable));
        }

        [Fact]
        public void RejectsAMeanWithoutAVariance()
        {
            var error = Assert.Throws<ArgumentException>(() => new NormalizationLayer(mean: 1.0));
            Assert.Contains("both `mean` and `variance`", error.Message);
        }

        [Fact]
        public void AnAxisOutsideTheInputFailsNamingTheLayer()
        {
            var error = Assert.Throws<ArgumentException>(() => new NormalizationLayer(axis: 3, name: "norm3").Apply(ones(2, 3)));
            Assert.Contains("'norm3'", error.Message);
            Assert.Contains("axis=3", error.Message);
        }

        [Fact]
        public void DataOfAnotherFeatureSizeFailsNamingTheLayer()
        {
            var layer = new NormalizationLayer(name: "scaler");
            layer.Adapt(ones(4, 3));

            Assert.Contains("'scaler'", Assert.Throws<ArgumentException>(() => layer.Adapt(ones(4, 5))).Message);
            Assert.Contains("'scaler'", Assert.Throws<ArgumentException>(() => layer.Apply(ones(4, 5))).Message);
        }

        [Fact]
        public void ALayerGivenItsStatisticsCannotBeAdapted()
        {
            Assert.Throws<InvalidOperationException>(() => new NormalizationLayer(mean: 0.0, variance: 1.0).Adapt(ones(2, 1)));
        }
    }
}
