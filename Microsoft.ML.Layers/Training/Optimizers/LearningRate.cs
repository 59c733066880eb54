using System;

namespace Microsoft.ML.Layers.Optimizers
{
    /// <summary>
    /// An optimizer's learning rate: a constant (<c>new Adam(1e-3)</c>) or a schedule of the step count
    /// (<c>new Adam(new ExponentialDecay(1e-2, 1000, 0.9))</c>), as Keras's <c>learning_rate</c> argument accepts both.
    /// </summary>
    public readonly struct LearningRate
    {
        private LearningRate(double value, LearningRateSchedule? schedule)
        {
            Constant = value;
            Schedule = schedule;
        }

        /// <summary>The constant rate (unused when <see cref="Schedule"/> is set).</summary>
        public double Constant { get; }

        /// <summary>The schedule, or null for a constant rate.</summary>
        public LearningRateSchedule? Schedule { get; }

        /// <summary>The rate at optimizer step <paramref name="step"/> (0-based).</summary>
        public double At(long step) => Schedule?.At(step) ?? Constant;

        /// <summary>A constant rate.</summary>
        public static implicit operator LearningRate(double value)
            => value > 0 && double.IsFinite(value) ? new(value, null)
               : throw new ArgumentOutOfRangeException(nameof(value),
                   $"The learning rate must be a positive number. Received: learning_rate={value}");

        /// <summary>A scheduled rate.</summary>
        public static implicit operator LearningRate(LearningRateSchedule schedule)
            => new(0, schedule ?? throw new ArgumentNullException(nameof(schedule)));
    }
}
