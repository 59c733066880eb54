using Microsoft.ML.Layers.TestFramework;
using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;
using static Microsoft.ML.Layers.Tests.Components.ComponentTestHelpers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Components
{
    /// <summary>
    /// Every registered activation against Keras 3's definition, computed here in double with System.Math on a 2 x 9
    /// input holding negative, zero and large values, the points where piecewise definitions switch (+-3, 6), and a
    /// second row so that softmax is checked to work along the last axis.
    /// </summary>
    public sealed class ActivationTests
    {
        private static readonly double[][] Input =
        {
            new[] { -20, -3, -1, -0.5, 0, 0.5, 1, 3, 20 },
            new[] { 2, -7, 0.25, 10, -0.1, 6, -6, 1.5, 4 },
        };

        // Keras's SELU constants.
        private const double SeluScale = 1.0507009873554805;
        private const double SeluAlpha = 1.6732632423543772;

        private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

        private static double Softplus(double x) => x > 0 ? x + double.LogP1(Math.Exp(-x)) : double.LogP1(Math.Exp(x));

        private static double HardSigmoid(double x) => x <= -3 ? 0 : x >= 3 ? 1 : x / 6 + 0.5;

        /// <summary>The standard normal distribution function by Simpson's rule on the density (h = 0.0005).</summary>
        private static double NormalCdf(double x)
        {
            int n = Math.Max(2, (int)Math.Ceiling(Math.Abs(x) / 0.0005 / 2) * 2);
            double h = x / n, sum = 0;
            for (int i = 0; i <= n; i++)
            {
                double t = i * h;
                double weight = i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2;
                sum += weight * Math.Exp(-t * t / 2);
            }
            return 0.5 + sum * h / 3 / Math.Sqrt(2 * Math.PI);
        }

        private static readonly Dictionary<string, Func<double, double>> ElementWise = new()
        {
            ["linear"] = x => x,
            ["relu"] = x => Math.Max(x, 0),
            ["relu6"] = x => Math.Min(Math.Max(x, 0), 6),
            ["leaky_relu"] = x => x > 0 ? x : 0.2 * x,
            ["elu"] = x => x > 0 ? x : double.ExpM1(x),
            ["selu"] = x => x > 0 ? SeluScale * x : SeluScale * SeluAlpha * double.ExpM1(x),
            ["sigmoid"] = Sigmoid,
            ["tanh"] = Math.Tanh,
            ["softplus"] = Softplus,
            ["softsign"] = x => x / (1 + Math.Abs(x)),
            ["silu"] = x => x * Sigmoid(x),
            ["swish"] = x => x * Sigmoid(x),
            ["gelu"] = x => x * NormalCdf(x),
            ["exponential"] = Math.Exp,
            ["hard_sigmoid"] = HardSigmoid,
            // Keras 1 and 2's hard sigmoid, kept for imported models.
            ["legacy_hard_sigmoid"] = x => Math.Clamp(0.2 * x + 0.5, 0, 1),
            ["hard_silu"] = x => x * HardSigmoid(x),
            ["hard_swish"] = x => x * HardSigmoid(x),
            ["mish"] = x => x * Math.Tanh(Softplus(x)),
            ["log_sigmoid"] = x => -Softplus(-x),
        };

        private static double[] Softmax(double[] row)
        {
            double max = row.Max();
            var e = row.Select(v => Math.Exp(v - max)).ToArray();
            double sum = e.Sum();
            return e.Select(v => v / sum).ToArray();
        }

        private static double[] LogSoftmax(double[] row)
        {
            double max = row.Max();
            double logSum = Math.Log(row.Sum(v => Math.Exp(v - max)));
            return row.Select(v => v - max - logSum).ToArray();
        }

        private static double[] Expected(string name)
            => name switch
            {
                "softmax" => Input.SelectMany(Softmax).ToArray(),
                "log_softmax" => Input.SelectMany(LogSoftmax).ToArray(),
                _ => Input.SelectMany(row => row.Select(ElementWise[name])).ToArray(),
            };

        public ActivationTests() => EnsureNative();

        public static TheoryData<string, ScalarType> NamesByDType()
        {
            var data = new TheoryData<string, ScalarType>();
            foreach (var name in Activations.Names)
            {
                data.Add(name, ScalarType.Float32);
                data.Add(name, ScalarType.Float64);
            }
            return data;
        }

        [Fact]
        public void EveryRegisteredActivationHasAReferenceDefinitionHere()
        {
            var referenced = ElementWise.Keys.Append("softmax").Append("log_softmax").OrderBy(n => n, StringComparer.Ordinal);
            Assert.Equal(referenced, Activations.Names);
        }

        [Fact]
        public void TheNormalCdfReferenceMatchesTabulatedValues()
        {
            // Phi(1), Phi(-0.5), Phi(3) from standard tables.
            TensorAssert.Close(new[] { 0.8413447460685429, 0.3085375387259869, 0.9986501019683699 }, new[] { NormalCdf(1), NormalCdf(-0.5), NormalCdf(3) }, 0, 1e-14);
        }

        [Theory]
        [MemberData(nameof(NamesByDType))]
        public void ActivationMatchesKerasDefinition(string name, ScalarType dtype)
        {
            using var x = tensor(Input.SelectMany(r => r).ToArray(), new long[] { 2, 9 }).to(dtype);
            using var y = Activations.Get(name).Apply(x);
            Assert.Equal(dtype, y.dtype);
            Assert.Equal(new long[] { 2, 9 }, y.shape);
            // float32 results are within a few units in the last place (about 1e-7 relative); float64 within 1e-12.
            double tolerance = dtype == ScalarType.Float32 ? 1e-6 : 1e-12;
            TensorAssert.Close(Expected(name), Values(y), tolerance, tolerance, name);
        }

        [Theory]
        [InlineData("softmax")]
        [InlineData("log_softmax")]
        public void Float16SoftmaxIsComputedInFloat32AndCastBackAsKerasDoesOnTheCpu(string name)
        {
            using var x = tensor(Input.SelectMany(r => r).Select(v => (float)(v / 4)).ToArray(), new long[] { 2, 9 });
            using var half = x.to(ScalarType.Float16);
            using var wide = half.to(ScalarType.Float32);
            using var reference = name == "softmax" ? wide.softmax(-1) : wide.log_softmax(-1);
            using var expected = reference.to(ScalarType.Float16);
            using var actual = Activations.Get(name).Apply(half);
            Assert.True(SameValues(expected, actual));
        }

        [Fact]
        public void MishIsComputedAsKerasComposesIt()
        {
            // Keras computes mish as x * tanh(softplus(x)) with the backend's softplus and tanh, not a fused kernel.
            using var generator = new Generator(3);
            using var x = randn(new long[] { 4096 }, generator: generator) * 4;
            using var softplus = nn.functional.softplus(x);
            using var tanh = softplus.tanh();
            using var expected = x * tanh;
            using var actual = Activations.Get("mish").Apply(x);
            Assert.True(SameValues(expected, actual));
        }

        [Theory]
        [InlineData("hard_silu")]
        [InlineData("hard_swish")]
        public void HardSiluIsXTimesClippedXPlusThreeThenDividedBySix(string name)
        {
            // Keras's torch backend uses libtorch's hardswish: x * min(max(x + 3, 0), 6) / 6, multiplied before dividing.
            using var generator = new Generator(4);
            using var x = randn(new long[] { 4096 }, generator: generator) * 4;
            using var shifted = x + 3;
            using var clipped = shifted.clamp(0, 6);
            using var product = x * clipped;
            using var expected = product / 6;
            using var actual = Activations.Get(name).Apply(x);
            Assert.True(SameValues(expected, actual));
        }

        [Fact]
        public void SoftmaxRowsSumToOne()
        {
            using var x = tensor(Input.SelectMany(r => r).ToArray(), new long[] { 2, 9 });
            using var y = Activations.Softmax.Apply(x);
            using var sums = y.sum(-1);
            TensorAssert.Close(new[] { 1.0, 1.0 }, Values(sums), 0, 1e-6);
        }

        [Fact]
        public void Keras2HardSigmoidIsAClippedLineOfSlopeOneFifth()
        {
            using var x = tensor(new[] { -3.0, -2.5, 0, 1, 2.5, 3 });
            using var y = Activations.HardSigmoidKeras2.Apply(x);
            TensorAssert.Close(new[] { 0, 0, 0.5, 0.7, 1, 1 }, Values(y), 0, 1e-15);
        }

        [Fact]
        public void NullMeansLinear()
            => Assert.Same(Activations.Linear, Activations.Get(null));

        [Fact]
        public void AnUnknownActivationNameFailsListingTheKnownNames()
        {
            var e = Assert.Throws<ArgumentException>(() => Activations.Get("relu7"));
            Assert.Contains("activation='relu7'", e.Message);
            Assert.Contains("relu6", e.Message);
        }
    }
}
