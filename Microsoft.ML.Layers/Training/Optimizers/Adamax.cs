using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Optimizers
{
    /// <summary>Adamax (Keras's <c>Adamax</c>): <c>m += (g - m)(1 - b1)</c>, <c>u = max(b2 u, |g|)</c>,
    /// <c>w -= lr m / ((1 - b1^t)(u + epsilon))</c>.</summary>
    public sealed class Adamax : Optimizer
    {
        /// <summary>Creates the optimizer with Keras's defaults.</summary>
        public Adamax(LearningRate? learningRate = null, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7,
            double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null,
            string name = "adamax")
            : base(name, learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipNorm)
        {
            Beta1 = beta1;
            Beta2 = beta2;
            Epsilon = epsilon;
        }

        /// <summary>Keras's <c>beta_1</c>.</summary>
        public double Beta1 { get; }

        /// <summary>Keras's <c>beta_2</c>.</summary>
        public double Beta2 { get; }

        /// <summary>Keras's <c>epsilon</c>.</summary>
        public double Epsilon { get; }

        /// <inheritdoc />
        protected override void Update(Parameter variable, Tensor gradient, double learningRate)
        {
            double beta1Power = Math.Pow(Beta1, Iterations + 1);
            var m = Slot(variable, "momentum");
            var u = Slot(variable, "norm");
            m.add_((gradient - m).MulScalar(1 - Beta1), Scalars.IntOne);
            u.copy_(maximum(u.MulScalar(Beta2), gradient.abs()));
            variable.sub_(m.MulScalar(learningRate) / u.AddScalar(Epsilon).MulScalar(1 - beta1Power));
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => base.GetConfig()
                .With("beta_1", Beta1)
                .With("beta_2", Beta2)
                .With("epsilon", Epsilon);
    }
}
