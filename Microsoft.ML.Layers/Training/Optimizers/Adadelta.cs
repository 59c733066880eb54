using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Optimizers
{
    /// <summary>Adadelta (Keras's <c>Adadelta</c>): <c>delta = -sqrt(acc_delta + eps) g / sqrt(acc_grad + eps)</c>,
    /// <c>w += lr delta</c>.</summary>
    public sealed class Adadelta : Optimizer
    {
        /// <summary>Creates the optimizer with Keras's defaults.</summary>
        public Adadelta(LearningRate? learningRate = null, double rho = 0.95, double epsilon = 1e-7,
            double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null,
            string name = "adadelta")
            : base(name, learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipNorm)
        {
            Rho = rho;
            Epsilon = epsilon;
        }

        /// <summary>Keras's <c>rho</c>.</summary>
        public double Rho { get; }

        /// <summary>Keras's <c>epsilon</c>.</summary>
        public double Epsilon { get; }

        /// <inheritdoc />
        protected override void Update(Parameter variable, Tensor gradient, double learningRate)
        {
            var accumulatedGradient = Slot(variable, "accumulated_grad");
            var accumulatedDelta = Slot(variable, "accumulated_delta_var");
            using var rho = Rho.ToScalar();
            accumulatedGradient.mul_(rho).add_(gradient.Squared().MulScalar(1 - Rho), Scalars.IntOne);
            var delta = -(accumulatedDelta.AddScalar(Epsilon).sqrt() * gradient / accumulatedGradient.AddScalar(Epsilon).sqrt());
            accumulatedDelta.mul_(rho).add_(delta.Squared().MulScalar(1 - Rho), Scalars.IntOne);
            variable.add_(delta.MulScalar(learningRate), Scalars.IntOne);
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => base.GetConfig()
                .With("rho", Rho)
                .With("epsilon", Epsilon);
    }
}
