using Microsoft.ML.Layers.Onnx;
using Microsoft.ML.Layers.Regularizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Passes its input through and adds an activity penalty to <see cref="Layer.Losses"/> (Keras's
    /// <c>ActivityRegularization</c>): <c>(l1 * sum(|x|) + l2 * sum(x^2)) / batch_size</c> on every call.
    /// </summary>
    /// <remarks>
    /// <para>No weights. Input: any shape; output: the same values. Masks pass through.</para>
    /// <para>As in Keras 3, the penalty is added on every call, in training and in inference (Keras 3's <c>Layer.__call__</c>
    /// records activity regularization whatever <c>training</c> is); training loops count the losses of their training
    /// pass. The config holds <c>l1</c> and <c>l2</c>, not an <c>activity_regularizer</c>.</para>
    /// <code>
    /// var reg = new ActivityRegularization(l1: 0.01);
    /// Tensor y = reg.Apply(x);            // y == x
    /// Tensor penalty = reg.Losses[0];     // 0.01 * sum(|x|) / x.shape[0]
    /// </code>
    /// </remarks>
    [RegisterLayer("ActivityRegularization")]
    public sealed class ActivityRegularization : Layer, IOnnxExportable
    {
        /// <summary>Creates the layer.</summary>
        /// <param name="l1">The L1 factor; non-negative.</param>
        /// <param name="l2">The L2 factor; non-negative.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="System.ArgumentOutOfRangeException">A factor is negative or not finite.</exception>
        public ActivityRegularization(double l1 = 0.0, double l2 = 0.0, string? name = null, bool trainable = true,
            ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            ActivityRegularizer = new L1L2Regularizer(l1, l2);
            L1 = l1;
            L2 = l2;
            SupportsMasking = true;
        }

        /// <summary>The L1 factor.</summary>
        public double L1 { get; }

        /// <summary>The L2 factor.</summary>
        public double L2 { get; }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null) => inputs.alias();

        /// <summary>The identity: the penalty only acts in training.</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input) => input.Name;

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        /// <inheritdoc />
        public override LayerConfig GetConfig()
        {
            var config = base.GetConfig();
            config.Values.Remove("activity_regularizer");
            return config.With("l1", L1).With("l2", L2);
        }
    }
}
