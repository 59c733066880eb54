using System;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The leaky rectified linear unit (Keras's <c>LeakyReLU</c> layer): <c>x</c> for <c>x &gt;= 0</c>,
    /// <c>negative_slope * x</c> otherwise.
    /// </summary>
    /// <remarks>
    /// No weights. Output: the input's shape. Masks pass through. The config key is Keras 3's <c>negative_slope</c>; configs
    /// written by Keras 2 hold <c>alpha</c>, which is read as the slope (and wins over <c>negative_slope</c>), as Keras 3 does.
    /// <code>
    /// var layer = new LeakyReLU(0.5);
    /// Tensor y = layer.Apply(torch.tensor(new[] { -10f, -5f, 0f, 5f }).reshape(1, 4));   // [[-5, -2.5, 0, 5]]
    /// </code>
    /// </remarks>
    [RegisterLayer("LeakyReLU")]
    public sealed class LeakyReLU : Layer, IOnnxExportable
    {
        /// <summary>Creates the layer.</summary>
        /// <param name="negativeSlope">The slope for negative inputs; non-negative and not null; 0.3 by default (Keras 2's
        /// <c>alpha</c> default too).</param>
        /// <param name="name">The layer name; unique by default (<c>leaky_re_lu</c>, <c>leaky_re_lu_1</c>, ...).</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="negativeSlope"/> is negative.</exception>
        /// <exception cref="ArgumentNullException"><paramref name="negativeSlope"/> is null.</exception>
        public LeakyReLU(double? negativeSlope = 0.3, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            NegativeSlope = Arguments.NotNegative(negativeSlope, nameof(LeakyReLU), nameof(negativeSlope))!.Value;
            SupportsMasking = true;
        }

        /// <summary>The slope for negative inputs.</summary>
        public double NegativeSlope { get; }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
            => inputs.LeakyRelu(NegativeSlope);

        /// <summary>ONNX <c>LeakyRelu</c> with <see cref="NegativeSlope"/>.</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
            => context.Node("LeakyRelu", new[] { input.Name }, new OnnxAttributes { { "alpha", (float)NegativeSlope } });

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig().With("negative_slope", NegativeSlope);

        /// <summary>Reads a Keras 3 config (<c>negative_slope</c>) or a Keras 2 one (<c>alpha</c>, which wins when both are
        /// present).</summary>
        /// <exception cref="FormatException">The config has a key the layer does not take.</exception>
        public static LeakyReLU FromConfig(LayerConfig config)
        {
            ArgumentNullException.ThrowIfNull(config);
            config.RequireKnownKeys("negative_slope", "alpha");
            string key = config.Contains("alpha") ? "alpha" : "negative_slope";
            var layer = new LeakyReLU(config.Contains(key) ? config.Get<double?>(key, null) : 0.3, config.Name, config.Trainable);
            layer.ApplyBaseConfig(config, LayerConfig.BoundBaseKeys);
            return layer;
        }
    }
}
