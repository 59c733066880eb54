using System;

namespace Microsoft.ML.Layers.Callbacks
{
    /// <summary>Whether a monitored quantity improves when it goes down or up; Keras's <c>mode="auto"</c> rule.</summary>
    internal static class MonitorMode
    {
        /// <summary>True when larger is better: <c>"max"</c>, or <c>"auto"</c> for accuracies, AUC, precision and recall.</summary>
        public static bool HigherIsBetter(string mode, string monitor)
        {
            switch (mode)
            {
                case "min":
                    return false;
                case "max":
                    return true;
                case "auto":
                    string name = monitor.StartsWith("val_", StringComparison.Ordinal) ? monitor.Substring(4) : monitor;
                    return name.Contains("acc", StringComparison.Ordinal) || name.Contains("auc", StringComparison.Ordinal)
                        || name.Contains("precision", StringComparison.Ordinal) || name.Contains("recall", StringComparison.Ordinal);
                default:
                    throw new ArgumentException($"`mode` must be 'auto', 'min' or 'max'. Received: mode='{mode}'", nameof(mode));
            }
        }

        /// <summary>Whether <paramref name="current"/> improves on <paramref name="best"/> by more than <paramref name="minDelta"/>.</summary>
        public static bool Improves(double current, double best, double minDelta, bool higherIsBetter)
            => higherIsBetter ? current - minDelta > best : current + minDelta < best;
    }
}
