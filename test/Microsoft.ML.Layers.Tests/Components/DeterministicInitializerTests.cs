using System;
using System.Linq;
using Microsoft.ML.Layers.Initializers;
using Xunit;
using static Microsoft.ML.Layers.Tests.Components.ComponentTestHelpers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Components
{
    /// <summary>Zeros, Ones, Constant and Identity: exact values.</summary>
    public sealed class DeterministicInitializerTests
    {
        public DeterministicInitializerTests() => EnsureNative();

        [Fact]
        public void ZerosFillsTheShapeWithZeros()
        {
            using var t = Initializer.Zeros().Create(new Shape(2, 3), ScalarType.Float32);
            Assert.Equal(new long[] { 2, 3 }, t.shape);
            Assert.All(Values(t), v => Assert.Equal(0.0, v));
        }

        [Fact]
        public void OnesFillsTheShapeWithOnes()
        {
            using var t = Initializer.Ones().Create(new Shape(4), ScalarType.Float64);
            Assert.Equal(new[] { 1.0, 1.0, 1.0, 1.0 }, Values(t));
        }

        [Fact]
        public void ConstantFillsTheShapeWithItsValue()
        {
            using var t = Initializer.Constant(2.5).Create(new Shape(3, 2), ScalarType.Float32);
            Assert.All(Values(t), v => Assert.Equal(2.5, v));
        }

        [Fact]
        public void ConstantKeepsFullPrecisionInFloat64()
        {
            // 0.1 is not a float32 value: a float64 weight must hold the double 0.1 itself.
            using var t = Initializer.Constant(0.1).Create(new Shape(2), ScalarType.Float64);
            Assert.Equal(new[] { 0.1, 0.1 }, Values(t));
        }

        [Fact]
        public void ConstantDefaultsToZero()
        {
            using var t = new ConstantInitializer().Create(new Shape(2), ScalarType.Float32);
            Assert.Equal(new[] { 0.0, 0.0 }, Values(t));
        }

        [Fact]
        public void ConstantIsCastToAnIntegerDtypeBeforeFilling()
        {
            // Keras: cast(value, dtype) * ones(shape, dtype); 2.7 cast to int32 is 2.
            using var t = Initializer.Constant(2.7).Create(new Shape(3), ScalarType.Int32);
            Assert.Equal(ScalarType.Int32, t.dtype);
            Assert.Equal(new[] { 2.0, 2.0, 2.0 }, Values(t));
        }

        [Fact]
        public void ConstantOfAScalarShapeIsAZeroDimensionalTensor()
        {
            using var t = Initializer.Constant(-1.25).Create(Shape.Scalar, ScalarType.Float32);
            Assert.Empty(t.shape);
            Assert.Equal(-1.25, t.item<float>());
        }

        [Fact]
        public void IdentityIsTheIdentityMatrixTimesTheGain()
        {
            using var t = Initializer.Identity(gain: 2.0).Create(new Shape(3, 3), ScalarType.Float32);
            Assert.Equal(new double[] { 2, 0, 0, 0, 2, 0, 0, 0, 2 }, Values(t));
        }

        [Fact]
        public void IdentityOfAWideMatrixHasOnesOnTheMainDiagonal()
        {
            using var t = Initializer.Identity().Create(new Shape(2, 4), ScalarType.Float32);
            Assert.Equal(new double[] { 1, 0, 0, 0, 0, 1, 0, 0 }, Values(t));
        }

        [Fact]
        public void IdentityOfATallMatrixHasOnesOnTheMainDiagonal()
        {
            using var t = Initializer.Identity().Create(new Shape(3, 2), ScalarType.Float64);
            Assert.Equal(new double[] { 1, 0, 0, 1, 0, 0 }, Values(t));
        }

        [Fact]
        public void IdentityInAnIntegerDtypeKeepsTheDtype()
        {
            using var t = Initializer.Identity().Create(new Shape(2, 2), ScalarType.Int64);
            Assert.Equal(ScalarType.Int64, t.dtype);
            Assert.Equal(new double[] { 1, 0, 0, 1 }, Values(t));
        }

        [Theory]
        [InlineData(new long[] { 3 })]
        [InlineData(new long[] { 2, 2, 2 })]
        [InlineData(new long[0])]
        public void IdentityRejectsShapesThatAreNotTwoDimensional(long[] dims)
        {
            var e = Assert.Throws<ArgumentException>(() => Initializer.Identity().Create(new Shape(dims), ScalarType.Float32));
            Assert.Contains("2D", e.Message);
            Assert.Contains($"shape={new Shape(dims)}", e.Message);
        }

        [Fact]
        public void CreatedTensorsDoNotRequireGradients()
        {
            using var t = Initializer.Constant(1.0).Create(new Shape(2), ScalarType.Float32);
            Assert.False(t.requires_grad);
            using var r = Initializer.GlorotUniform(seed: 1).Create(new Shape(2, 2), ScalarType.Float32);
            Assert.False(r.requires_grad);
        }

        [Fact]
        public void AShapeWithAnUnknownDimensionIsRejected()
        {
            var e = Assert.Throws<ArgumentException>(() => Initializer.Zeros().Create(new Shape(Shape.Unknown, 3), ScalarType.Float32));
            Assert.Contains("(None, 3)", e.Message);
        }
    }
}
