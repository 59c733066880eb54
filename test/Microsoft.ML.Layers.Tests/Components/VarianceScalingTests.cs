using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Initializers;
using Xunit;
using static Microsoft.ML.Layers.Tests.Components.ComponentTestHelpers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Components
{
    /// <summary>
    /// VarianceScaling and its named configurations (Glorot, He, LeCun): Keras's fans for a 2-D kernel and a 4-D
    /// convolution kernel (3, 3, 8, 16), the scale of each distribution, and the truncated-normal correction.
    /// </summary>
    public sealed class VarianceScalingTests
    {
        // See RandomInitializerTests: the standard deviation of a standard normal truncated to (-2, 2), derived independently.
        private static readonly double TruncatedStd = Math.Sqrt(1 - 4 * (Math.Exp(-2) / Math.Sqrt(2 * Math.PI)) / 0.9544997361036416);

        private static readonly Shape Dense = new(400, 600);     // fan_in 400, fan_out 600, average 500
        private static readonly Shape Conv = new(3, 3, 8, 16);   // receptive field 9: fan_in 72, fan_out 144, average 108

        public VarianceScalingTests() => EnsureNative();

        /// <summary>Draws from <paramref name="create"/> with seeds 0, 1, ... until at least 200,000 values are collected.</summary>
        private static double[] Sample(Func<long, Initializer> create, Shape shape)
        {
            long perCall = shape.ElementCount!.Value;
            int calls = (int)Math.Ceiling(200_000.0 / perCall);
            var values = new List<double>(calls * (int)perCall);
            for (int seed = 0; seed < calls; seed++)
            {
                using var t = create(seed).Create(shape, ScalarType.Float32);
                values.AddRange(Values(t));
            }
            return values.ToArray();
        }

        public static TheoryData<string, VarianceScalingMode, double, VarianceScalingDistribution, double> FanCases => new()
        {
            // shape, mode, scale, distribution, n (the fan the scale is divided by, worked out by hand)
            { "dense", VarianceScalingMode.FanIn, 1.0, VarianceScalingDistribution.Uniform, 400 },
            { "dense", VarianceScalingMode.FanOut, 2.0, VarianceScalingDistribution.UntruncatedNormal, 600 },
            { "dense", VarianceScalingMode.FanAverage, 3.0, VarianceScalingDistribution.TruncatedNormal, 500 },
            { "conv", VarianceScalingMode.FanIn, 1.0, VarianceScalingDistribution.Uniform, 72 },
            { "conv", VarianceScalingMode.FanOut, 1.0, VarianceScalingDistribution.Uniform, 144 },
            { "conv", VarianceScalingMode.FanAverage, 1.0, VarianceScalingDistribution.Uniform, 108 },
            { "conv", VarianceScalingMode.FanIn, 2.0, VarianceScalingDistribution.TruncatedNormal, 72 },
            { "conv", VarianceScalingMode.FanOut, 2.0, VarianceScalingDistribution.TruncatedNormal, 144 },
            { "conv", VarianceScalingMode.FanAverage, 0.5, VarianceScalingDistribution.UntruncatedNormal, 108 },
        };

        [Theory]
        [MemberData(nameof(FanCases))]
        public void VarianceScalingHasStddevSqrtScaleOverFan(string shapeName, VarianceScalingMode mode, double scale, VarianceScalingDistribution distribution, double n)
        {
            var shape = shapeName == "dense" ? Dense : Conv;
            var values = Sample(seed => new VarianceScalingInitializer(scale, mode, distribution, seed), shape);
            double expectedStd = Math.Sqrt(scale / n);
            var (mean, std) = Moments(values);

            // n >= 200,000: the relative standard error of a sample standard deviation is at most 1 / sqrt(2n) = 0.16 %,
            // so a 1 % tolerance is six standard errors, while the fans of one shape differ by at least 9 % in stddev.
            Assert.InRange(std, expectedStd * 0.99, expectedStd * 1.01);
            Assert.InRange(mean, -0.01 * expectedStd, 0.01 * expectedStd);
            double bound = distribution switch
            {
                VarianceScalingDistribution.Uniform => Math.Sqrt(3 * scale / n),
                VarianceScalingDistribution.TruncatedNormal => 2 * expectedStd / TruncatedStd,
                _ => double.PositiveInfinity,
            };
            double largest = values.Max(Math.Abs);
            Assert.True(largest <= bound * (1 + 1e-6), $"max |x| = {largest} exceeds the bound {bound}");
            if (!double.IsInfinity(bound))
                Assert.True(largest > bound * 0.99, $"max |x| = {largest} does not reach 99 % of the bound {bound}");
        }

        [Fact]
        public void VarianceScalingOfAOneDimensionalShapeUsesItsLengthAsBothFans()
        {
            var values = Sample(seed => new VarianceScalingInitializer(3.0, VarianceScalingMode.FanAverage, VarianceScalingDistribution.Uniform, seed), new Shape(1000));
            double limit = Math.Sqrt(3 * 3.0 / 1000);
            Assert.InRange(values.Max(Math.Abs), limit * 0.99, limit * (1 + 1e-6));
        }

        [Fact]
        public void VarianceScalingUniformEqualsTorchRandScaledToTheHandComputedLimit()
        {
            // Conv kernel, fan_avg = (72 + 144) / 2 = 108: limit = sqrt(3 * 2 / 108).
            double limit = Math.Sqrt(3 * 2.0 / 108);
            using var generator = new Generator(21);
            using var draws = rand(Conv.ToArray(), generator: generator);
            using var expected = draws * (2 * limit) - limit;
            using var actual = new VarianceScalingInitializer(2.0, VarianceScalingMode.FanAverage, VarianceScalingDistribution.Uniform, seed: 21).Create(Conv, ScalarType.Float32);
            Assert.True(expected.allclose(actual, rtol: 1e-6, atol: 1e-7));
        }

        [Fact]
        public void VarianceScalingUntruncatedNormalEqualsTorchNormalWithTheHandComputedStddev()
        {
            using var generator = new Generator(8);
            using var expected = empty(Dense.ToArray()).normal_(0.0, Math.Sqrt(1.0 / 400), generator);
            using var actual = new VarianceScalingInitializer(1.0, VarianceScalingMode.FanIn, VarianceScalingDistribution.UntruncatedNormal, seed: 8).Create(Dense, ScalarType.Float32);
            Assert.True(expected.allclose(actual, rtol: 1e-6, atol: 1e-9));
        }

        [Fact]
        public void DistributionNormalMeansTruncatedNormalAndLetterCaseIsIgnored()
        {
            Assert.Equal(VarianceScalingDistribution.TruncatedNormal, FromConfig("normal").Distribution);
            Assert.Equal(VarianceScalingDistribution.Uniform, FromConfig("Uniform").Distribution);

            static VarianceScalingInitializer FromConfig(string distribution) => Assert.IsType<VarianceScalingInitializer>(
                ComponentRegistry.Deserialize(new JsonObject { ["class_name"] = "VarianceScaling", ["config"] = new JsonObject { ["distribution"] = distribution } },
                    typeof(Initializer)));
        }

        public static TheoryData<string, double, bool> Presets => new()
        {
            // name, expected stddev for the conv kernel (fan_in 72, fan_out 144), uniform?
            { "GlorotUniform", Math.Sqrt(2.0 / (72 + 144)), true },
            { "GlorotNormal", Math.Sqrt(2.0 / (72 + 144)), false },
            { "HeUniform", Math.Sqrt(2.0 / 72), true },
            { "HeNormal", Math.Sqrt(2.0 / 72), false },
            { "LecunUniform", Math.Sqrt(1.0 / 72), true },
            { "LecunNormal", Math.Sqrt(1.0 / 72), false },
        };

        private static Initializer Preset(string name, long seed) => name switch
        {
            "GlorotUniform" => Initializer.GlorotUniform(seed),
            "GlorotNormal" => Initializer.GlorotNormal(seed),
            "HeUniform" => Initializer.HeUniform(seed),
            "HeNormal" => Initializer.HeNormal(seed),
            "LecunUniform" => Initializer.LecunUniform(seed),
            "LecunNormal" => Initializer.LecunNormal(seed),
            _ => throw new ArgumentException(name),
        };

        [Theory]
        [MemberData(nameof(Presets))]
        public void NamedConfigurationHasItsTextbookStddevAndBoundOnAConvKernel(string name, double expectedStd, bool uniform)
        {
            // Glorot: Var = 2 / (fan_in + fan_out); He: 2 / fan_in; LeCun: 1 / fan_in. Uniform variants draw on
            // [-sqrt(3) * std, sqrt(3) * std); normal variants are truncated at two (pre-truncation) standard deviations.
            var values = Sample(seed => Preset(name, seed), Conv);
            var (_, std) = Moments(values);
            Assert.InRange(std, expectedStd * 0.99, expectedStd * 1.01);
            double bound = uniform ? Math.Sqrt(3) * expectedStd : 2 * expectedStd / TruncatedStd;
            double largest = values.Max(Math.Abs);
            Assert.InRange(largest, bound * 0.99, bound * (1 + 1e-6));
        }

        [Fact]
        public void GlorotUniformOnADenseKernelIsBoundedBySqrtSixOverFanSum()
        {
            var values = Sample(seed => Initializer.GlorotUniform(seed), Dense);
            double limit = Math.Sqrt(6.0 / (400 + 600));
            Assert.InRange(values.Max(Math.Abs), limit * 0.999, limit * (1 + 1e-6));
        }

        [Fact]
        public void NamedConfigurationsAreVarianceScalingWithKerasArguments()
        {
            var expected = new (VarianceScalingInitializer Initializer, double Scale, VarianceScalingMode Mode, VarianceScalingDistribution Distribution)[]
            {
                (Initializer.GlorotUniform(), 1.0, VarianceScalingMode.FanAverage, VarianceScalingDistribution.Uniform),
                (Initializer.GlorotNormal(), 1.0, VarianceScalingMode.FanAverage, VarianceScalingDistribution.TruncatedNormal),
                (Initializer.HeUniform(), 2.0, VarianceScalingMode.FanIn, VarianceScalingDistribution.Uniform),
                (Initializer.HeNormal(), 2.0, VarianceScalingMode.FanIn, VarianceScalingDistribution.TruncatedNormal),
                (Initializer.LecunUniform(), 1.0, VarianceScalingMode.FanIn, VarianceScalingDistribution.Uniform),
                (Initializer.LecunNormal(), 1.0, VarianceScalingMode.FanIn, VarianceScalingDistribution.TruncatedNormal),
            };
            foreach (var (initializer, scale, mode, distribution) in expected)
            {
                Assert.Equal(scale, initializer.Scale);
                Assert.Equal(mode, initializer.Mode);
                Assert.Equal(distribution, initializer.Distribution);
            }
        }
    }
}
