using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Losses
{
    /// <summary>
    /// Keras's <c>cosine_similarity</c> loss: per sample <c>-sum(normalize(y) * normalize(p))</c> over the last axis, where
    /// <c>normalize(x) = x / sqrt(max(sum(x^2), 1e-12))</c>. Ranges from -1 (same direction) to 1.
    /// </summary>
    public sealed class CosineSimilarityLoss : Loss
    {
        /// <summary>Creates the loss.</summary>
        public CosineSimilarityLoss() : base("cosine_similarity")
        {
        }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
            => -(Normalize(MatchTargets(yTrue, yPred)) * Normalize(yPred)).sum(new long[] { -1 });

        private static Tensor Normalize(Tensor x) => x / x.Squared().sum(new long[] { -1 }, keepdim: true).ClampMinScalar(1e-12).sqrt();
    }
}
