using System;
using Microsoft.ML.Layers.Regularizers;
using Xunit;
using static Microsoft.ML.Layers.Tests.Components.ComponentTestHelpers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Components
{
    /// <summary>L1, L2 and L1L2 penalties on hand-worked examples.</summary>
    public sealed class RegularizerTests
    {
        // w = [[1, -2], [3, -4]]: sum |w| = 10, sum w^2 = 1 + 4 + 9 + 16 = 30.
        private static Tensor Weight(ScalarType dtype = ScalarType.Float32) => Floats(new double[] { 1, -2, 3, -4 }, 2, 2).to(dtype);

        public RegularizerTests() => EnsureNative();

        [Fact]
        public void L1IsTheFactorTimesTheSumOfAbsoluteValues()
        {
            using var w = Weight();
            using var penalty = Regularizer.L1(0.5).Compute(w);
            Assert.Equal(5.0, penalty.item<float>());
        }

        [Fact]
        public void L2IsTheFactorTimesTheSumOfSquaresWithoutAHalf()
        {
            using var w = Weight();
            using var penalty = Regularizer.L2(0.25).Compute(w);
            Assert.Equal(7.5, penalty.item<float>());
        }

        [Fact]
        public void L1L2IsTheSumOfBothPenalties()
        {
            using var w = Weight();
            using var penalty = Regularizer.L1L2(l1: 0.5, l2: 0.25).Compute(w);
            Assert.Equal(5.0 + 7.5, penalty.item<float>());
        }

        [Fact]
        public void L1L2WithOnlyAnL2FactorHasNoL1Penalty()
        {
            using var w = Weight();
            using var penalty = Regularizer.L1L2(l2: 0.5).Compute(w);
            Assert.Equal(15.0, penalty.item<float>());
        }

        [Fact]
        public void L1L2WithItsDefaultsIsZero()
        {
            using var w = Weight();
            using var penalty = new L1L2Regularizer().Compute(w);
            Assert.Equal(0.0, penalty.item<float>());
            Assert.Equal(ScalarType.Float32, penalty.dtype);
        }

        [Fact]
        public void L2OfTwoOnAFiveByFiveOnesMatrixIsFifty()
        {
            // Keras's docstring example: L2(2.0)(ops.ones((5, 5))) == 50.0.
            using var x = ones(5, 5);
            using var penalty = Regularizer.L2(2.0).Compute(x);
            Assert.Equal(50.0, penalty.item<float>());
        }

        [Fact]
        public void DefaultFactorsAreKeras001()
        {
            using var w = Weight();
            using var l1 = Regularizer.L1().Compute(w);
            using var l2 = Regularizer.L2().Compute(w);
            Assert.Equal(0.01f * 10f, l1.item<float>(), 6);
            Assert.Equal(0.01f * 30f, l2.item<float>(), 6);
        }

        [Fact]
        public void PenaltyIsAScalarInTheDTypeOfTheValue()
        {
            foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64, ScalarType.Float16, ScalarType.BFloat16 })
            {
                using var w = Weight(dtype);
                foreach (var regularizer in new Regularizer[] { Regularizer.L1(), Regularizer.L2(), Regularizer.L1L2(0.1, 0.2) })
                {
                    using var penalty = regularizer.Compute(w);
                    Assert.Empty(penalty.shape);
                    Assert.Equal(dtype, penalty.dtype);
                }
            }
        }

        [Fact]
        public void AFloat64WeightIsPenalizedWithTheFactorRoundedToFloat32AsKerasDoes()
        {
            // Keras 3 stores l2 as a float32 tensor and casts it to the weight's dtype: 0.01 becomes 0.009999999776482582.
            using var w = Weight(ScalarType.Float64);
            using var penalty = Regularizer.L2(0.01).Compute(w);
            Assert.Equal(30 * 0.009999999776482582, penalty.item<double>());
        }

        [Fact]
        public void PenaltyHasAGradientWithRespectToTheWeight()
        {
            // d/dw (0.5 * sum w^2) = w; d/dw (0.5 * sum |w|) = 0.5 * sign(w).
            using var w = Weight().requires_grad_(true);
            using var penalty = Regularizer.L1L2(l1: 0.5, l2: 0.5).Compute(w);
            penalty.backward();
            Assert.Equal(new[] { 1 + 0.5, -2 - 0.5, 3 + 0.5, -4 - 0.5 }, Values(w.grad!));
        }

        [Fact]
        public void TheNameL1UnderscoreL2GivesKerasDocumentedFactors()
        {
            var regularizer = Assert.IsType<L1L2Regularizer>(Regularizer.Get("l1_l2"));
            Assert.Equal(0.01, regularizer.L1);
            Assert.Equal(0.01, regularizer.L2);
        }

        [Fact]
        public void TheKeras3SnakeCaseNameL1L2GivesTheClassDefaults()
        {
            var regularizer = Assert.IsType<L1L2Regularizer>(Regularizer.Get("l1l2"));
            Assert.Equal(0.0, regularizer.L1);
            Assert.Equal(0.0, regularizer.L2);
        }
    }
}
