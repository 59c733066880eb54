namespace Microsoft.ML.Layers.Optimizers
{
    /// <summary>
    /// Adam with decoupled weight decay (Keras's <c>AdamW</c>): Adam's step after <c>w -= w * weight_decay * lr</c>,
    /// with Keras's default <c>weight_decay=0.004</c>.
    /// </summary>
    public sealed class AdamW : Adam
    {
        /// <summary>Creates the optimizer with Keras's defaults.</summary>
        public AdamW(LearningRate? learningRate = null, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7,
            bool amsGrad = false, double? weightDecay = 0.004, double? clipNorm = null, double? clipValue = null,
            double? globalClipNorm = null,
            string name = "adamw")
            : base(learningRate, beta1, beta2, epsilon, amsGrad, weightDecay, clipNorm, clipValue, globalClipNorm, name)
        {
        }
    }
}
