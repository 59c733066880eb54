using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Losses
{
    /// <summary>
    /// Keras's <c>categorical_crossentropy</c> with one-hot targets: per sample <c>-sum(y log p)</c> over the class axis,
    /// where <c>p</c> is normalized to sum to 1 and clipped to <c>[1e-7, 1 - 1e-7]</c>, or <c>log_softmax</c> of logits.
    /// Label smoothing mixes targets with the uniform distribution.
    /// </summary>
    public sealed class CategoricalCrossentropyLoss : ProbabilisticLoss
    {
        /// <summary>Creates the loss.</summary>
        public CategoricalCrossentropyLoss(bool fromLogits = false, double labelSmoothing = 0)
            : base("categorical_crossentropy", fromLogits, labelSmoothing)
        {
        }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
        {
            var target = MatchTargets(yTrue, yPred);
            if (LabelSmoothing > 0)
                target = target.MulScalar(1 - LabelSmoothing).AddScalar(LabelSmoothing / yPred.shape[^1]);
            return -(target * LogProbabilities(yPred, FromLogits)).sum(new long[] { -1 });
        }

        /// <summary>Keras's log-probabilities over the last axis, from logits or from (normalized, clipped) probabilities.</summary>
        internal static Tensor LogProbabilities(Tensor yPred, bool fromLogits)
        {
            if (fromLogits)
                return yPred.log_softmax(-1);
            var normalized = yPred / yPred.sum(new long[] { -1 }, keepdim: true);
            return normalized.ClampScalar(Epsilon.Value, 1 - Epsilon.Value).log();
        }

    }
}
