using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// A tensor shape as Keras sees it: a list of dimensions, where <see cref="Unknown"/> (-1) stands for a
    /// dimension not known yet (Keras's <c>None</c>, e.g. the batch dimension of a symbolic input).
    /// </summary>
    /// <remarks>
    /// Indexing accepts negative axes and C# indices from the end: <c>shape[-1]</c> and <c>shape[^1]</c> are both
    /// the last dimension, and a dimension can be passed straight to <c>new Shape(...)</c>.
    /// </remarks>
    public sealed class Shape : IReadOnlyList<long>, IEquatable<Shape>
    {
        /// <summary>The value of a dimension that is not known (Keras's <c>None</c>).</summary>
        public const long Unknown = -1;

        private readonly long[] _dimensions;

        /// <summary>Creates a shape from its dimensions; each is positive, zero, or <see cref="Unknown"/>.</summary>
        /// <exception cref="ArgumentOutOfRangeException">A dimension is below -1.</exception>
        public Shape(params long[] dimensions)
        {
            ArgumentNullException.ThrowIfNull(dimensions);
            for (int i = 0; i < dimensions.Length; i++)
            {
                if (dimensions[i] < Unknown)
                    throw new ArgumentOutOfRangeException(nameof(dimensions),
                        $"Shape dimension {i} must be >= 0, or -1 for unknown. Received: {dimensions[i]} in " +
                        $"({string.Join(", ", dimensions)}).");
            }
            _dimensions = (long[])dimensions.Clone();
        }

        /// <summary>Creates a shape from a sequence of dimensions.</summary>
        public Shape(IEnumerable<long> dimensions) : this(dimensions.ToArray())
        {
        }

        /// <summary>The shape of a scalar: no dimensions.</summary>
        public static Shape Scalar { get; } = new();

        /// <summary>The shape of a tensor.</summary>
        public static Shape Of(TorchSharp.torch.Tensor tensor) => new(tensor.shape);

        /// <summary>The number of dimensions.</summary>
        public int Rank => _dimensions.Length;

        /// <inheritdoc />
        public int Count => _dimensions.Length;

        /// <summary>A dimension; negative axes count from the end (-1 is the last).</summary>
        public long this[int axis] => _dimensions[NormalizeAxis(axis)];

        /// <summary>A dimension by index, including indices from the end (<c>^1</c>).</summary>
        public long this[Index axis] => _dimensions[axis];

        /// <summary>A range of dimensions as a new shape (<c>shape[1..]</c> drops the batch dimension).</summary>
        public Shape this[Range range] => new(_dimensions[range]);

        /// <summary>Whether every dimension is known.</summary>
        public bool IsFullyDefined => _dimensions.All(d => d != Unknown);

        /// <summary>The number of elements, or <see langword="null"/> when a dimension is unknown.</summary>
        public long? ElementCount => IsFullyDefined ? _dimensions.Aggregate(1L, (a, b) => a * b) : null;

        /// <summary>Converts an axis that may be negative to its position, checking it is in range.</summary>
        /// <exception cref="ArgumentOutOfRangeException">The axis is outside <c>[-Rank, Rank)</c>.</exception>
        public int NormalizeAxis(int axis)
        {
            int normalized = axis < 0 ? axis + Rank : axis;
            if (normalized < 0 || normalized >= Rank)
                throw new ArgumentOutOfRangeException(nameof(axis), $"Axis {axis} is out of range for shape {this} of rank {Rank}.");
            return normalized;
        }

        /// <summary>A copy of the dimensions.</summary>
        public long[] ToArray() => (long[])_dimensions.Clone();

        /// <summary>This shape with a dimension put in front (typically the batch dimension).</summary>
        public Shape Prepend(long dimension) => new(new[] { dimension }.Concat(_dimensions));

        /// <summary>This shape with a dimension added at the end.</summary>
        public Shape Append(long dimension) => new(_dimensions.Append(dimension));

        /// <summary>This shape with one dimension replaced.</summary>
        public Shape With(int axis, long dimension)
        {
            var copy = ToArray();
            copy[NormalizeAxis(axis)] = dimension;
            return new Shape(copy);
        }

        /// <summary>
        /// Whether a concrete shape matches this one, where an unknown dimension here matches any size.
        /// </summary>
        public bool IsCompatibleWith(Shape other)
        {
            ArgumentNullException.ThrowIfNull(other);
            if (other.Rank != Rank)
                return false;
            for (int i = 0; i < Rank; i++)
            {
                if (_dimensions[i] != Unknown && other._dimensions[i] != Unknown && _dimensions[i] != other._dimensions[i])
                    return false;
            }
            return true;
        }

        /// <summary>Keras's notation: <c>(None, 8, 8, 1)</c>.</summary>
        public override string ToString()
            => Rank == 1 ? $"({Format(_dimensions[0])},)" : "(" + string.Join(", ", _dimensions.Select(Format)) + ")";

        private static string Format(long dimension)
            => dimension == Unknown ? "None" : dimension.ToString(System.Globalization.CultureInfo.InvariantCulture);

        /// <inheritdoc />
        public IEnumerator<long> GetEnumerator() => ((IEnumerable<long>)_dimensions).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        /// <inheritdoc />
        public bool Equals(Shape? other) => other is not null && _dimensions.AsSpan().SequenceEqual(other._dimensions);

        /// <inheritdoc />
        public override bool Equals(object? obj) => Equals(obj as Shape);

        /// <inheritdoc />
        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var d in _dimensions)
                hash.Add(d);
            return hash.ToHashCode();
        }

        /// <summary>Value equality.</summary>
        public static bool operator ==(Shape? left, Shape? right) => left is null ? right is null : left.Equals(right);

        /// <summary>Value inequality.</summary>
        public static bool operator !=(Shape? left, Shape? right) => !(left == right);

        /// <summary>A one-dimensional shape: <c>Shape s = 20;</c> is <c>(20,)</c>.</summary>
        public static implicit operator Shape(long dimension) => new(dimension);

        /// <summary>A shape from an array of dimensions.</summary>
        public static implicit operator Shape(long[] dimensions) => new(dimensions);

        /// <summary>A shape from an array of dimensions.</summary>
        public static implicit operator Shape(int[] dimensions) => new(dimensions.Select(d => (long)d));
    }
}
