using System;
using System.Collections.Generic;

namespace Microsoft.ML.Layers.Optimizers
{
    /// <summary>Rebuilds the built-in learning-rate schedules from their Keras configs.</summary>
    internal static class LearningRateSchedules
    {
        private static readonly Dictionary<string, Type> ByName = new(StringComparer.Ordinal)
        {
            ["ExponentialDecay"] = typeof(ExponentialDecay),
            ["CosineDecay"] = typeof(CosineDecay),
            ["PiecewiseConstantDecay"] = typeof(PiecewiseConstantDecay),
        };

        public static LearningRateSchedule FromConfig(ComponentConfig config)
            => ByName.TryGetValue(config.ClassName, out var type)
                ? (LearningRateSchedule)ComponentRegistry.Instantiate(type, config, typeof(LearningRateSchedule))
                : throw new FormatException($"Unknown learning rate schedule '{config.ClassName}'. Known: " +
                    $"{string.Join(", ", ByName.Keys)}.");
    }
}
