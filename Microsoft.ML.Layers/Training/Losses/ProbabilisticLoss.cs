using System;

namespace Microsoft.ML.Layers.Losses
{
    /// <summary>
    /// The shared arguments of the crossentropies that take dense targets: predictions as probabilities or logits, and
    /// label smoothing (Keras's <c>from_logits</c> and <c>label_smoothing</c>).
    /// </summary>
    public abstract class ProbabilisticLoss : Loss
    {
        /// <summary>Creates the loss.</summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is outside [0, 1].</exception>
        protected ProbabilisticLoss(string name, bool fromLogits, double labelSmoothing) : base(name)
        {
            FromLogits = fromLogits;
            LabelSmoothing = Arguments.InRange(labelSmoothing, 0, 1, nameof(labelSmoothing));
        }

        /// <summary>Whether predictions are logits rather than probabilities.</summary>
        public bool FromLogits { get; }

        /// <summary>The label smoothing factor.</summary>
        public double LabelSmoothing { get; }

        /// <inheritdoc />
        public override ComponentConfig GetConfig()
            => base.GetConfig().With("from_logits", FromLogits).With("label_smoothing", LabelSmoothing);
    }
}
