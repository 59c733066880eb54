using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Normalization
{
    public sealed class LayerNormalizationTests
    {
        // The definition, written directly: per-sample mean and biased variance over the axes.
        private static Tensor Expected(Tensor x, long[] axes, Tensor? gamma, Tensor? beta, double epsilon)
        {
            var mean = x.mean(axes, keepdim: true);
            var variance = (x - mean).square().mean(axes, keepdim: true);
            var y = (x - mean) / (variance + epsilon).sqrt();
            if (gamma is not null)
                y = y * gamma;
            if (beta is not null)
                y = y + beta;
            return y;
        }

        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new LayerNormalization(gammaInitializer: "random_normal", betaInitializer: "random_normal", dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 5) },
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(4, 3, 5),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
        });

        [Fact]
        public void NormalizesEachSampleOverTheLastAxisThenScalesAndShifts()
        {
            var norm = new LayerNormalization(gammaInitializer: "random_normal", betaInitializer: "random_normal");
            var x = randn(4, 3, 6) * 3 + 1;

            var y = norm.Apply(x);

            Assert.Equal(new long[] { 6 }, norm.Gamma!.shape);
            TensorAssert.Close(Expected(x, new long[] { 2 }, norm.Gamma, norm.Beta, 1e-3), y, 1e-5, 1e-5, "last-axis normalization");
        }

        [Fact]
        public void TrailingAxesShareWeightsShapedLikeThoseAxes()
        {
            var norm = new LayerNormalization(axis: new[] { 1, 2 }, gammaInitializer: "random_normal", betaInitializer: "random_normal");
            var x = randn(2, 3, 4) * 2;

            var y = norm.Apply(x);

            Assert.Equal(new long[] { 3, 4 }, norm.Gamma!.shape);
            TensorAssert.Close(Expected(x, new long[] { 1, 2 }, norm.Gamma, norm.Beta, 1e-3), y, 1e-5, 1e-5, "axes (1, 2)");
        }

        [Fact]
        public void ANonTrailingAxisIsNormalizedWithBroadcastWeights()
        {
            var norm = new LayerNormalization(axis: 1, epsilon: 0.01, gammaInitializer: "random_normal", betaInitializer: "random_normal");
            var x = randn(2, 5, 3) + 4;

            var y = norm.Apply(x);

            Assert.Equal(new long[] { 5 }, norm.Gamma!.shape);
            TensorAssert.Close(Expected(x, new long[] { 1 }, norm.Gamma.reshape(1, 5, 1), norm.Beta!.reshape(1, 5, 1), 0.01), y, 1e-5, 1e-5, "axis 1");
        }

        [Fact]
        public void WithoutCenterOrScaleItOnlyNormalizes()
        {
            var norm = new LayerNormalization(center: false, scale: false);
            var x = tensor(new float[,] { { 1, 2, 3 } });

            var y = norm.Apply(x);

            Assert.Empty(norm.Weights);
            // mean 2, biased variance 2/3.
            TensorAssert.Close(tensor(new double[,] { { -1, 0, 1 } }) / Math.Sqrt(2.0 / 3 + 1e-3), y, 1e-6, 1e-6, "plain normalization");
        }

        [Fact]
        public void RmsScalingDividesByTheVarianceRootWithoutCenteringAndHasNoBeta()
        {
            var warnings = new System.Collections.Generic.List<string>();
            var previous = Layer.WarningWriter;
            Layer.WarningWriter = warnings.Add;
            LayerNormalization norm;
            try
            {
                norm = new LayerNormalization(rmsScaling: true);
            }
            finally
            {
                Layer.WarningWriter = previous;
            }
            var x = tensor(new float[,] { { 1, 2, 3 } });

            var y = norm.Apply(x);

            Assert.Contains(warnings, w => w.Contains("rms_scaling", StringComparison.Ordinal));
            Assert.Equal(new[] { "gamma" }, norm.Weights.Select(w => w.Name));
            TensorAssert.Close(x / Math.Sqrt(2.0 / 3 + 1e-3), y, 1e-6, 1e-6, "rms scaling");
        }

        [Fact]
        public void HalfPrecisionInputsAreNormalizedInFloat32()
        {
            var norm = new LayerNormalization(dtype: ScalarType.BFloat16);
            var x = (randn(3, 8) * 100 + 1000).to(ScalarType.BFloat16);

            var y = norm.Apply(x);

            Assert.Equal(ScalarType.BFloat16, y.dtype);
            // Computed in float32 and rounded once to bfloat16, each value is within 2 bfloat16 steps (2^-6 near 2) of the
            // float32 result; computing the statistics in bfloat16 around an offset of 1000 would be off by far more.
            var expected = Expected(x.to(ScalarType.Float32), new long[] { 1 }, null, null, 1e-3);
            double largest = (y.to(ScalarType.Float32) - expected).abs().max().item<float>();
            Assert.True(largest <= 2.0 / 64, $"largest difference from the float32 result: {largest}");
        }

        [Fact]
        public void AnIntAxisIsWrittenAsAListOnceBuiltAsKerasDoes()
        {
            var norm = new LayerNormalization();
            Assert.Equal("-1", norm.GetConfig().Values["axis"]!.ToJsonString());
            norm.Apply(ones(2, 3));
            Assert.Equal("[-1]", norm.GetConfig().Values["axis"]!.ToJsonString());
        }

        [Fact]
        public void AnEmptyAxisListIsRejectedWithTheReceivedValue()
        {
            var error = Assert.Throws<ArgumentException>(() => new LayerNormalization(axis: Array.Empty<int>()));
            Assert.Contains("axis=()", error.Message);
        }

        [Fact]
        public void AnAxisOutsideTheInputFailsNamingTheLayer()
        {
            var norm = new LayerNormalization(axis: new[] { 1, 3 }, name: "ln_axis");
            var error = Assert.Throws<ArgumentException>(() => norm.Apply(ones(2, 3, 4)));
            Assert.Contains("'ln_axis'", error.Message);
            Assert.Contains("axis=[1, 3]", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "LayerNormalization", "config": {"name": "layer_normalization", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "axis": [-1], "epsilon": 1e-06, "center": true, "scale": true, "rms_scaling": false,
                 "beta_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                 "gamma_initializer": {"module": "keras.initializers", "class_name": "Ones", "config": {}, "registered_name": null},
                 "beta_regularizer": null, "gamma_regularizer": null, "beta_constraint": null, "gamma_constraint": null},
                 "registered_name": null, "build_config": {"input_shape": [null, 7, 16]}}
                """;

            var norm = Assert.IsType<LayerNormalization>(Layer.Deserialize(json));

            Assert.Equal(1e-6, norm.Epsilon);
            Assert.Equal(new[] { -1 }, norm.Axis);
            Assert.Equal(new long[] { 16 }, norm.Beta!.shape);
        }
    }
}
