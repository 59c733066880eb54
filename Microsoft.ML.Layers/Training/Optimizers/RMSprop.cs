using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Optimizers
{
    /// <summary>RMSprop (Keras's <c>RMSprop</c>): <c>v = rho v + (1 - rho) g^2</c>, <c>w -= lr g / sqrt(v + epsilon)</c> (epsilon inside
    /// the root, as Keras), optionally centered and with momentum.</summary>
    public sealed class RMSprop : Optimizer
    {
        /// <summary>Creates the optimizer with Keras's defaults.</summary>
        public RMSprop(LearningRate? learningRate = null, double rho = 0.9, double momentum = 0.0, double epsilon = 1e-7,
            bool centered = false, double? weightDecay = null, double? clipNorm = null, double? clipValue = null,
            double? globalClipNorm = null,
            string name = "rmsprop")
            : base(name, learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipNorm)
        {
            Rho = rho;
            Momentum = momentum;
            Epsilon = epsilon;
            Centered = centered;
        }

        /// <summary>Keras's <c>rho</c>.</summary>
        public double Rho { get; }

        /// <summary>Keras's <c>momentum</c>.</summary>
        public double Momentum { get; }

        /// <summary>Keras's <c>epsilon</c>.</summary>
        public double Epsilon { get; }

        /// <summary>Keras's <c>centered</c>.</summary>
        public bool Centered { get; }

        /// <inheritdoc />
        protected override void Update(Parameter variable, Tensor gradient, double learningRate)
        {
            var velocity = Slot(variable, "velocity");
            using var rho = Rho.ToScalar();
            velocity.mul_(rho).add_(gradient.Squared().MulScalar(1 - Rho), Scalars.IntOne);
            Tensor denominator;
            if (Centered)
            {
                var average = Slot(variable, "average_gradient");
                average.mul_(rho).add_(gradient.MulScalar(1 - Rho), Scalars.IntOne);
                denominator = (velocity - average.Squared()).AddScalar(Epsilon);
            }
            else
            {
                denominator = velocity.AddScalar(Epsilon);
            }
            var increment = gradient.MulScalar(learningRate) / denominator.sqrt();
            if (Momentum > 0)
            {
                var m = Slot(variable, "momentum");
                using var momentum = Momentum.ToScalar();
                m.mul_(momentum).add_(increment, Scalars.IntOne);
                variable.sub_(m);
            }
            else
            {
                variable.sub_(increment);
            }
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => base.GetConfig()
                .With("rho", Rho)
                .With("momentum", Momentum)
                .With("epsilon", Epsilon)
                .With("centered", Centered);
    }
}
