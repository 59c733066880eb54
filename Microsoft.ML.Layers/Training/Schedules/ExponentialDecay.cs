using System;

namespace Microsoft.ML.Layers.Optimizers
{
    /// <summary>
    /// Keras's <c>ExponentialDecay</c>: <c>initial_learning_rate * decay_rate ^ (step / decay_steps)</c>, the exponent
    /// floored when <c>staircase</c>.
    /// </summary>
    public sealed class ExponentialDecay : LearningRateSchedule
    {
        /// <summary>Creates the schedule.</summary>
        public ExponentialDecay(double initialLearningRate, long decaySteps, double decayRate, bool staircase = false)
        {
            InitialLearningRate = initialLearningRate > 0 ? initialLearningRate
                : throw new ArgumentOutOfRangeException(nameof(initialLearningRate),
                    $"Received: initial_learning_rate={initialLearningRate}");
            DecaySteps = decaySteps > 0 ? decaySteps
                : throw new ArgumentOutOfRangeException(nameof(decaySteps),
                    $"`decay_steps` must be positive. Received: decay_steps={decaySteps}");
            DecayRate = decayRate;
            Staircase = staircase;
        }

        /// <summary>The rate at step 0.</summary>
        public double InitialLearningRate { get; }

        /// <summary>The steps over which the rate is multiplied by <see cref="DecayRate"/>.</summary>
        public long DecaySteps { get; }

        /// <summary>The factor per <see cref="DecaySteps"/>.</summary>
        public double DecayRate { get; }

        /// <summary>Whether the rate drops in steps rather than continuously.</summary>
        public bool Staircase { get; }

        /// <inheritdoc />
        public override double At(long step)
        {
            double exponent = (double)step / DecaySteps;
            return InitialLearningRate * Math.Pow(DecayRate, Staircase ? Math.Floor(exponent) : exponent);
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => new ComponentConfig("ExponentialDecay", module: "keras.optimizers.schedules")
            .With("initial_learning_rate", InitialLearningRate).With("decay_steps", DecaySteps).With("decay_rate", DecayRate)
            .With("staircase", Staircase);
    }
}
