using System;
using System.Linq;
using TorchSharp;

namespace Microsoft.ML.Layers.Initializers
{
    /// <summary>
    /// An orthogonal matrix times a gain (Keras's <c>Orthogonal</c>, <c>"orthogonal"</c>; Keras 3.0 to 3.3 named the class
    /// <c>OrthogonalInitializer</c>, which also resolves). The shape is flattened to
    /// <c>(shape[0] * ... * shape[n-2], shape[n-1])</c>; a normal matrix of the taller orientation is drawn, its QR
    /// decomposition taken, and the columns of Q multiplied by the signs of R's diagonal so that the result is uniformly
    /// distributed. A matrix with fewer rows than columns has orthonormal rows, otherwise orthonormal columns.
    /// </summary>
    /// <remarks>
    /// With a seed the values are those of Keras 3's torch backend for float32 and float64. libtorch has no QR
    /// decomposition for float16 and bfloat16 (Keras fails there); this class draws the matrix in the requested dtype,
    /// decomposes it in float32 and returns the result in the requested dtype. Seeds behave as described on
    /// <see cref="RandomNormalInitializer"/>. Reference: Saxe et al., 2014.
    /// </remarks>
    [RegisterComponent("Orthogonal", Aliases = new[] { "orthogonal", "OrthogonalInitializer", "orthogonal_initializer" })]
    public sealed class OrthogonalInitializer : Initializer
    {
        /// <summary>Creates the initializer (Keras's defaults: gain 1.0, no seed).</summary>
        /// <param name="gain">The factor applied to the orthogonal matrix.</param>
        /// <param name="seed">The seed; every call returns the same values. <see langword="null"/> draws from the global generator.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="gain"/> is not finite.</exception>
        public OrthogonalInitializer(double gain = 1.0, long? seed = null)
        {
            Arguments.Finite(gain, nameof(gain));
            Gain = gain;
            Seed = seed;
        }

        /// <summary>The factor applied to the orthogonal matrix.</summary>
        public double Gain { get; }

        /// <summary>The seed, or <see langword="null"/> to draw from TorchSharp's global generator.</summary>
        public long? Seed { get; }

        /// <inheritdoc />
        /// <exception cref="ArgumentException">The shape has fewer than two dimensions, or the dtype is not floating.</exception>
        public override torch.Tensor Create(Shape shape, torch.ScalarType dtype)
        {
            var dimensions = Sampling.Dimensions(shape, dtype, "Orthogonal");
            if (shape.Rank < 2)
            {
                throw new ArgumentException(
                    $"The tensor to initialize with Orthogonal must be at least two-dimensional. Received: shape={shape} of rank " +
                    $"{shape.Rank}.", nameof(shape));
            }
            Sampling.RequireFloating(dtype, "Orthogonal");

            long rows = dimensions.Take(dimensions.Length - 1).Aggregate(1L, (a, b) => a * b);
            long columns = dimensions[^1];
            using var scope = torch.NewDisposeScope();
            using var generator = Sampling.GeneratorFor(Seed);
            var matrix = Sampling.Normal(new[] { Math.Max(rows, columns), Math.Min(rows, columns) }, 0.0, 1.0, dtype, generator);
            bool lowPrecision = dtype is torch.ScalarType.Float16 or torch.ScalarType.BFloat16;
            if (lowPrecision)
                matrix = matrix.to(torch.ScalarType.Float32);

            var (q, r) = torch.linalg.qr(matrix);
            q = q * r.diagonal().sign();
            if (rows < columns)
                q = q.t();
            var result = q.reshape(dimensions).MulScalar(Gain);
            if (lowPrecision)
                result = result.to(dtype);
            return result.MoveToOuterDisposeScope();
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => base.GetConfig().With("seed", Seed).With("gain", Gain);
    }
}
