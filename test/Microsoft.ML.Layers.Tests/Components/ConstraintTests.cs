using Microsoft.ML.Layers.TestFramework;
using System;
using System.Linq;
using Microsoft.ML.Layers.Constraints;
using Xunit;
using static Microsoft.ML.Layers.Tests.Components.ComponentTestHelpers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Components
{
    /// <summary>MaxNorm, UnitNorm, MinMaxNorm and NonNeg on hand-worked examples, with Keras's epsilon 1e-7.</summary>
    public sealed class ConstraintTests
    {
        private const double Epsilon = 1e-7;

        public ConstraintTests() => EnsureNative();

        // w = [[3, 0.6], [4, 0.8]]: column norms 5 and 1; row norms sqrt(9.36) and sqrt(16.64).
        private static Tensor Weight() => Floats(new[] { 3, 0.6, 4, 0.8 }, 2, 2);

        [Fact]
        public void MaxNormScalesColumnsAboveTheLimitDownToIt()
        {
            using var w = Weight();
            using var result = Constraint.MaxNorm(maxValue: 2.0).Apply(w);
            // Column 0 (norm 5) is scaled by 2 / (5 + eps); column 1 (norm 1) by 1 / (1 + eps), i.e. practically kept.
            double s0 = 2 / (5 + Epsilon), s1 = 1 / (1 + Epsilon);
            TensorAssert.Close(new[] { 3 * s0, 0.6 * s1, 4 * s0, 0.8 * s1 }, Values(result), 0, 1e-6);
        }

        [Fact]
        public void MaxNormAlongAxisOneConstrainsRows()
        {
            using var w = Weight();
            using var result = Constraint.MaxNorm(maxValue: 2.0, axis: 1).Apply(w);
            double n0 = Math.Sqrt(9 + 0.36), n1 = Math.Sqrt(16 + 0.64);
            TensorAssert.Close(new[] { 3 * 2 / (n0 + Epsilon), 0.6 * 2 / (n0 + Epsilon), 4 * 2 / (n1 + Epsilon), 0.8 * 2 / (n1 + Epsilon) }, Values(result), 0, 1e-6);
        }

        [Fact]
        public void MaxNormWithANegativeAxisCountsFromTheEnd()
        {
            using var w = Weight();
            using var byLast = Constraint.MaxNorm(2.0, axis: -1).Apply(w);
            using var byOne = Constraint.MaxNorm(2.0, axis: 1).Apply(w);
            Assert.True(SameValues(byLast, byOne));
        }

        [Fact]
        public void MaxNormOverTheFirstThreeAxesConstrainsEachConvFilter()
        {
            // A (3, 3, 2, 4) kernel whose filter f has every entry f + 1: its norm is (f + 1) * sqrt(18).
            var data = new double[3 * 3 * 2 * 4];
            for (int i = 0; i < data.Length; i++)
                data[i] = i % 4 + 1;
            using var w = Floats(data, 3, 3, 2, 4);
            using var result = Constraint.MaxNorm(maxValue: 5.0, axis: new[] { 0, 1, 2 }).Apply(w);
            var expected = data.Select(v =>
            {
                double norm = v * Math.Sqrt(18);
                return v * Math.Min(norm, 5.0) / (norm + Epsilon);
            }).ToArray();
            TensorAssert.Close(expected, Values(result), 0, 1e-6);
        }

        [Fact]
        public void MaxNormLeavesAZeroColumnZero()
        {
            // Keras's epsilon keeps 0 / 0 from producing NaN.
            using var w = Floats(new double[] { 0, 1, 0, 1 }, 2, 2);
            using var result = Constraint.MaxNorm(1.0).Apply(w);
            var values = Values(result);
            Assert.Equal(0.0, values[0]);
            Assert.Equal(0.0, values[2]);
        }

        [Fact]
        public void UnitNormGivesEveryColumnNormOne()
        {
            using var w = Floats(new double[] { 3, 0.3, 4, 0.4 }, 2, 2);
            using var result = Constraint.UnitNorm().Apply(w);
            TensorAssert.Close(new[] { 3 / (5 + Epsilon), 0.3 / (0.5 + Epsilon), 4 / (5 + Epsilon), 0.4 / (0.5 + Epsilon) }, Values(result), 0, 1e-6);
        }

        [Fact]
        public void UnitNormOfAZeroColumnIsZeroNotNaN()
        {
            using var w = zeros(3, 2);
            using var result = Constraint.UnitNorm().Apply(w);
            Assert.All(Values(result), v => Assert.Equal(0.0, v));
        }

        [Fact]
        public void MinMaxNormWithRateHalfMovesNormsHalfwayIntoTheBounds()
        {
            // Column norms 5 and 0.5, bounds [1, 2], rate 0.5:
            //   column 0: desired = 0.5 * clip(5) + 0.5 * 5 = 0.5 * 2 + 2.5 = 3.5, scale 3.5 / 5 = 0.7
            //   column 1: desired = 0.5 * clip(0.5) + 0.5 * 0.5 = 0.5 * 1 + 0.25 = 0.75, scale 0.75 / 0.5 = 1.5
            using var w = Floats(new double[] { 3, 0.3, 4, 0.4 }, 2, 2);
            using var result = Constraint.MinMaxNorm(minValue: 1.0, maxValue: 2.0, rate: 0.5).Apply(w);
            double s0 = 3.5 / (5 + Epsilon), s1 = 0.75 / (0.5 + Epsilon);
            TensorAssert.Close(new[] { 3 * s0, 0.3 * s1, 4 * s0, 0.4 * s1 }, Values(result), 0, 1e-6);
        }

        [Fact]
        public void MinMaxNormWithRateOneClipsNormsIntoTheBounds()
        {
            using var w = Floats(new double[] { 3, 0.3, 4, 0.4 }, 2, 2);
            using var result = Constraint.MinMaxNorm(minValue: 1.0, maxValue: 2.0).Apply(w);
            double s0 = 2 / (5 + Epsilon), s1 = 1 / (0.5 + Epsilon);
            TensorAssert.Close(new[] { 3 * s0, 0.3 * s1, 4 * s0, 0.4 * s1 }, Values(result), 0, 1e-6);
        }

        [Fact]
        public void MinMaxNormWithItsDefaultsClipsNormsToAtMostOne()
        {
            using var w = Floats(new double[] { 3, 0.3, 4, 0.4 }, 2, 2);
            using var result = new MinMaxNormConstraint().Apply(w);
            double s0 = 1 / (5 + Epsilon), s1 = 0.5 / (0.5 + Epsilon);
            TensorAssert.Close(new[] { 3 * s0, 0.3 * s1, 4 * s0, 0.4 * s1 }, Values(result), 0, 1e-6);
        }

        [Fact]
        public void NonNegReplacesNegativeWeightsByZero()
        {
            using var w = Floats(new[] { -1.0, 0.0, 2.5, -0.001, 7.0 }, 5);
            using var result = Constraint.NonNeg().Apply(w);
            Assert.Equal(new[] { 0.0, 0.0, 2.5, 0.0, 7.0 }, Values(result));
        }

        [Fact]
        public void ConstraintsKeepShapeAndDTypeAndReturnANewTensor()
        {
            using var w = randn(3, 4, dtype: ScalarType.Float64);
            var before = Values(w);
            foreach (var constraint in new Constraint[] { Constraint.MaxNorm(0.5), Constraint.UnitNorm(), Constraint.MinMaxNorm(), Constraint.NonNeg() })
            {
                using var result = constraint.Apply(w);
                Assert.Equal(ScalarType.Float64, result.dtype);
                Assert.Equal(new long[] { 3, 4 }, result.shape);
                Assert.Equal(before, Values(w));
            }
        }

        [Fact]
        public void AnAxisOutOfRangeForTheWeightIsRejectedWithTheShape()
        {
            using var w = Weight();
            var e = Assert.Throws<ArgumentException>(() => Constraint.UnitNorm(axis: 2).Apply(w));
            Assert.Contains("axis 2", e.Message);
            Assert.Contains("(2, 2)", e.Message);
        }
    }
}
