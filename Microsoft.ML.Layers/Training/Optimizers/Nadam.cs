using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Optimizers
{
    /// <summary>Nadam (Keras's <c>Nadam</c>): Adam with Nesterov momentum and Keras's momentum schedule
    /// <c>u_t = b1 (1 - 0.5 * 0.96^t)</c>.</summary>
    public sealed class Nadam : Optimizer
    {
        private double _uProduct = 1.0;
        private long _uProductStep;
        /// <summary>Creates the optimizer with Keras's defaults.</summary>
        public Nadam(LearningRate? learningRate = null, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7,
            double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null,
            string name = "nadam")
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
            // The product of the schedule up to this step is advanced once per step, before any variable is updated.
            if (_uProductStep != Iterations + 1)
            {
                _uProduct *= Beta1 * (1.0 - 0.5 * Math.Pow(0.96, Iterations + 1));
                _uProductStep = Iterations + 1;
            }
            double step = Iterations + 1;
            double uT = Beta1 * (1.0 - 0.5 * Math.Pow(0.96, step));
            double uT1 = Beta1 * (1.0 - 0.5 * Math.Pow(0.96, step + 1));
            double uProductT1 = _uProduct * uT1;
            double beta2Power = Math.Pow(Beta2, step);
            var m = Slot(variable, "momentum");
            var v = Slot(variable, "velocity");
            m.add_((gradient - m).MulScalar(1 - Beta1), Scalars.IntOne);
            v.add_((gradient.Squared() - v).MulScalar(1 - Beta2), Scalars.IntOne);
            var mHat = m.MulScalar(uT1 / (1 - uProductT1)).add(gradient.MulScalar((1 - uT) / (1 - _uProduct)), Scalars.IntOne);
            var vHat = v.DivScalar(1 - beta2Power);
            variable.sub_(mHat.MulScalar(learningRate) / vHat.sqrt().AddScalar(Epsilon));
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => base.GetConfig()
                .With("beta_1", Beta1)
                .With("beta_2", Beta2)
                .With("epsilon", Epsilon);
    }
}
