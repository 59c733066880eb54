using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The exponential linear unit (Keras's <c>ELU</c> layer): <c>x</c> for <c>x &gt; 0</c>, <c>alpha * (exp(x) - 1)</c>
    /// otherwise.
    /// </summary>
    /// <remarks>
    /// No weights. Output: the input's shape. Masks pass through. Computed with libtorch's <c>elu</c>, as Keras's torch
    /// backend does. The config holds <c>alpha</c> (Keras 2 writes it; Keras 3 reads it but forgets to write it).
    /// <code>
    /// Tensor y = new ELU(0.5).Apply(torch.tensor(new[] { -1f, 2f }).reshape(1, 2));   // [[0.5 * (e^-1 - 1), 2]]
    /// </code>
    /// </remarks>
    [RegisterLayer("ELU")]
    public sealed class ELU : Layer, IOnnxExportable
    {
        /// <summary>Creates the layer.</summary>
        /// <param name="alpha">The scale of the negative part; 1 by default.</param>
        /// <param name="name">The layer name; unique by default (<c>elu</c>, <c>elu_1</c>, ...).</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        public ELU(double alpha = 1.0, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            Alpha = alpha;
            SupportsMasking = true;
        }

        /// <summary>The scale of the negative part.</summary>
        public double Alpha { get; }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null) => inputs.Elu(Alpha);

        /// <summary>ONNX <c>Elu</c> with <see cref="Alpha"/>.</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
            => context.Node("Elu", new[] { input.Name }, new OnnxAttributes { { "alpha", (float)Alpha } });

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig().With("alpha", Alpha);
    }
}
