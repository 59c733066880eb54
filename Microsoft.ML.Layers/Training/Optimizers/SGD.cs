using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Optimizers
{
    /// <summary>Stochastic gradient descent with optional (Nesterov) momentum (Keras's <c>SGD</c>): <c>m = momentum*m - lr*g</c>;
    /// <c>w += m</c>, or <c>w += momentum*m - lr*g</c> with Nesterov.</summary>
    public sealed class SGD : Optimizer
    {
        /// <summary>Creates the optimizer with Keras's defaults.</summary>
        public SGD(LearningRate? learningRate = null, double momentum = 0.0, bool nesterov = false,
            double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null,
            string name = "sgd")
            : base(name, learningRate ?? 0.01, weightDecay, clipNorm, clipValue, globalClipNorm)
        {
            if (momentum < 0 || momentum > 1)
                throw new ArgumentOutOfRangeException(nameof(momentum), $"`momentum` must be in [0, 1]. Received: momentum={momentum}");
            Momentum = momentum;
            Nesterov = nesterov;
        }

        /// <summary>Keras's <c>momentum</c>.</summary>
        public double Momentum { get; }

        /// <summary>Keras's <c>nesterov</c>.</summary>
        public bool Nesterov { get; }

        /// <inheritdoc />
        protected override void Update(Parameter variable, Tensor gradient, double learningRate)
        {
            if (Momentum == 0)
            {
                variable.sub_(gradient.MulScalar(learningRate));
                return;
            }
            var m = Slot(variable, "momentum");
            using var momentum = Momentum.ToScalar();
            m.mul_(momentum).sub_(gradient.MulScalar(learningRate));
            if (Nesterov)
                variable.add_(m.MulScalar(Momentum) - gradient.MulScalar(learningRate), Scalars.IntOne);
            else
                variable.add_(m, Scalars.IntOne);
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => base.GetConfig()
                .With("momentum", Momentum)
                .With("nesterov", Nesterov);
    }
}
