using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Metrics
{
    /// <summary>
    /// A stateful metric (Keras's <c>keras.metrics.Metric</c>): <see cref="UpdateState"/> accumulates over batches,
    /// <see cref="Result"/> reads the value, <see cref="ResetState"/> starts over (at each epoch).
    /// </summary>
    public abstract partial class Metric
    {
        /// <summary>Creates a metric with the name it is logged under.</summary>
        protected Metric(string name) => Name = name;

        /// <summary>The built-in metric with this Keras name, so that <c>new Metric[] { "accuracy" }</c> reads like Keras.</summary>
        /// <exception cref="System.ArgumentException">Unknown name; the message lists the known ones.</exception>
        public static implicit operator Metric(string name) => Metric.Get(name);

        /// <summary>The name in logs and <see cref="Layers.History"/> (<c>"accuracy"</c>, <c>"auc"</c>, ...).</summary>
        public string Name { get; internal set; }

        /// <summary>Accumulates one batch.</summary>
        public abstract void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null);

        /// <summary>The metric over everything accumulated since the last reset.</summary>
        public abstract double Result();

        /// <summary>Forgets the accumulated state.</summary>
        public abstract void ResetState();

        /// <inheritdoc />
        public override string ToString() => Name;
    }
}
