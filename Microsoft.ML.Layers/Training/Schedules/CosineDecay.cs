using System;

namespace Microsoft.ML.Layers.Optimizers
{
    /// <summary>
    /// Keras's <c>CosineDecay</c>: after an optional linear warmup from <c>initial_learning_rate</c> to <c>warmup_target</c>,
    /// the rate follows <c>target * ((1 - alpha) * 0.5 * (1 + cos(pi * step / decay_steps)) + alpha)</c>, then stays at
    /// <c>target * alpha</c>.
    /// </summary>
    public sealed class CosineDecay : LearningRateSchedule
    {
        /// <summary>Creates the schedule.</summary>
        public CosineDecay(double initialLearningRate, long decaySteps, double alpha = 0.0, double? warmupTarget = null,
            long warmupSteps = 0)
        {
            InitialLearningRate = initialLearningRate >= 0 ? initialLearningRate
                : throw new ArgumentOutOfRangeException(nameof(initialLearningRate),
                    $"Received: initial_learning_rate={initialLearningRate}");
            DecaySteps = decaySteps > 0 ? decaySteps
                : throw new ArgumentOutOfRangeException(nameof(decaySteps),
                    $"`decay_steps` must be positive. Received: decay_steps={decaySteps}");
            Alpha = alpha;
            WarmupTarget = warmupTarget;
            WarmupSteps = warmupSteps >= 0 ? warmupSteps
                : throw new ArgumentOutOfRangeException(nameof(warmupSteps), $"Received: warmup_steps={warmupSteps}");
        }

        /// <summary>The rate at step 0.</summary>
        public double InitialLearningRate { get; }

        /// <summary>The steps of the cosine part.</summary>
        public long DecaySteps { get; }

        /// <summary>The final rate as a fraction of the target.</summary>
        public double Alpha { get; }

        /// <summary>The rate reached at the end of the warmup, or null for no warmup.</summary>
        public double? WarmupTarget { get; }

        /// <summary>The number of warmup steps.</summary>
        public long WarmupSteps { get; }

        /// <inheritdoc />
        public override double At(long step)
        {
            double target = InitialLearningRate;
            if (WarmupTarget is double warmupTarget)
            {
                if (step < WarmupSteps)
                    return InitialLearningRate + (warmupTarget - InitialLearningRate) * step / WarmupSteps;
                target = warmupTarget;
            }
            double decayStep = Math.Min(step - (WarmupTarget is null ? 0 : WarmupSteps), DecaySteps);
            double cosine = 0.5 * (1 + Math.Cos(Math.PI * decayStep / DecaySteps));
            return target * ((1 - Alpha) * cosine + Alpha);
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => new ComponentConfig("CosineDecay", module: "keras.optimizers.schedules")
            .With("initial_learning_rate", InitialLearningRate).With("decay_steps", DecaySteps).With("alpha", Alpha)
            .With("warmup_target", WarmupTarget).With("warmup_steps", WarmupSteps);
    }
}
