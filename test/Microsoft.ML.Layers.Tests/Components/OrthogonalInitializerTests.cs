using System;
using System.Linq;
using Microsoft.ML.Layers.Initializers;
using Xunit;
using static Microsoft.ML.Layers.Tests.Components.ComponentTestHelpers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Components
{
    /// <summary>Orthogonal: orthonormal columns (tall) or rows (wide), Keras's flattening and sign correction, the gain.</summary>
    public sealed class OrthogonalInitializerTests
    {
        public OrthogonalInitializerTests() => EnsureNative();

        /// <summary>Asserts <c>m^T m = gain^2 I</c> (columns) for a 2-D matrix, computed element by element in double.</summary>
        private static void AssertOrthogonalColumns(double[] m, int rows, int columns, double gain, double tolerance)
        {
            for (int a = 0; a < columns; a++)
            {
                for (int b = 0; b < columns; b++)
                {
                    double dot = 0;
                    for (int r = 0; r < rows; r++)
                        dot += m[r * columns + a] * m[r * columns + b];
                    double expected = a == b ? gain * gain : 0.0;
                    Assert.True(Math.Abs(dot - expected) <= tolerance, $"column {a} . column {b} = {dot}, expected {expected}");
                }
            }
        }

        private static double[] Transpose(double[] m, int rows, int columns)
        {
            var t = new double[m.Length];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < columns; c++)
                    t[c * rows + r] = m[r * columns + c];
            return t;
        }

        [Fact]
        public void TallMatrixHasOrthonormalColumns()
        {
            using var q = Initializer.Orthogonal(seed: 3).Create(new Shape(6, 4), ScalarType.Float64);
            AssertOrthogonalColumns(Values(q), 6, 4, gain: 1.0, tolerance: 1e-12);
        }

        [Fact]
        public void WideMatrixHasOrthonormalRows()
        {
            using var q = Initializer.Orthogonal(seed: 4).Create(new Shape(3, 7), ScalarType.Float64);
            // Rows of q are the columns of its transpose.
            AssertOrthogonalColumns(Transpose(Values(q), 3, 7), 7, 3, gain: 1.0, tolerance: 1e-12);
        }

        [Fact]
        public void SquareFloat32MatrixIsOrthogonalWithinFloat32Precision()
        {
            using var q = Initializer.Orthogonal(seed: 5).Create(new Shape(16, 16), ScalarType.Float32);
            AssertOrthogonalColumns(Values(q), 16, 16, gain: 1.0, tolerance: 1e-5);
        }

        [Fact]
        public void GainScalesTheOrthogonalMatrix()
        {
            using var q = Initializer.Orthogonal(gain: 2.0, seed: 6).Create(new Shape(5, 3), ScalarType.Float64);
            AssertOrthogonalColumns(Values(q), 5, 3, gain: 2.0, tolerance: 1e-12);
        }

        [Fact]
        public void ConvKernelIsFlattenedToAllButTheLastDimensionByTheLast()
        {
            // (3, 3, 4, 8) is flattened to (36, 8): 8 orthonormal columns of length 36.
            using var q = Initializer.Orthogonal(seed: 7).Create(new Shape(3, 3, 4, 8), ScalarType.Float64);
            Assert.Equal(new long[] { 3, 3, 4, 8 }, q.shape);
            AssertOrthogonalColumns(Values(q), 36, 8, gain: 1.0, tolerance: 1e-12);
        }

        [Fact]
        public void SeededResultIsTheSignCorrectedQOfTheSeededNormalMatrix()
        {
            // Keras: a = normal((6, 4), seed); q, r = qr(a); q *= sign(diag(r)). Then q^T a = diag(sign) r is upper
            // triangular with a positive diagonal, and q q^T a = a. Checked in double from the same seeded draw.
            using var generator = new Generator(11);
            var a = Values(empty(new long[] { 6, 4 }, ScalarType.Float64).normal_(0.0, 1.0, generator));
            var q = Values(Initializer.Orthogonal(seed: 11).Create(new Shape(6, 4), ScalarType.Float64));
            for (int i = 0; i < 4; i++)
            {
                for (int j = 0; j < 4; j++)
                {
                    double qa = Enumerable.Range(0, 6).Sum(r => q[r * 4 + i] * a[r * 4 + j]);
                    if (i == j)
                        Assert.True(qa > 0, $"(q^T a)[{i},{i}] = {qa} must be positive");
                    else if (i > j)
                        Assert.True(Math.Abs(qa) < 1e-12, $"(q^T a)[{i},{j}] = {qa} must be 0");
                }
            }
        }

        [Fact]
        public void SeededWideResultIsTheTransposeOfTheTallResult()
        {
            // A (4, 6) matrix draws the same (6, 4) normal matrix as a (6, 4) one and returns its Q transposed.
            var tall = Values(Initializer.Orthogonal(seed: 12).Create(new Shape(6, 4), ScalarType.Float64));
            var wide = Values(Initializer.Orthogonal(seed: 12).Create(new Shape(4, 6), ScalarType.Float64));
            Assert.Equal(Transpose(tall, 6, 4), wide);
        }

        [Theory]
        [InlineData(ScalarType.Float16)]
        [InlineData(ScalarType.BFloat16)]
        public void LowPrecisionDtypesAreOrthogonalWithinTheirPrecision(ScalarType dtype)
        {
            using var q = Initializer.Orthogonal(seed: 13).Create(new Shape(8, 4), dtype);
            Assert.Equal(dtype, q.dtype);
            AssertOrthogonalColumns(Values(q), 8, 4, gain: 1.0, tolerance: 0.05);
        }

        [Theory]
        [InlineData(new long[] { 5 })]
        [InlineData(new long[0])]
        public void ShapesOfRankBelowTwoAreRejected(long[] dims)
        {
            var e = Assert.Throws<ArgumentException>(() => Initializer.Orthogonal().Create(new Shape(dims), ScalarType.Float32));
            Assert.Contains("at least two-dimensional", e.Message);
            Assert.Contains($"rank {dims.Length}", e.Message);
        }
    }
}
