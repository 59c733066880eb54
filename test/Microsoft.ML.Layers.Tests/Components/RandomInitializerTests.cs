using Microsoft.ML.Layers.TestFramework;
using System;
using System.Linq;
using Microsoft.ML.Layers.Initializers;
using Xunit;
using static Microsoft.ML.Layers.Tests.Components.ComponentTestHelpers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Components
{
    /// <summary>
    /// RandomNormal, RandomUniform and TruncatedNormal: the values Keras 3's torch backend draws for a seed, and the
    /// statistics of large samples. Seeded draws are deterministic, so these tests cannot flake; the tolerances are
    /// still chosen from the sampling error so that a correct implementation with any seed passes.
    /// </summary>
    public sealed class RandomInitializerTests
    {
        // The standard deviation of a standard normal distribution truncated to (-2, 2), derived here from the normal
        // density and distribution function rather than taken from the code under test:
        // Var = 1 - 2 * 2 * phi(2) / (Phi(2) - Phi(-2)), with phi(2) = exp(-2) / sqrt(2 pi) and
        // Phi(2) - Phi(-2) = erf(sqrt(2)) = 0.9544997361036416 (the "95.45 % within two standard deviations").
        private static readonly double TruncatedStd = Math.Sqrt(1 - 4 * (Math.Exp(-2) / Math.Sqrt(2 * Math.PI)) / 0.9544997361036416);

        public RandomInitializerTests() => EnsureNative();

        [Fact]
        public void SeededRandomNormalStartsWithPyTorchSeed42StandardNormals()
        {
            // Keras 3's torch backend draws torch.normal(mean, stddev, size, generator seeded with the seed). With seed 42
            // a standard normal starts 0.3367, 0.1288, 0.2345 (PyTorch's torch.manual_seed(42); torch.randn(3)).
            using var values = new RandomNormalInitializer(mean: 0.0, stddev: 1.0, seed: 42).Create(new Shape(3), ScalarType.Float32);
            TensorAssert.Close(new[] { 0.3367, 0.1288, 0.2345 }, Values(values), 0, 6e-5);
        }

        [Fact]
        public void SeededRandomUniformStartsWithPyTorchSeed42UniformsScaledToTheRange()
        {
            // torch.manual_seed(42); torch.rand(3) is 0.8823, 0.9150, 0.3829; on [-1, 3) Keras computes 4 * u - 1.
            using var values = new RandomUniformInitializer(minVal: -1.0, maxVal: 3.0, seed: 42).Create(new Shape(3), ScalarType.Float32);
            TensorAssert.Close(new[] { 4 * 0.8823 - 1, 4 * 0.9150 - 1, 4 * 0.3829 - 1 }, Values(values), 0, 3e-4);
        }

        [Fact]
        public void SeededRandomNormalEqualsTorchNormalFromAGeneratorWithThatSeed()
        {
            using var generator = new Generator(1234);
            using var expected = empty(new long[] { 50, 40 }).normal_(0.3, 0.7, generator);
            using var actual = new RandomNormalInitializer(0.3, 0.7, seed: 1234).Create(new Shape(50, 40), ScalarType.Float32);
            Assert.True(SameValues(expected, actual));
        }

        [Fact]
        public void SeededRandomUniformEqualsTorchRandFromAGeneratorWithThatSeedScaledToTheRange()
        {
            using var generator = new Generator(77);
            using var draws = rand(new long[] { 30, 20 }, ScalarType.Float64, generator: generator);
            using var expected = draws * (0.25 - -0.75) + -0.75;
            using var actual = new RandomUniformInitializer(-0.75, 0.25, seed: 77).Create(new Shape(30, 20), ScalarType.Float64);
            Assert.True(SameValues(expected, actual));
        }

        [Fact]
        public void RandomNormalLargeSampleHasTheRequestedMeanAndStddev()
        {
            // n = 200,000: the standard error of the mean is 0.5 / sqrt(n) = 0.0011 and that of the standard deviation
            // about 0.5 / sqrt(2n) = 0.0008; the tolerances are about five standard errors.
            using var values = new RandomNormalInitializer(mean: 1.5, stddev: 0.5, seed: 11).Create(new Shape(200_000), ScalarType.Float32);
            var (mean, std) = Moments(Values(values));
            Assert.InRange(mean, 1.5 - 0.006, 1.5 + 0.006);
            Assert.InRange(std, 0.5 - 0.004, 0.5 + 0.004);
        }

        [Fact]
        public void RandomUniformLargeSampleStaysInRangeAndHasUniformMoments()
        {
            // U(-0.3, 0.7): mean 0.2, standard deviation 1 / sqrt(12). With n = 200,000 the standard error of the mean is
            // 0.29 / sqrt(n) = 0.00065 and that of the standard deviation 0.0003; the tolerances are about five of them.
            // The chance that no draw lies within 0.001 of a bound is 0.999^200000, about e^-200.
            var values = Values(new RandomUniformInitializer(-0.3, 0.7, seed: 3).Create(new Shape(200_000), ScalarType.Float32));
            Assert.All(values, v => Assert.InRange(v, -0.3 - 1e-7, 0.7));
            Assert.InRange(values.Min(), -0.3 - 1e-7, -0.299);
            Assert.InRange(values.Max(), 0.699, 0.7);
            var (mean, std) = Moments(values);
            Assert.InRange(mean, 0.2 - 0.0035, 0.2 + 0.0035);
            Assert.InRange(std, 1 / Math.Sqrt(12) - 0.0015, 1 / Math.Sqrt(12) + 0.0015);
        }

        [Fact]
        public void TruncatedNormalNeverReturnsAValueBeyondTwoStddevs()
        {
            // Keras's torch backend keeps an out-of-range draw when all four candidates of an element are outside
            // (-2, 2): about 2e6 * 0.0455^4 = 8.6 elements of this sample would be, so this test fails unless they are redrawn.
            var values = Values(new TruncatedNormalInitializer(mean: 0.0, stddev: 1.0, seed: 2024).Create(new Shape(2_000_000), ScalarType.Float32));
            Assert.Equal(0, values.Count(v => Math.Abs(v) >= 2));
        }

        [Fact]
        public void TruncatedNormalIsBoundedAroundItsMeanWithTheTruncatedStddev()
        {
            // N(0.5, 2) truncated to 0.5 +- 4. The standard deviation of the truncated distribution is 2 * 0.8796; with
            // n = 200,000 its standard error is below 0.003 and that of the mean below 0.004 (tolerances: 4-5 of them).
            var values = Values(new TruncatedNormalInitializer(mean: 0.5, stddev: 2.0, seed: 9).Create(new Shape(200_000), ScalarType.Float32));
            Assert.All(values, v => Assert.InRange(v, 0.5 - 4 * (1 + 1e-6), 0.5 + 4 * (1 + 1e-6)));
            Assert.True(values.Max() > 0.5 + 3.9 && values.Min() < 0.5 - 3.9, "the sample reaches close to both truncation points");
            var (mean, std) = Moments(values);
            Assert.InRange(mean, 0.5 - 0.02, 0.5 + 0.02);
            Assert.InRange(std, 2 * TruncatedStd - 0.012, 2 * TruncatedStd + 0.012);
        }

        [Fact]
        public void SeededTruncatedNormalKeepsTheFirstOfFourDrawsInsideTwoStddevsAsKerasTorchBackendDoes()
        {
            // Keras's torch backend: draw a standard normal of shape (..., 4) with the seeded generator, keep for each
            // element the first draw strictly inside (-2, 2), then multiply by stddev and add the mean.
            const int n = 500;
            using var generator = new Generator(5);
            var draws = Values(empty(new long[] { n, 4 }).normal_(0.0, 1.0, generator));
            var expected = new double[n];
            for (int i = 0; i < n; i++)
            {
                int j = Enumerable.Range(0, 4).First(k => draws[i * 4 + k] > -2 && draws[i * 4 + k] < 2);
                expected[i] = draws[i * 4 + j] * 0.3 + 0.1;
            }
            using var actual = new TruncatedNormalInitializer(mean: 0.1, stddev: 0.3, seed: 5).Create(new Shape(n), ScalarType.Float32);
            TensorAssert.Close(expected, Values(actual), 0, 1e-6);
        }

        [Fact]
        public void TruncatedNormalWithZeroStddevReturnsTheMean()
        {
            using var values = new TruncatedNormalInitializer(mean: 0.25, stddev: 0.0, seed: 1).Create(new Shape(4, 5), ScalarType.Float32);
            Assert.All(Values(values), v => Assert.Equal(0.25, v));
        }
    }
}
