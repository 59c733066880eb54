using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Losses
{
    /// <summary>Keras's <c>mean_squared_error</c>: per sample, the mean over the last axis of <c>(y_true - y_pred)^2</c>.</summary>
    public sealed class MeanSquaredErrorLoss : Loss
    {
        /// <summary>Creates the loss.</summary>
        public MeanSquaredErrorLoss() : base("mean_squared_error")
        {
        }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
            => (yPred - MatchTargets(yTrue, yPred)).Squared().mean(new long[] { -1 });
    }
}
