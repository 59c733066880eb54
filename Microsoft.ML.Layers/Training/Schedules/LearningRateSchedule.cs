namespace Microsoft.ML.Layers.Optimizers
{
    /// <summary>A learning rate as a function of the optimizer's step count (Keras's <c>LearningRateSchedule</c>).</summary>
    public abstract class LearningRateSchedule
    {
        /// <summary>The learning rate at step <paramref name="step"/> (the number of steps already taken).</summary>
        public abstract double At(long step);

        /// <summary>Keras's config of the schedule.</summary>
        public abstract ComponentConfig GetConfig();
    }
}
