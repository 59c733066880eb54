using System;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Keras's <c>binary_crossentropy</c>: per element <c>-(y log p + (1 - y) log(1 - p))</c> with <c>p</c> clipped to
    /// <c>[1e-7, 1 - 1e-7]</c> (or computed stably from logits when <c>fromLogits</c>); per sample the mean over the last axis.
    /// Label smoothing moves targets toward 0.5.
    /// </summary>
    public sealed class BinaryCrossentropyLoss : Loss
    {
        /// <summary>Creates the loss.</summary>
        public BinaryCrossentropyLoss(bool fromLogits = false, double labelSmoothing = 0) : base("binary_crossentropy")
        {
            FromLogits = fromLogits;
            LabelSmoothing = labelSmoothing is >= 0 and <= 1 ? labelSmoothing
                : throw new ArgumentOutOfRangeException(nameof(labelSmoothing), $"label_smoothing must be in [0, 1]. Received: label_smoothing={labelSmoothing}");
        }

        /// <summary>Whether predictions are logits rather than probabilities.</summary>
        public bool FromLogits { get; }

        /// <summary>The label smoothing factor.</summary>
        public double LabelSmoothing { get; }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
        {
            var target = MatchTargets(yTrue, yPred);
            if (LabelSmoothing > 0)
                target = target * (1 - LabelSmoothing) + 0.5 * LabelSmoothing;
            var elementwise = FromLogits
                ? nn.functional.binary_cross_entropy_with_logits(yPred, target, reduction: nn.Reduction.None)
                : nn.functional.binary_cross_entropy(yPred.clamp(Epsilon.Value, 1 - Epsilon.Value), target, reduction: nn.Reduction.None);
            return elementwise.mean(new long[] { -1 });
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => base.GetConfig().With("from_logits", FromLogits).With("label_smoothing", LabelSmoothing);
    }
}
