using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The rectified linear unit with a cap, a threshold and a leak (Keras's <c>ReLU</c> layer):
    /// <c>max_value</c> for <c>x &gt;= max_value</c>, <c>x</c> for <c>threshold &lt; x &lt; max_value</c>, and
    /// <c>negative_slope * (x - threshold)</c> otherwise.
    /// </summary>
    /// <remarks>
    /// <para>No weights. Output: the input's shape. Masks pass through.</para>
    /// <para>The computation is Keras's <c>activations.relu</c> step by step: with a non-zero threshold the positive part is
    /// <c>x * (x &gt; threshold)</c>, so <c>x == threshold</c> gives 0 (Keras's docstring says <c>threshold</c>, its code
    /// gives 0); the result is clipped to <c>[0, max_value]</c>, then <c>negative_slope * relu(threshold - x)</c> is
    /// subtracted. Without a cap nor a threshold, a leak is libtorch's <c>leaky_relu</c>.</para>
    /// <code>
    /// var layer = new ReLU(maxValue: 10, negativeSlope: 0.5);
    /// Tensor y = layer.Apply(torch.tensor(new[] { -10f, -5f, 0f, 5f, 10f }).reshape(1, 5));   // [[-5, -2.5, 0, 5, 10]]
    /// </code>
    /// </remarks>
    [RegisterLayer("ReLU")]
    public sealed class ReLU : Layer, IOnnxExportable
    {
        /// <summary>Creates the layer.</summary>
        /// <param name="maxValue">The cap; non-negative; <see langword="null"/> (Keras's <c>None</c>) for none.</param>
        /// <param name="negativeSlope">The slope below the threshold; non-negative and not null.</param>
        /// <param name="threshold">Where the unit turns on; non-negative and not null.</param>
        /// <param name="name">The layer name; unique by default (<c>re_lu</c>, <c>re_lu_1</c>, ...).</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="System.ArgumentOutOfRangeException">An argument is negative; the message names it and the received
        /// value.</exception>
        /// <exception cref="System.ArgumentNullException"><paramref name="negativeSlope"/> or <paramref name="threshold"/> is
        /// null.</exception>
        public ReLU(double? maxValue = null, double? negativeSlope = 0.0, double? threshold = 0.0, string? name = null,
            bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            MaxValue = Arguments.NotNegative(maxValue, nameof(ReLU), nameof(maxValue), noneAllowed: true);
            NegativeSlope = Arguments.NotNegative(negativeSlope, nameof(ReLU), nameof(negativeSlope))!.Value;
            Threshold = Arguments.NotNegative(threshold, nameof(ReLU), nameof(threshold))!.Value;
            SupportsMasking = true;
        }

        /// <summary>The cap, or <see langword="null"/> for none.</summary>
        public double? MaxValue { get; }

        /// <summary>The slope below the threshold.</summary>
        public double NegativeSlope { get; }

        /// <summary>Where the unit turns on.</summary>
        public double Threshold { get; }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            if (NegativeSlope != 0 && MaxValue is null && Threshold == 0)
                return inputs.LeakyRelu(NegativeSlope);
            var negativePart = NegativeSlope == 0 ? null : nn.functional.relu(Threshold == 0 ? -inputs : Threshold.SubFrom(inputs));
            var x = Threshold != 0 ? inputs * inputs.GtScalar(Threshold).to(inputs.dtype)
                : MaxValue == 6 ? nn.functional.relu6(inputs)
                : nn.functional.relu(inputs);
            if (MaxValue is double cap && (Threshold != 0 || cap != 6))
                x = x.ClampScalar(0, cap);
            return negativePart is null ? x : x - negativePart.MulScalar(NegativeSlope);
        }

        /// <summary>The formula of <see cref="Call"/>: <c>LeakyRelu</c>, or the thresholded, capped part minus the slope times
        /// <c>relu(threshold - x)</c>.</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
        {
            var inputs = input.Name;
            if (NegativeSlope != 0 && MaxValue is null && Threshold == 0)
                return context.Node("LeakyRelu", new[] { inputs }, new OnnxAttributes { { "alpha", (float)NegativeSlope } });
            var negativePart = NegativeSlope == 0 ? null
                : context.Node("Relu", Threshold == 0 ? context.Node("Neg", inputs)
                    : context.Node("Sub", context.Constant((float)Threshold), inputs));
            string x;
            if (Threshold != 0)
            {
                var above = context.Node("Greater", inputs, context.Constant((float)Threshold));
                x = context.Node("Mul", inputs, IndexEncoder.OnnxCast(context, above, IndexEncoder.OnnxFloat));
            }
            else
            {
                x = MaxValue == 6 ? context.Node("Clip", inputs, context.Constant(0f), context.Constant(6f)) : context.Node("Relu", inputs);
            }
            if (MaxValue is double cap && (Threshold != 0 || cap != 6))
                x = context.Node("Clip", x, context.Constant(0f), context.Constant((float)cap));
            return negativePart is null ? x
                : context.Node("Sub", x, context.Node("Mul", negativePart, context.Constant((float)NegativeSlope)));
        }


        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("max_value", MaxValue)
            .With("negative_slope", NegativeSlope)
            .With("threshold", Threshold);
    }
}
