using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The thresholded rectified linear unit (Keras 2's <c>ThresholdedReLU</c> layer): <c>x</c> for <c>x &gt; theta</c>,
    /// 0 otherwise.
    /// </summary>
    /// <remarks>
    /// No weights. Output: the input's shape. Masks pass through. Keras 3 removed the layer (its <c>ReLU(threshold=...)</c>
    /// differs below the threshold only with a leak); it is kept so that Keras 2 models load, with Keras 2's
    /// <c>x * (x &gt; theta)</c> and its config key <c>theta</c>.
    /// <code>
    /// Tensor y = new ThresholdedReLU(1.0).Apply(torch.tensor(new[] { 0.5f, 1f, 2f }).reshape(1, 3));   // [[0, 0, 2]]
    /// </code>
    /// </remarks>
    [RegisterLayer("ThresholdedReLU")]
    public sealed class ThresholdedReLU : Layer, IOnnxExportable
    {
        /// <summary>Creates the layer.</summary>
        /// <param name="theta">The threshold; non-negative and not null; 1 by default.</param>
        /// <param name="name">The layer name; unique by default (<c>thresholded_re_lu</c>, ...).</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="theta"/> is negative.</exception>
        /// <exception cref="System.ArgumentNullException"><paramref name="theta"/> is null.</exception>
        public ThresholdedReLU(double? theta = 1.0, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            Theta = Arguments.NotNegative(theta, nameof(ThresholdedReLU), nameof(theta))!.Value;
            SupportsMasking = true;
        }

        /// <summary>The threshold.</summary>
        public double Theta { get; }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
            => inputs * inputs.GtScalar(Theta).to(inputs.dtype);

        /// <summary><c>x * (x &gt; theta)</c>.</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
        {
            var above = context.Node("Greater", input.Name, context.Constant((float)Theta));
            return context.Node("Mul", input.Name, IndexEncoder.OnnxCast(context, above, IndexEncoder.OnnxFloat));
        }

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig().With("theta", Theta);
    }
}
