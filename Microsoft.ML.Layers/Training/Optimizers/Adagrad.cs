using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Optimizers
{
    /// <summary>Adagrad (Keras's <c>Adagrad</c>): <c>acc += g^2</c> (starting at 0.1), <c>w -= lr g / sqrt(acc + epsilon)</c>.</summary>
    public sealed class Adagrad : Optimizer
    {
        /// <summary>Creates the optimizer with Keras's defaults.</summary>
        public Adagrad(LearningRate? learningRate = null, double initialAccumulatorValue = 0.1, double epsilon = 1e-7,
            double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null,
            string name = "adagrad")
            : base(name, learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipNorm)
        {
            InitialAccumulatorValue = initialAccumulatorValue;
            Epsilon = epsilon;
        }

        /// <summary>Keras's <c>initial_accumulator_value</c>.</summary>
        public double InitialAccumulatorValue { get; }

        /// <summary>Keras's <c>epsilon</c>.</summary>
        public double Epsilon { get; }

        /// <inheritdoc />
        protected override void Update(Parameter variable, Tensor gradient, double learningRate)
        {
            var accumulator = Slot(variable, "accumulator", InitialAccumulatorValue);
            accumulator.add_(gradient.Squared(), Scalars.IntOne);
            variable.sub_(gradient.MulScalar(learningRate) / accumulator.AddScalar(Epsilon).sqrt());
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => base.GetConfig()
                .With("initial_accumulator_value", InitialAccumulatorValue)
                .With("epsilon", Epsilon);
    }
}
