using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Normalization
{
    public sealed class RMSNormalizationTests
    {
        // Keras's definition, written directly: x * rsqrt(mean(square(x), axes, keepdims) + epsilon) * scale.
        private static Tensor Expected(Tensor x, long[] axes, Tensor broadcastScale, double epsilon)
            => x * (x.square().mean(axes, keepdim: true) + epsilon).rsqrt() * broadcastScale;

        private static RMSNormalization WithRandomScale(RMSNormalization norm, Tensor x)
        {
            norm.EnsureBuilt(new Shape(x.shape));
            using (no_grad())
                norm.Scale!.Assign(randn(norm.Scale.shape) + 1);
            return norm;
        }

        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new RMSNormalization(dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 5) },
            ExpectedTrainableWeights = 1,
            ExpectedOutputShape = new Shape(4, 3, 5),
            // Keras's RMSNormalization does not declare mask support: an input mask is dropped with a warning.
            ExpectedSupportsMasking = false,
        });

        [Fact]
        public void HandWorkedValues()
        {
            // Row [1, 7]: mean square 25; with epsilon 11 the root is sqrt(36) = 6; scale [2, 3].
            var norm = new RMSNormalization(epsilon: 11);
            norm.EnsureBuilt(new Shape(1, 2));
            using (no_grad())
                norm.Scale!.Assign(tensor(new float[] { 2, 3 }));

            var y = norm.Apply(tensor(new float[,] { { 1, 7 } }));

            TensorAssert.Close(tensor(new double[,] { { 2.0 / 6, 21.0 / 6 } }), y, 1e-6, 1e-6, "[1, 7], epsilon 11, scale [2, 3]");
            // Default epsilon and scale: [3, 4] / sqrt(12.5).
            var plain = new RMSNormalization().Apply(tensor(new float[,] { { 3, 4 } }));
            TensorAssert.Close(tensor(new double[,] { { 0.848528, 1.131371 } }), plain, 1e-5, 1e-6, "[3, 4]");
        }

        [Fact]
        public void DefaultsAreTheLastAxisAndEpsilonOneMillionthWithScaleOnes()
        {
            var norm = new RMSNormalization();
            var x = randn(4, 3, 6) * 3 + 1;

            var y = norm.Apply(x);

            Assert.Equal(new[] { -1 }, norm.Axis);
            Assert.Equal(1e-6, norm.Epsilon);
            Assert.Equal(new long[] { 6 }, norm.Scale!.shape);
            Assert.Equal("scale", norm.Weights.Single().Name);
            Assert.Equal(1f, norm.Scale.min().item<float>());
            Assert.Equal(1f, norm.Scale.max().item<float>());
            TensorAssert.Close(Expected(x, new long[] { 2 }, ones(6), 1e-6), y, 1e-5, 1e-6, "last axis, scale ones");
        }

        [Theory]
        [InlineData(new[] { -1 }, new long[] { 2 }, new long[] { 1, 1, 5 })]
        [InlineData(new[] { 1, 2 }, new long[] { 1, 2 }, new long[] { 1, 4, 5 })]
        [InlineData(new[] { 2, 1 }, new long[] { 1, 2 }, new long[] { 1, 4, 5 })]
        [InlineData(new[] { 1 }, new long[] { 1 }, new long[] { 1, 4, 1 })]
        [InlineData(new[] { 0, 1 }, new long[] { 0, 1 }, new long[] { 3, 4, 1 })]
        public void MatchesTheFormulaOverAnyAxes(int[] axis, long[] positions, long[] broadcast)
        {
            manual_seed(3);
            var x = randn(3, 4, 5) * 2 + 0.5;
            var norm = WithRandomScale(new RMSNormalization(axis, epsilon: 0.01), x);

            var y = norm.Apply(x);

            Assert.Equal(positions.Select(p => x.shape[p]).ToArray(), norm.Scale!.shape);
            TensorAssert.Close(Expected(x, positions, norm.Scale.reshape(broadcast), 0.01), y, 1e-5, 1e-6,
                $"axis {NormalizationMath.Describe(axis)}");
        }

        [Fact]
        public void MixedSignAxesKeepKerasSortedWeightOrder()
        {
            // Keras sorts the values: [1, -1] becomes [-1, 1], so scale is (sizes[2], sizes[1]) = (5, 4).
            manual_seed(4);
            var x = randn(3, 4, 5);
            var norm = WithRandomScale(new RMSNormalization(new[] { 1, -1 }), x);

            var y = norm.Apply(x);

            Assert.Equal(new long[] { 5, 4 }, norm.Scale!.shape);
            Assert.Equal("[-1,1]", norm.GetConfig().Values["axis"]!.ToJsonString());
            var broadcast = norm.Scale.t().reshape(1, 4, 5);
            TensorAssert.Close(Expected(x, new long[] { 1, 2 }, broadcast, 1e-6), y, 1e-5, 1e-6, "axis [1, -1]");
        }

        [Fact]
        public void AnotherRankWithTheSameTrailingAxisBroadcastsAsKerasDoes()
        {
            var norm = WithRandomScale(new RMSNormalization(), randn(2, 3, 4));
            var x = randn(5, 4);

            TensorAssert.Close(Expected(x, new long[] { 1 }, norm.Scale!, 1e-6), norm.Apply(x), 1e-5, 1e-6, "rank 2 after rank 3");
        }

        [Fact]
        public void HalfPrecisionInputsAreNormalizedInFloat32()
        {
            // 300² and 400² overflow float16 (max 65504): only a float32 computation gives finite values.
            var norm = new RMSNormalization(dtype: ScalarType.Float16);
            var x = tensor(new float[,] { { 300, 400 } }).to(ScalarType.Float16);

            var y = norm.Apply(x);

            Assert.Equal(ScalarType.Float16, y.dtype);
            TensorAssert.Close(tensor(new double[,] { { 0.848528, 1.131371 } }), y.to(ScalarType.Float32), 2e-3, 1e-3, "float16");
        }

        [Fact]
        public void Float64StaysFloat64()
        {
            var norm = new RMSNormalization(dtype: ScalarType.Float64);
            var x = randn(new long[] { 2, 7 }, dtype: ScalarType.Float64);

            var y = norm.Apply(x);

            Assert.Equal(ScalarType.Float64, y.dtype);
            TensorAssert.Close(Expected(x, new long[] { 1 }, ones(7, dtype: ScalarType.Float64), 1e-6), y, 1e-12, 1e-12, "float64");
        }

        [Fact]
        public void TheConfigWritesAxisAndEpsilonAsKerasDoes()
        {
            var norm = new RMSNormalization();
            Assert.Equal("-1", norm.GetConfig().Values["axis"]!.ToJsonString());
            Assert.Equal(1e-6, norm.GetConfig().Values["epsilon"]!.GetValue<double>());
            norm.Apply(ones(2, 3));
            Assert.Equal("[-1]", norm.GetConfig().Values["axis"]!.ToJsonString());

            var pair = new RMSNormalization(new[] { 2, 1 });
            Assert.Equal("[2,1]", pair.GetConfig().Values["axis"]!.ToJsonString());
            pair.Apply(ones(2, 3, 4));
            Assert.Equal("[1,2]", pair.GetConfig().Values["axis"]!.ToJsonString());
            Assert.Equal(new[] { 2, 1 }, pair.Axis);
        }

        [Fact]
        public void TheConfigRoundTrips()
        {
            var norm = new RMSNormalization(new[] { 1, 2 }, epsilon: 0.25, name: "rms", trainable: false);
            norm.Apply(ones(2, 3, 4));

            var copy = Assert.IsType<RMSNormalization>(Layer.Deserialize(norm.ToJson()));

            Assert.Equal(norm.ToJson(), copy.ToJson());
            Assert.Equal(new[] { 1, 2 }, copy.Axis);
            Assert.Equal(0.25, copy.Epsilon);
            Assert.False(copy.Trainable);
            Assert.Equal(new long[] { 3, 4 }, copy.Scale!.shape);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "RMSNormalization", "config": {"name": "rms_normalization", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "axis": [-1], "epsilon": 1e-06}, "registered_name": null, "build_config": {"input_shape": [null, 7, 16]}}
                """;

            var norm = Assert.IsType<RMSNormalization>(Layer.Deserialize(json));

            Assert.Equal("rms_normalization", norm.Name);
            Assert.Equal(1e-6, norm.Epsilon);
            Assert.Equal(new[] { -1 }, norm.Axis);
            Assert.True(norm.Built);
            Assert.Equal(new long[] { 16 }, norm.Scale!.shape);
        }

        [Fact]
        public void AnEmptyAxisListIsRejectedWithTheReceivedValue()
        {
            var error = Assert.Throws<ArgumentException>(() => new RMSNormalization(axis: Array.Empty<int>()));
            Assert.Contains("axis=()", error.Message);
        }

        [Fact]
        public void AnAxisOutsideTheInputFailsNamingTheLayer()
        {
            var norm = new RMSNormalization(axis: new[] { 1, 3 }, name: "rms_axis");
            var error = Assert.Throws<ArgumentException>(() => norm.Apply(ones(2, 3, 4)));
            Assert.Contains("'rms_axis'", error.Message);
            Assert.Contains("axis=[1, 3]", error.Message);
        }
    }
}
