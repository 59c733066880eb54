using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Losses
{
    /// <summary>Keras's <c>mean_absolute_error</c>: per sample, the mean over the last axis of <c>|y_true - y_pred|</c>.</summary>
    public sealed class MeanAbsoluteErrorLoss : Loss
    {
        /// <summary>Creates the loss.</summary>
        public MeanAbsoluteErrorLoss() : base("mean_absolute_error")
        {
        }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
            => (yPred - MatchTargets(yTrue, yPred)).abs().mean(new long[] { -1 });
    }
}
