using System;
using System.Linq;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// An integer or a tuple of integers, for arguments Keras accepts in either form (<c>kernel_size=3</c> or
    /// <c>kernel_size=(3, 5)</c>): write <c>kernelSize: 3</c>, <c>kernelSize: (3, 5)</c> or <c>kernelSize: new[] { 3, 5 }</c>.
    /// Serialized as a list.
    /// </summary>
    public readonly struct IntTuple : IEquatable<IntTuple>
    {
        private readonly int[]? _values;

        /// <summary>Creates a tuple from its values.</summary>
        public IntTuple(params int[] values) => _values = (int[])(values ?? throw new ArgumentNullException(nameof(values))).Clone();

        /// <summary>The values as given (one value stands for every axis).</summary>
        public int[] Values => _values is null ? Array.Empty<int>() : (int[])_values.Clone();

        /// <summary>The number of values given.</summary>
        public int Count => _values?.Length ?? 0;

        /// <summary>
        /// The values for <paramref name="rank"/> axes: a single value is repeated, otherwise the count must be the rank.
        /// </summary>
        /// <exception cref="ArgumentException">The count is neither 1 nor <paramref name="rank"/>; the message names
        /// <paramref name="argument"/>.</exception>
        public int[] Expand(int rank, string argument)
        {
            if (Count == 1)
                return Enumerable.Repeat(_values![0], rank).ToArray();
            if (Count == rank)
                return Values;
            throw new ArgumentException($"The `{argument}` argument must be a tuple of {rank} integers. Received: {argument}={this}.",
                argument);
        }

        /// <summary>One value.</summary>
        public static implicit operator IntTuple(int value) => new(value);

        /// <summary>Several values.</summary>
        public static implicit operator IntTuple(int[] values) => new(values);

        /// <summary>Two values.</summary>
        public static implicit operator IntTuple((int, int) values) => new(values.Item1, values.Item2);

        /// <summary>Three values.</summary>
        public static implicit operator IntTuple((int, int, int) values) => new(values.Item1, values.Item2, values.Item3);

        /// <inheritdoc />
        public bool Equals(IntTuple other) => Values.AsSpan().SequenceEqual(other.Values);

        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is IntTuple other && Equals(other);

        /// <inheritdoc />
        public override int GetHashCode() => Values.Aggregate(17, (h, v) => h * 31 + v);

        /// <summary>Value equality.</summary>
        public static bool operator ==(IntTuple left, IntTuple right) => left.Equals(right);

        /// <summary>Value inequality.</summary>
        public static bool operator !=(IntTuple left, IntTuple right) => !left.Equals(right);

        /// <summary>Python's notation: <c>3</c> or <c>(3, 5)</c>.</summary>
        public override string ToString()
            => Count == 1 ? _values![0].ToString(System.Globalization.CultureInfo.InvariantCulture) : "(" + string.Join(", ", Values) + ")";
    }
}
