using System;

namespace Microsoft.ML.Layers.Callbacks
{
    /// <summary>
    /// The logged quantity a callback watches (Keras's <c>monitor</c>): <c>"loss"</c>, <c>"val_loss"</c>, or any compiled
    /// metric with or without the <c>val_</c> prefix (<c>"val_accuracy"</c>, <c>"auc"</c>). The set is open, so any name
    /// converts implicitly (<c>monitor: "val_auc"</c>); the common ones have properties (<c>MonitoredValue.ValLoss</c>).
    /// Whether higher is better is the callback's <see cref="MonitorMode"/>.
    /// </summary>
    public sealed class MonitoredValue : IEquatable<MonitoredValue>
    {
        /// <summary>Watches the log entry <paramref name="name"/>.</summary>
        /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
        public MonitoredValue(string name)
        {
            if (string.IsNullOrEmpty(name))
                throw new ArgumentException(
                    $"A monitored value names a log entry such as \"val_loss\". Received: monitor='{name}'.", nameof(name));
            Name = name;
        }

        /// <summary>The log entry's name, as in the epoch logs and <see cref="History"/>.</summary>
        public string Name { get; }

        /// <summary>The training loss, <c>"loss"</c>.</summary>
        public static MonitoredValue Loss { get; } = new("loss");

        /// <summary>The validation loss, <c>"val_loss"</c> (the callbacks' default, as in Keras).</summary>
        public static MonitoredValue ValLoss { get; } = new("val_loss");

        /// <summary>The training accuracy, <c>"accuracy"</c>.</summary>
        public static MonitoredValue Accuracy { get; } = new("accuracy");

        /// <summary>The validation accuracy, <c>"val_accuracy"</c>.</summary>
        public static MonitoredValue ValAccuracy { get; } = new("val_accuracy");

        /// <summary>Watches the log entry with this name.</summary>
        public static implicit operator MonitoredValue(string name) => new(name);

        /// <inheritdoc/>
        public bool Equals(MonitoredValue? other) => other is not null && other.Name == Name;

        /// <inheritdoc/>
        public override bool Equals(object? obj) => Equals(obj as MonitoredValue);

        /// <inheritdoc/>
        public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);

        /// <summary>The log entry's name.</summary>
        public override string ToString() => Name;
    }
}
