using System;
using System.Linq;
using Microsoft.ML.Layers.Initializers;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Constructor-argument checks shared by layers, initializers, regularizers and constraints. Each throws in the
    /// constructor with Keras's wording: the argument, what is expected, and <c>Received: name=value</c>.
    /// </summary>
    internal static class Arguments
    {
        /// <summary>A positive integer (<c>units</c>, <c>filters</c>, ...).</summary>
        public static int Positive(int value, string argument)
            => value > 0 ? value
                : throw new ArgumentOutOfRangeException(argument,
                    $"Received an invalid value for `{argument}`, expected a positive integer. Received: {argument}={value}");

        /// <summary>A non-negative integer (padding, cropping).</summary>
        public static int NonNegative(int value, string argument)
            => value >= 0 ? value
                : throw new ArgumentOutOfRangeException(argument,
                    $"Received an invalid value for `{argument}`, expected a non-negative integer. Received: {argument}={value}");

        /// <summary>A tuple of positive integers for <paramref name="rank"/> axes (<c>kernel_size</c>, <c>strides</c>,
        /// <c>dilation_rate</c>).</summary>
        public static int[] PositiveTuple(IntTuple value, int rank, string argument)
        {
            var values = value.Expand(rank, argument);
            if (values.Any(v => v <= 0))
                throw new ArgumentOutOfRangeException(argument,
                    $"The `{argument}` argument must be a tuple of {rank} positive integers. Received: {argument}={value}");
            return values;
        }

        /// <summary>A rate in [0, 1) (dropout).</summary>
        public static double Rate(double value, string argument)
            => value >= 0 && value < 1 ? value
                : throw new ArgumentOutOfRangeException(argument,
                    $"Invalid value received for argument `{argument}`. Expected a float value between 0 and 1. Received: " +
                $"{argument}={value}");

        /// <summary><see cref="Layers.Padding.Valid"/> or <see cref="Layers.Padding.Same"/> (and <see cref="Layers.Padding.Causal"/> where
        /// allowed).</summary>
        /// <exception cref="ArgumentException">Another value; the message gives Keras's strings.</exception>
        public static Padding Padding(Padding value, bool allowCausal = false)
        {
            if (value is Layers.Padding.Valid or Layers.Padding.Same || (allowCausal && value == Layers.Padding.Causal))
                return value;
            string expected = allowCausal ? "\"valid\", \"same\" or \"causal\"" : "\"valid\" or \"same\"";
            throw new ArgumentException($"The `padding` argument must be one of {expected}. Received: padding={Quote(value)}", "padding");
        }

        /// <summary>A defined <see cref="Layers.DataFormat"/>.</summary>
        /// <exception cref="ArgumentException">Another value; the message gives Keras's strings.</exception>
        public static DataFormat DataFormat(DataFormat value)
            => Enum.IsDefined(value) ? value : throw new ArgumentException(
                $"The `data_format` argument must be one of \"channels_first\", \"channels_last\". Received: data_format={Quote(value)}",
                "data_format");

        /// <summary>A defined member of a fixed-choice option's enum.</summary>
        /// <exception cref="ArgumentOutOfRangeException">An undefined value (a cast integer); the message lists the valid
        /// values.</exception>
        public static T Choice<T>(T value, string parameterName) where T : struct, Enum
            => Enum.IsDefined(value) ? value : throw NotAChoice(value, parameterName);

        /// <summary>The error for a value that is not one of <typeparamref name="T"/>'s members: names the argument and the valid
        /// values.</summary>
        public static ArgumentOutOfRangeException NotAChoice<T>(T value, string parameterName) where T : struct, Enum
        {
            string name = KerasJson.SnakeCase(parameterName);
            return new ArgumentOutOfRangeException(parameterName,
                $"Invalid value for argument `{name}`: expected one of {KerasEnum.ValidValues(typeof(T))}. Received: {name}={value}.");
        }

        private static string Quote(Enum value)
            => Enum.IsDefined(value.GetType(), value) ? $"'{KerasEnum.Describe(value)}'" : value.ToString();

        /// <summary>A finite number (not NaN nor infinite).</summary>
        public static double Finite(double value, string parameterName)
            => double.IsFinite(value) ? value : throw Fail(value, parameterName, "a finite number");

        /// <summary>A finite number that is zero or more.</summary>
        public static double NonNegative(double value, string parameterName)
            => double.IsFinite(value) && value >= 0 ? value : throw Fail(value, parameterName, "a non-negative finite number");

        /// <summary>A finite number above zero.</summary>
        public static double Positive(double value, string parameterName)
            => double.IsFinite(value) && value > 0 ? value : throw Fail(value, parameterName, "a positive finite number");

        /// <summary>A number in <c>[min, max]</c>.</summary>
        public static double InRange(double value, double min, double max, string parameterName)
            => value >= min && value <= max ? value
                : throw Fail(value, parameterName, $"a number between {Sampling.Format(min)} and {Sampling.Format(max)}");

        /// <summary>
        /// A number that is not negative (nor None, unless <paramref name="noneAllowed"/>), as Keras's activation layers check
        /// theirs: the message names the layer class, the argument (snake_case) and the received value (<c>None</c> for null).
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="value"/> is null and that is not allowed.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative.</exception>
        public static double? NotNegative(double? value, string layerClass, string parameterName, bool noneAllowed = false)
        {
            string name = KerasJson.SnakeCase(parameterName);
            string message = $"{name} of a {layerClass} layer cannot be {(noneAllowed ? "" : "None or ")}a negative value. Received: " +
                $"{name}=";
            return value switch
            {
                null when !noneAllowed => throw new ArgumentNullException(parameterName, message + "None"),
                < 0 => throw new ArgumentOutOfRangeException(parameterName, message + Sampling.Format(value.Value)),
                _ => value,
            };
        }

        /// <summary>An <see cref="ArgumentOutOfRangeException"/> naming the argument (snake_case), what it must be, and the received
        /// value.</summary>
        public static ArgumentOutOfRangeException Fail(double value, string parameterName, string expected)
        {
            string name = KerasJson.SnakeCase(parameterName);
            return new ArgumentOutOfRangeException(parameterName,
                $"Invalid value for argument `{name}`: expected {expected}. Received: {name}={Sampling.Format(value)}.");
        }
    }
}
