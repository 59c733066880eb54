using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Losses
{
    /// <summary>Keras's <c>poisson</c>: per sample the mean over the last axis of <c>p - y log(p + 1e-7)</c>.</summary>
    public sealed class PoissonLoss : Loss
    {
        /// <summary>Creates the loss.</summary>
        public PoissonLoss() : base("poisson")
        {
        }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
            => (yPred - MatchTargets(yTrue, yPred) * yPred.AddScalar(Epsilon.Value).log()).mean(new long[] { -1 });
    }
}
