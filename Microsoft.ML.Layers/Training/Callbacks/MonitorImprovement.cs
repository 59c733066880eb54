using System;

namespace Microsoft.ML.Layers.Callbacks
{
    /// <summary>Whether a monitored quantity improves when it goes down or up; Keras's <c>mode="auto"</c> rule.</summary>
    internal static class MonitorImprovement
    {
        /// <summary>True when larger is better: <see cref="MonitorMode.Max"/>, or <see cref="MonitorMode.Auto"/> for accuracies, AUC,
        /// precision and recall.</summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not a <see cref="MonitorMode"/>.</exception>
        public static bool HigherIsBetter(MonitorMode mode, string monitor)
        {
            switch (mode)
            {
                case MonitorMode.Min:
                    return false;
                case MonitorMode.Max:
                    return true;
                case MonitorMode.Auto:
                    string name = monitor.StartsWith("val_", StringComparison.Ordinal) ? monitor.Substring(4) : monitor;
                    return name.Contains("acc", StringComparison.Ordinal) || name.Contains("auc", StringComparison.Ordinal)
                        || name.Contains("precision", StringComparison.Ordinal) || name.Contains("recall", StringComparison.Ordinal);
                default:
                    throw Arguments.NotAChoice(mode, nameof(mode));
            }
        }

        /// <summary>Whether <paramref name="current"/> improves on <paramref name="best"/> by more than
        /// <paramref name="minDelta"/>.</summary>
        public static bool Improves(double current, double best, double minDelta, bool higherIsBetter)
            => higherIsBetter ? current - minDelta > best : current + minDelta < best;
    }
}
