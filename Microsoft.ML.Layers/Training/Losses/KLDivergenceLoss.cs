using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Losses
{
    /// <summary>Keras's <c>kl_divergence</c>: per sample <c>sum(y log(y / p))</c> over the last axis, both clipped to
    /// <c>[1e-7, 1]</c>.</summary>
    public sealed class KLDivergenceLoss : Loss
    {
        /// <summary>Creates the loss.</summary>
        public KLDivergenceLoss() : base("kl_divergence")
        {
        }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
        {
            var target = MatchTargets(yTrue, yPred).ClampScalar(Epsilon.Value, 1);
            var prediction = yPred.ClampScalar(Epsilon.Value, 1);
            return (target * (target / prediction).log()).sum(new long[] { -1 });
        }
    }
}
