using System;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Constructor-argument checks for initializers, regularizers and constraints. Messages name the argument by its
    /// Keras (snake_case) name and state the received value, as Keras's do: <c>Received: stddev=-1</c>.
    /// </summary>
    internal static class Validation
    {
        /// <summary>Requires a finite number (not NaN nor infinite).</summary>
        public static void Finite(double value, string parameterName)
        {
            if (!double.IsFinite(value))
                throw Fail(value, parameterName, "a finite number");
        }

        /// <summary>Requires a finite number that is zero or more.</summary>
        public static void NonNegative(double value, string parameterName)
        {
            if (!double.IsFinite(value) || value < 0)
                throw Fail(value, parameterName, "a non-negative finite number");
        }

        /// <summary>Requires a finite number above zero.</summary>
        public static void Positive(double value, string parameterName)
        {
            if (!double.IsFinite(value) || value <= 0)
                throw Fail(value, parameterName, "a positive finite number");
        }

        /// <summary>Requires a number in <c>[min, max]</c>.</summary>
        public static void InRange(double value, double min, double max, string parameterName)
        {
            if (!(value >= min && value <= max))
                throw Fail(value, parameterName, $"a number between {Sampling.Format(min)} and {Sampling.Format(max)}");
        }

        /// <summary>An <see cref="ArgumentOutOfRangeException"/> naming the argument, what it must be, and the received value.</summary>
        public static ArgumentOutOfRangeException Fail(double value, string parameterName, string expected)
        {
            string name = KerasJson.SnakeCase(parameterName);
            return new ArgumentOutOfRangeException(parameterName,
                $"Invalid value for argument `{name}`: expected {expected}. Received: {name}={Sampling.Format(value)}.");
        }
    }
}
