using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Tensor-and-number arithmetic that keeps the number's <see cref="Scalar"/> alive across the native call (see
    /// <see cref="Scalars"/>): each method is exactly the TorchSharp operator or overload it replaces (same Scalar type, same
    /// kernel), with the Scalar in a <c>using</c> instead of a temporary the garbage collector may free mid-call.
    /// </summary>
    internal static class ScalarMath
    {
        /// <summary><c>x * value</c>.</summary>
        internal static Tensor MulScalar(this Tensor x, double value)
        {
            using var s = value.ToScalar();
            return x.mul(s);
        }

        /// <summary><c>x * value</c> with a single-precision Scalar.</summary>
        internal static Tensor MulScalar(this Tensor x, float value)
        {
            using var s = value.ToScalar();
            return x.mul(s);
        }

        /// <summary><c>x + value</c>.</summary>
        internal static Tensor AddScalar(this Tensor x, double value)
        {
            using var s = value.ToScalar();
            return x.add(s, Scalars.IntOne);
        }

        /// <summary><c>x + value</c> with an integer Scalar.</summary>
        internal static Tensor AddScalar(this Tensor x, int value)
        {
            using var s = value.ToScalar();
            return x.add(s, Scalars.IntOne);
        }

        /// <summary><c>x.add_(value)</c>.</summary>
        internal static Tensor AddScalar_(this Tensor x, double value)
        {
            using var s = value.ToScalar();
            return x.add_(s, Scalars.IntOne);
        }

        /// <summary><c>x / value</c>.</summary>
        internal static Tensor DivScalar(this Tensor x, double value)
        {
            using var s = value.ToScalar();
            return x.div(s);
        }

        /// <summary><c>x / value</c> with an integer Scalar.</summary>
        internal static Tensor DivScalar(this Tensor x, int value)
        {
            using var s = value.ToScalar();
            return x.div(s);
        }

        /// <summary><c>x / value</c> with a long Scalar.</summary>
        internal static Tensor DivScalar(this Tensor x, long value)
        {
            using var s = value.ToScalar();
            return x.div(s);
        }

        /// <summary><c>value - x</c> (TorchSharp's <c>-x + value</c>).</summary>
        internal static Tensor SubFrom(this double value, Tensor x)
        {
            using var s = value.ToScalar();
            return x.negative().add(s, Scalars.IntOne);
        }

        /// <summary><c>value - x</c> with an integer Scalar (TorchSharp's <c>-x + value</c>).</summary>
        internal static Tensor SubFrom(this int value, Tensor x)
        {
            using var s = value.ToScalar();
            return x.negative().add(s, Scalars.IntOne);
        }

        /// <summary><c>value / x</c> (TorchSharp's <c>x.reciprocal() * value</c>).</summary>
        internal static Tensor DivInto(this double value, Tensor x)
        {
            using var s = value.ToScalar();
            return x.reciprocal().mul(s);
        }

        /// <summary><c>x.square()</c>: TorchSharp's <c>pow(2)</c> with an integer exponent.</summary>
        internal static Tensor Squared(this Tensor x) => x.pow(Scalars.IntTwo);

        /// <summary><c>torch.nn.functional.leaky_relu(x, negativeSlope)</c> (not in place).</summary>
        internal static Tensor LeakyRelu(this Tensor x, double negativeSlope)
        {
            using var s = negativeSlope.ToScalar();
            return x.leaky_relu(s);
        }
    }
}
