using Microsoft.ML.Layers.Initializers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Keras's unit-forget-bias start of an LSTM-style bias <c>(4 * units,)</c> (<see cref="LSTM"/>, <see cref="ConvLSTM2D"/>):
    /// the bias initializer for <c>i</c>, ones for <c>f</c>, the initializer for <c>c, o</c>.
    /// </summary>
    internal sealed class UnitForgetBiasInitializer : Initializer
    {
        private readonly Initializer _inner;
        private readonly int _units;

        /// <summary>Wraps <paramref name="inner"/> for a bias of <c>4 * <paramref name="units"/></c> values.</summary>
        public UnitForgetBiasInitializer(Initializer inner, int units)
        {
            _inner = inner;
            _units = units;
        }

        /// <inheritdoc />
        public override Tensor Create(Shape shape, ScalarType dtype)
        {
            using var scope = NewDisposeScope();
            var value = cat(new[] { _inner.Create(new Shape(_units), dtype), ones(_units, dtype: dtype),
                _inner.Create(new Shape(2 * _units), dtype) }, 0);
            return value.MoveToOuterDisposeScope();
        }
    }
}
