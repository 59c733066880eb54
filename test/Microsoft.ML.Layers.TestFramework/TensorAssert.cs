using System;
using System.Globalization;
using System.Linq;
using Xunit.Sdk;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.TestFramework
{
    /// <summary>
    /// The one family of tolerance comparisons of the test projects. Every overload checks, element by element,
    /// <c>|actual - expected| &lt;= atol + rtol * |expected|</c> (numpy's and torch's <c>allclose</c> rule; NaN never passes,
    /// equal infinities do), after checking that both sides have one shape. A failure names the first differing index with
    /// its expected and actual values, the largest absolute difference and where it is, and how many elements differ.
    /// </summary>
    public static class TensorAssert
    {
        /// <summary>Asserts two tensors have one shape and close values (compared in float64, whatever their dtypes).</summary>
        public static void Close(Tensor expected, Tensor actual, double rtol, double atol, string? what = null)
        {
            ArgumentNullException.ThrowIfNull(expected);
            ArgumentNullException.ThrowIfNull(actual);
            if (!expected.shape.SequenceEqual(actual.shape))
            {
                throw new XunitException(
                    $"{Prefix(what)}shapes differ: expected {FormatShape(expected.shape)}, actual {FormatShape(actual.shape)}.");
            }
            Compare(Values(expected), Values(actual), expected.shape, rtol, atol, what);
        }

        /// <summary>Asserts two double arrays have one length and close values.</summary>
        public static void Close(double[] expected, double[] actual, double rtol, double atol, string? what = null)
        {
            ArgumentNullException.ThrowIfNull(expected);
            ArgumentNullException.ThrowIfNull(actual);
            CheckLengths(expected.Length, actual.Length, what);
            Compare(expected, actual, new long[] { expected.Length }, rtol, atol, what);
        }

        /// <summary>Asserts two float arrays have one length and close values.</summary>
        public static void Close(float[] expected, float[] actual, double rtol, double atol, string? what = null)
        {
            ArgumentNullException.ThrowIfNull(expected);
            ArgumentNullException.ThrowIfNull(actual);
            CheckLengths(expected.Length, actual.Length, what);
            Compare(Widen(expected), Widen(actual), new long[] { expected.Length }, rtol, atol, what);
        }

        /// <summary>Asserts two jagged arrays (rows of floats, e.g. a scored column) have one shape and close values.</summary>
        public static void Close(float[][] expected, float[][] actual, double rtol, double atol, string? what = null)
        {
            ArgumentNullException.ThrowIfNull(expected);
            ArgumentNullException.ThrowIfNull(actual);
            if (expected.Length != actual.Length)
                throw new XunitException($"{Prefix(what)}row counts differ: expected {expected.Length}, actual {actual.Length}.");
            for (int r = 0; r < expected.Length; r++)
            {
                if (expected[r].Length != actual[r].Length)
                    throw new XunitException($"{Prefix(what)}row {r} lengths differ: expected {expected[r].Length}, actual {actual[r].Length}.");
            }
            // Rows may differ in length from one another: compare them as one flat sequence, reporting [row, column].
            var e = expected.SelectMany(row => row).Select(v => (double)v).ToArray();
            var a = actual.SelectMany(row => row).Select(v => (double)v).ToArray();
            var cells = expected.SelectMany((row, r) => row.Select((_, c) => $"[{r}, {c}]")).ToArray();
            Compare(e, a, rtol, atol, what, i => cells[i]);
        }

        /// <summary>Asserts two rectangular arrays of any rank (float or double elements) have one shape and close values.</summary>
        public static void Close(Array expected, Array actual, double rtol, double atol, string? what = null)
        {
            ArgumentNullException.ThrowIfNull(expected);
            ArgumentNullException.ThrowIfNull(actual);
            long[] expectedShape = ShapeOf(expected), actualShape = ShapeOf(actual);
            if (!expectedShape.SequenceEqual(actualShape))
                throw new XunitException($"{Prefix(what)}shapes differ: expected {FormatShape(expectedShape)}, actual {FormatShape(actualShape)}.");
            Compare(Flatten(expected), Flatten(actual), expectedShape, rtol, atol, what);
        }

        /// <summary>Asserts two numbers are close.</summary>
        public static void Close(double expected, double actual, double rtol, double atol, string? what = null)
            => Compare(new[] { expected }, new[] { actual }, rtol, atol, what, _ => string.Empty);

        /// <summary>Whether <paramref name="actual"/> is within <c>atol + rtol * |expected|</c> of <paramref name="expected"/>.</summary>
        public static bool IsClose(double expected, double actual, double rtol, double atol)
            => expected == actual || Math.Abs(actual - expected) <= atol + rtol * Math.Abs(expected);

        private static void Compare(double[] expected, double[] actual, long[] shape, double rtol, double atol, string? what)
            => Compare(expected, actual, rtol, atol, what, i => FormatIndex(i, shape));

        private static void Compare(double[] expected, double[] actual, double rtol, double atol, string? what, Func<int, string> index)
        {
            if (rtol < 0 || atol < 0)
                throw new ArgumentOutOfRangeException(nameof(rtol), $"Tolerances must not be negative (rtol={rtol}, atol={atol}).");
            int first = -1, largestAt = -1, failures = 0;
            double largest = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                bool nan = double.IsNaN(expected[i]) || double.IsNaN(actual[i]);
                double difference = nan ? double.PositiveInfinity : expected[i] == actual[i] ? 0 : Math.Abs(actual[i] - expected[i]);
                if (difference > largest)
                {
                    largest = difference;
                    largestAt = i;
                }
                if (nan || !IsClose(expected[i], actual[i], rtol, atol))
                {
                    failures++;
                    if (first < 0)
                        first = i;
                }
            }
            if (first < 0)
                return;
            string where = index(first);
            string at = where.Length == 0 ? "" : $" at {where}";
            string largestWhere = largestAt < 0 ? "" : index(largestAt);
            throw new XunitException(
                $"{Prefix(what)}values differ{at}: expected {F(expected[first])}, actual {F(actual[first])}. "
                + $"{failures} of {expected.Length} element(s) outside atol + rtol * |expected| (rtol={F(rtol)}, atol={F(atol)}); "
                + $"max abs difference {F(largest)}{(largestWhere.Length == 0 ? "" : $" at {largestWhere}")}.");
        }

        private static void CheckLengths(int expected, int actual, string? what)
        {
            if (expected != actual)
                throw new XunitException($"{Prefix(what)}lengths differ: expected {expected}, actual {actual}.");
        }

        private static double[] Values(Tensor tensor)
        {
            using var scope = NewDisposeScope();
            using var wide = tensor.detach().to(ScalarType.Float64).cpu().contiguous();
            return wide.data<double>().ToArray();
        }

        private static double[] Widen(float[] values) => Array.ConvertAll(values, v => (double)v);

        private static long[] ShapeOf(Array array) => Enumerable.Range(0, array.Rank).Select(d => (long)array.GetLength(d)).ToArray();

        private static double[] Flatten(Array array)
        {
            var values = new double[array.Length];
            int i = 0;
            foreach (var value in array)
            {
                values[i++] = value switch
                {
                    double d => d,
                    float f => f,
                    _ => throw new ArgumentException($"TensorAssert compares float or double arrays, not {array.GetType()}.", nameof(array)),
                };
            }
            return values;
        }

        private static string FormatIndex(int flat, long[] shape)
        {
            if (shape.Length == 0)
                return "[]";
            var index = new long[shape.Length];
            long rest = flat;
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                index[d] = shape[d] == 0 ? 0 : rest % shape[d];
                rest = shape[d] == 0 ? 0 : rest / shape[d];
            }
            return $"[{string.Join(", ", index)}]";
        }

        private static string FormatShape(long[] shape) => $"({string.Join(", ", shape)})";

        private static string Prefix(string? what) => string.IsNullOrEmpty(what) ? "" : $"{what}: ";

        private static string F(double value) => value.ToString("G9", CultureInfo.InvariantCulture);
    }
}
