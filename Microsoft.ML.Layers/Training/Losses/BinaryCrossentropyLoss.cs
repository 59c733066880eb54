using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Losses
{
    /// <summary>
    /// Keras's <c>binary_crossentropy</c>: per element <c>-(y log p + (1 - y) log(1 - p))</c> with <c>p</c> clipped to
    /// <c>[1e-7, 1 - 1e-7]</c> (or computed stably from logits when <c>fromLogits</c>); per sample the mean over the last axis.
    /// Label smoothing moves targets toward 0.5.
    /// </summary>
    public sealed class BinaryCrossentropyLoss : ProbabilisticLoss
    {
        /// <summary>Creates the loss.</summary>
        public BinaryCrossentropyLoss(bool fromLogits = false, double labelSmoothing = 0)
            : base("binary_crossentropy", fromLogits, labelSmoothing)
        {
        }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
        {
            var target = MatchTargets(yTrue, yPred);
            if (LabelSmoothing > 0)
                target = target.MulScalar(1 - LabelSmoothing).AddScalar(0.5 * LabelSmoothing);
            var elementwise = FromLogits
                ? nn.functional.binary_cross_entropy_with_logits(yPred, target, reduction: nn.Reduction.None)
                : nn.functional.binary_cross_entropy(yPred.ClampScalar(Epsilon.Value, 1 - Epsilon.Value), target,
                    reduction: nn.Reduction.None);
            return elementwise.mean(new long[] { -1 });
        }

    }
}
