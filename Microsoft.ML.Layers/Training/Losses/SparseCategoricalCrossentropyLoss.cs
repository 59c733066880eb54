using System;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Losses
{
    /// <summary>
    /// Keras's <c>sparse_categorical_crossentropy</c> with integer class targets of shape <c>(batch,)</c> or <c>(batch, 1)</c>:
    /// per sample <c>-log p[target]</c>, with probabilities normalized and clipped like <see cref="CategoricalCrossentropyLoss"/>.
    /// </summary>
    public sealed class SparseCategoricalCrossentropyLoss : Loss
    {
        /// <summary>Creates the loss.</summary>
        public SparseCategoricalCrossentropyLoss(bool fromLogits = false) : base("sparse_categorical_crossentropy")
            => FromLogits = fromLogits;

        /// <summary>Whether predictions are logits rather than probabilities.</summary>
        public bool FromLogits { get; }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
        {
            var target = yTrue;
            if (target.ndim == yPred.ndim && target.shape[^1] == 1)
                target = target.squeeze(-1);
            if (target.ndim != yPred.ndim - 1 || !target.shape.AsSpan().SequenceEqual(yPred.shape.AsSpan(0, (int)yPred.ndim - 1)))
            {
                throw new ArgumentException(
                    $"Loss '{Name}': integer targets of shape {Shape.Of(yTrue)} do not fit predictions of shape {Shape.Of(yPred)}; " +
                    "expected one class index per sample, e.g. shape (batch,) for predictions (batch, classes).");
            }
            var classes = target.to(ScalarType.Int64);
            long classCount = yPred.shape[^1];
            if (classes.numel() > 0 && (classes.min().item<long>() < 0 || classes.max().item<long>() >= classCount))
                throw new ArgumentException($"Loss '{Name}': class indices must be in [0, {classCount}). Received values from " +
                    $"{classes.min().item<long>()} to {classes.max().item<long>()}.");
            var logProbabilities = CategoricalCrossentropyLoss.LogProbabilities(yPred, FromLogits);
            return -logProbabilities.gather(-1, classes.unsqueeze(-1)).squeeze(-1);
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => base.GetConfig().With("from_logits", FromLogits);
    }
}
