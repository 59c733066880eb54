using TorchSharp;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The constant <see cref="Scalar"/>s the library passes to TorchSharp, created once and kept alive for the process.
    /// </summary>
    /// <remarks>
    /// TorchSharp 0.107 hands a Scalar's native handle to libtorch without keeping the managed object alive, so a temporary
    /// Scalar (an implicit conversion from a number, <c>x * 0.5</c>, <c>clamp(0, 1)</c>) can be finalized and freed by a
    /// collection during the native call. Product code therefore never converts numbers implicitly: constants come from
    /// here, run-time values go through <see cref="ScalarMath"/> (a <c>using</c> Scalar that outlives the call).
    /// <c>ScalarSafetyTests</c> enforces this on the compiled IL. The <c>Int</c>-named fields are integer Scalars, exactly
    /// what the implicit conversion of an <c>int</c> literal made; the others are doubles.
    /// </remarks>
    internal static class Scalars
    {
        internal static readonly Scalar IntZero = 0;
        internal static readonly Scalar IntOne = 1;
        internal static readonly Scalar IntTwo = 2;
        internal static readonly Scalar IntMinusOne = -1;
        internal static readonly Scalar IntMinusTwo = -2;
        internal static readonly Scalar Zero = 0.0;
        internal static readonly Scalar One = 1.0;
        internal static readonly Scalar Two = 2.0;
        internal static readonly Scalar Half = 0.5;
        internal static readonly Scalar MinusOne = -1.0;
        internal static readonly Scalar Twenty = 20.0;
    }
}
