using System;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Applies an activation function to its input (Keras's <c>Activation</c> layer; the C# name avoids a clash with the
    /// <see cref="Microsoft.ML.Layers.Activation"/> function type, and it is serialized and named as Keras's <c>Activation</c>).
    /// </summary>
    /// <remarks>
    /// No weights. Output: the input's shape. Masks pass through.
    /// <code>
    /// var layer = new ActivationLayer("relu");
    /// Tensor y = layer.Apply(torch.tensor(new[] { -3f, -1f, 0f, 2f }).reshape(1, 4));   // [[0, 0, 0, 2]]
    /// </code>
    /// </remarks>
    [RegisterLayer("Activation")]
    public sealed class ActivationLayer : Layer, IOnnxExportable
    {
        /// <summary>Creates an activation layer.</summary>
        /// <param name="activation">The activation, e.g. <c>"relu"</c>; required, as in Keras.</param>
        /// <param name="name">The layer name; unique by default (<c>activation</c>, <c>activation_1</c>, ...).</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        public ActivationLayer(Activation activation, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            Activation = activation ?? throw new ArgumentNullException(nameof(activation));
            SupportsMasking = true;
        }

        /// <summary>Default names are Keras's: <c>activation</c>, <c>activation_1</c>, ...</summary>
        protected override string DefaultNameBase => "Activation";

        /// <summary>The activation applied.</summary>
        public Activation Activation { get; }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null) => Activation.Apply(inputs);

        /// <summary>The activation's ONNX form (custom activations are not exportable).</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input) => context.Activation(input.Name, Activation);

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig().With("activation", Activation);
    }
}
