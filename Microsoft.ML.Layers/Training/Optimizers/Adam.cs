using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Optimizers
{
    /// <summary>Adam (Keras's <c>Adam</c>): <c>alpha = lr sqrt(1 - b2^t) / (1 - b1^t)</c>, <c>w -= alpha m / (sqrt(v) + epsilon)</c>; with
    /// AMSGrad, the running maximum of <c>v</c>.</summary>
    public class Adam : Optimizer
    {
        /// <summary>Creates the optimizer with Keras's defaults.</summary>
        public Adam(LearningRate? learningRate = null, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7,
            bool amsGrad = false, double? weightDecay = null, double? clipNorm = null, double? clipValue = null,
            double? globalClipNorm = null,
            string name = "adam")
            : base(name, learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipNorm)
        {
            Beta1 = beta1;
            Beta2 = beta2;
            Epsilon = epsilon;
            AmsGrad = amsGrad;
        }

        /// <summary>Keras's <c>beta_1</c>.</summary>
        public double Beta1 { get; }

        /// <summary>Keras's <c>beta_2</c>.</summary>
        public double Beta2 { get; }

        /// <summary>Keras's <c>epsilon</c>.</summary>
        public double Epsilon { get; }

        /// <summary>Keras's <c>amsgrad</c>.</summary>
        public bool AmsGrad { get; }

        /// <inheritdoc />
        protected override void Update(Parameter variable, Tensor gradient, double learningRate)
        {
            double step = Iterations + 1;
            double alpha = learningRate * Math.Sqrt(1 - Math.Pow(Beta2, step)) / (1 - Math.Pow(Beta1, step));
            var m = Slot(variable, "momentum");
            var v = Slot(variable, "velocity");
            // Keras's rule, m += (g - m) * (1 - beta_1) and v += (g^2 - v) * (1 - beta_2), as in-place interpolations, and
            // variable -= m * alpha / (sqrt(v) + epsilon) as one fused addcdiv: three kernels instead of twelve.
            using var epsilon = Epsilon.ToScalar();
            using var stepSize = (-alpha).ToScalar();
            m.lerp_(gradient, 1 - Beta1);
            v.lerp_(gradient.Squared(), 1 - Beta2);
            var denominatorBase = v;
            if (AmsGrad)
            {
                var vHat = Slot(variable, "velocity_hat");
                vHat.copy_(maximum(vHat, v));
                denominatorBase = vHat;
            }
            variable.addcdiv_(m, denominatorBase.sqrt().add_(epsilon, Scalars.IntOne), value: stepSize);
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => base.GetConfig()
                .With("beta_1", Beta1)
                .With("beta_2", Beta2)
                .With("epsilon", Epsilon)
                .With("amsgrad", AmsGrad);
    }
}
