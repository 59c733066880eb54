namespace Microsoft.ML.Layers.Callbacks
{
    /// <summary>
    /// Whether a monitored quantity improves when it goes down or up (Keras's <c>mode</c> of <see cref="EarlyStopping"/>,
    /// <see cref="ModelCheckpoint"/> and <see cref="ReduceLROnPlateau"/>).
    /// </summary>
    public enum MonitorMode
    {
        /// <summary>Up for accuracies, AUC, precision and recall; down for the rest, such as losses (<c>"auto"</c>).</summary>
        Auto,

        /// <summary>Lower is better (<c>"min"</c>).</summary>
        Min,

        /// <summary>Higher is better (<c>"max"</c>).</summary>
        Max,
    }
}
