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

        /// <summary><c>x + y</c> of two tensors (TorchSharp's <c>add(y)</c> makes a temporary <c>alpha = 1</c>).</summary>
        internal static Tensor Plus(this Tensor x, Tensor y) => x.add(y, Scalars.IntOne);

        /// <summary><c>x &lt; value</c>.</summary>
        internal static Tensor LtScalar(this Tensor x, double value)
        {
            using var s = value.ToScalar();
            return x.lt(s);
        }

        /// <summary><c>torch.nn.functional.elu(x, alpha)</c> (not in place): <c>elu(alpha, scale 1.0, input scale 1.0)</c>.</summary>
        internal static Tensor Elu(this Tensor x, double alpha)
        {
            using var s = alpha.ToScalar();
            return x.elu(s, Scalars.One, Scalars.One);
        }

        /// <summary><c>torch.nn.functional.softplus(x)</c> (beta 1, threshold 20). TorchSharp 0.107 has no public overload
        /// taking Scalars, so this calls the one it wraps (<c>Tensor.softplus1(Scalar, Scalar)</c>) with cached Scalars; if a
        /// later TorchSharp renames it, the same formula in tensors: <c>x &gt; 20 ? x : log1p(exp(x))</c>.</summary>
        internal static Tensor Softplus(this Tensor x)
            => SoftplusWithScalars is { } softplus ? softplus(x, Scalars.One, Scalars.Twenty)
                : where(x.gt(Scalars.Twenty), x, x.exp().log1p());

        private static readonly System.Func<Tensor, Scalar, Scalar, Tensor>? SoftplusWithScalars =
            typeof(Tensor).GetMethod("softplus1", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic,
                new[] { typeof(Scalar), typeof(Scalar) })?.CreateDelegate<System.Func<Tensor, Scalar, Scalar, Tensor>>();

        /// <summary><c>x.mul_(value)</c>.</summary>
        internal static Tensor MulScalar_(this Tensor x, double value)
        {
            using var s = value.ToScalar();
            return x.mul_(s);
        }

        /// <summary><c>x.div_(value)</c>.</summary>
        internal static Tensor DivScalar_(this Tensor x, double value)
        {
            using var s = value.ToScalar();
            return x.div_(s);
        }

        /// <summary><c>x.clamp(min, max)</c>.</summary>
        internal static Tensor ClampScalar(this Tensor x, double min, double max)
        {
            using var low = min.ToScalar();
            using var high = max.ToScalar();
            return x.clamp(low, high);
        }

        /// <summary><c>x.clamp(min, max)</c> with an integer maximum.</summary>
        internal static Tensor ClampScalar(this Tensor x, double min, int max)
        {
            using var low = min.ToScalar();
            using var high = max.ToScalar();
            return x.clamp(low, high);
        }

        /// <summary><c>x.clamp(min, max)</c> with an integer minimum.</summary>
        internal static Tensor ClampScalar(this Tensor x, int min, double max)
        {
            using var low = min.ToScalar();
            using var high = max.ToScalar();
            return x.clamp(low, high);
        }

        /// <summary><c>x.clamp_min(min)</c>.</summary>
        internal static Tensor ClampMinScalar(this Tensor x, double min)
        {
            using var s = min.ToScalar();
            return x.clamp_min(s);
        }

        /// <summary><c>x.clamp_max(max)</c>.</summary>
        internal static Tensor ClampMaxScalar(this Tensor x, double max)
        {
            using var s = max.ToScalar();
            return x.clamp_max(s);
        }

        /// <summary><c>x.gt(value)</c>.</summary>
        internal static Tensor GtScalar(this Tensor x, double value)
        {
            using var s = value.ToScalar();
            return x.gt(s);
        }

        /// <summary><c>x.ge(value)</c>.</summary>
        internal static Tensor GeScalar(this Tensor x, double value)
        {
            using var s = value.ToScalar();
            return x.ge(s);
        }

        /// <summary><c>x.ne(value)</c>.</summary>
        internal static Tensor NeScalar(this Tensor x, double value)
        {
            using var s = value.ToScalar();
            return x.ne(s);
        }

        /// <summary><c>x.masked_fill(mask, value)</c>.</summary>
        internal static Tensor MaskedFillScalar(this Tensor x, Tensor mask, double value)
        {
            using var s = value.ToScalar();
            return x.masked_fill(mask, s);
        }

        /// <summary><c>torch.full(shape, value, dtype)</c>.</summary>
        internal static Tensor Full(long[] shape, double value, ScalarType dtype)
        {
            using var s = value.ToScalar();
            return full(shape, s, dtype: dtype);
        }
    }
}
