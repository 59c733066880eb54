using System;
using System.Collections.Generic;

namespace Microsoft.ML.Layers.Metrics
{
    /// <summary>The built-in metrics by Keras name. <c>"accuracy"</c> is resolved by <c>Model.Compile</c> from the loss and shapes, as
    /// Keras does.</summary>
    public abstract partial class Metric
    {
        private static readonly Dictionary<string, Func<Metric>> ByName = new(StringComparer.Ordinal)
        {
            ["binary_accuracy"] = () => new MeanMetric("binary_accuracy", (t, p) => MetricFunctions.BinaryAccuracy(t, p)),
            ["categorical_accuracy"] = () => new MeanMetric("categorical_accuracy", MetricFunctions.CategoricalAccuracy),
            ["sparse_categorical_accuracy"] = () => new MeanMetric("sparse_categorical_accuracy",
                MetricFunctions.SparseCategoricalAccuracy),
            ["top_k_categorical_accuracy"] = () => new MeanMetric("top_k_categorical_accuracy",
                (t, p) => MetricFunctions.TopKCategoricalAccuracy(t, p)),
            ["sparse_top_k_categorical_accuracy"] = () => new MeanMetric("sparse_top_k_categorical_accuracy",
                (t, p) => MetricFunctions.SparseTopKCategoricalAccuracy(t, p)),
            ["mean_squared_error"] = () => new MeanMetric("mean_squared_error", MetricFunctions.SquaredError),
            ["mse"] = () => new MeanMetric("mse", MetricFunctions.SquaredError),
            ["mean_absolute_error"] = () => new MeanMetric("mean_absolute_error", MetricFunctions.AbsoluteError),
            ["mae"] = () => new MeanMetric("mae", MetricFunctions.AbsoluteError),
            ["root_mean_squared_error"] = () => new RootMeanSquaredErrorMetric(),
            ["auc"] = () => new AucMetric(),
            ["precision"] = () => new PrecisionMetric(),
            ["recall"] = () => new RecallMetric(),
        };

        /// <summary>
        /// The metric named <paramref name="name"/>. <c>"accuracy"</c> (or <c>"acc"</c>) picks binary, sparse categorical or
        /// categorical accuracy at its first batch, from the shapes of targets and predictions, as Keras does.
        /// </summary>
        /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
        public static Metric Get(string name)
        {
            ArgumentNullException.ThrowIfNull(name);
            if (name is "accuracy" or "acc")
                return new AccuracyMetric(name);
            return ByName.TryGetValue(name, out var create) ? create()
                : throw new ArgumentException($"Unknown metric. Received: metric='{name}'. Known metrics: accuracy, " +
                    $"{string.Join(", ", ByName.Keys)}.", nameof(name));
        }

        /// <summary>
        /// Keras's resolution of <c>"accuracy"</c>: binary accuracy for one output unit, sparse categorical accuracy when the
        /// targets are class indices, categorical accuracy for one-hot targets. The metric keeps the name <c>accuracy</c>.
        /// </summary>
        internal static Metric Accuracy(string name, TorchSharp.torch.Tensor yTrue, TorchSharp.torch.Tensor yPred)
        {
            bool binary = yPred.shape[^1] == 1;
            bool sparse = yTrue.ndim < yPred.ndim || yTrue.shape[^1] == 1;
            var metric = binary ? Get("binary_accuracy") : sparse ? Get("sparse_categorical_accuracy") : Get("categorical_accuracy");
            metric.Name = name;
            return metric;
        }
    }
}
