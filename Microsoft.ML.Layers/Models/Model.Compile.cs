using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Callbacks;
using Microsoft.ML.Layers.Losses;
using Microsoft.ML.Layers.Metrics;
using Microsoft.ML.Layers.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    public partial class Model
    {
        private List<Loss>? _losses;
        private List<double>? _lossWeights;
        // The metrics for every output, or (when compiled with per-output metrics) one list per output.
        private List<MetricSpec> _metricSpecs = new();
        private List<List<MetricSpec>>? _outputMetricSpecs;
        private List<List<Metric>>? _metrics;
        private readonly MeanMetric _lossTracker = new("loss", (t, p) => p);

        /// <summary>
        /// One compiled metric: a name, instantiated anew for each output, or a metric object. <see cref="Name"/> is the name
        /// at <c>Compile</c>, the one the model file stores (a metric object's name gets the output prefix later).
        /// </summary>
        private readonly record struct MetricSpec(string Name, Metric? Instance);

        /// <summary>The optimizer set by <c>Compile</c>, or null before.</summary>
        public Optimizer? Optimizer { get; private set; }

        /// <summary>Whether <c>Compile</c> was called.</summary>
        public bool IsCompiled => Optimizer is not null && _losses is not null;

        /// <summary>Set by a callback to end <c>Fit</c> after the current batch (Keras's <c>model.stop_training</c>).</summary>
        public bool StopTraining { get; set; }

        /// <summary>
        /// Whether a NaN or infinite loss ends <c>Fit</c> with an error naming the epoch and batch (the default). Set to
        /// false to keep training regardless; add <see cref="TerminateOnNaN"/> to stop quietly instead.
        /// </summary>
        public bool RaiseOnNonFiniteLoss { get; set; } = true;

        /// <summary>The compiled losses, one per output.</summary>
        public IReadOnlyList<Loss> CompiledLosses => _losses ?? (IReadOnlyList<Loss>)Array.Empty<Loss>();

        private int OutputCount => Graph?.Outputs.Count ?? 1;

        private IReadOnlyList<string> OutputNames
            => Graph is null ? new[] { "output" } : Graph.Outputs.Select(o => KerasTensor.Info(o).Node!.Layer.Name).ToList();

        /// <summary>
        /// Configures training (Keras's <c>compile</c>) with one loss for every output and metrics computed for every output.
        /// The overloads take the loss as one <see cref="Loss"/> (or a loss name: <c>"mse"</c>), a list with one loss per
        /// output, or a dictionary from output layer name to loss; and the metrics as names, as <see cref="Metric"/> objects
        /// (strings convert: <c>new Metric[] { "accuracy" }</c>), as one list per output, or as a dictionary from output
        /// layer name to metrics.
        /// </summary>
        /// <param name="optimizer">An optimizer, or its name (<c>"adam"</c>).</param>
        /// <param name="loss">The loss, or its name (<c>"sparse_categorical_crossentropy"</c>).</param>
        /// <param name="metrics">Metrics computed for every output. A metric object serves one output only; pass names for several.</param>
        /// <param name="lossWeights">Weights of the outputs' losses in the total (default 1 each).</param>
        /// <exception cref="ArgumentException">
        /// A name is unknown, or the number of losses or weights does not match the outputs.
        /// </exception>
        public void Compile(Optimizer optimizer, Loss loss, IEnumerable<Metric>? metrics = null, IReadOnlyList<double>? lossWeights = null)
            => CompileCore(optimizer, SameLoss(loss), ForEveryOutput(metrics), null, lossWeights);

        /// <summary>
        /// Configures training with one loss for every output and metric names (<c>"accuracy"</c>, <c>"auc"</c>, ...) for every output.
        /// </summary>
        /// <inheritdoc cref="Compile(Optimizer, Loss, IEnumerable{Metric}?, IReadOnlyList{double}?)"/>
        public void Compile(Optimizer optimizer, Loss loss, IEnumerable<string> metrics, IReadOnlyList<double>? lossWeights = null)
            => CompileCore(optimizer, SameLoss(loss), ForEveryOutput(metrics), null, lossWeights);

        /// <summary>Configures training with one loss for every output and one list of metrics per output, in output order.</summary>
        /// <inheritdoc cref="Compile(Optimizer, Loss, IEnumerable{Metric}?, IReadOnlyList{double}?)"/>
        public void Compile(Optimizer optimizer, Loss loss, IReadOnlyList<IReadOnlyList<Metric>> metrics,
            IReadOnlyList<double>? lossWeights = null)
            => CompileCore(optimizer, SameLoss(loss), null, PerOutput(metrics), lossWeights);

        /// <summary>Configures training with one loss for every output and metrics by output layer name.</summary>
        /// <inheritdoc cref="Compile(Optimizer, Loss, IEnumerable{Metric}?, IReadOnlyList{double}?)"/>
        public void Compile(Optimizer optimizer, Loss loss, IReadOnlyDictionary<string, IReadOnlyList<Metric>> metrics,
            IReadOnlyList<double>? lossWeights = null)
            => CompileCore(optimizer, SameLoss(loss), null, PerOutput(metrics), lossWeights);

        /// <summary>Configures training with one loss per output, in output order, and metrics for every output.</summary>
        /// <inheritdoc cref="Compile(Optimizer, Loss, IEnumerable{Metric}?, IReadOnlyList{double}?)"/>
        public void Compile(Optimizer optimizer, IReadOnlyList<Loss> loss, IEnumerable<Metric>? metrics = null,
            IReadOnlyList<double>? lossWeights = null)
            => CompileCore(optimizer, LossList(loss), ForEveryOutput(metrics), null, lossWeights);

        /// <summary>Configures training with one loss per output, in output order, and metric names for every output.</summary>
        /// <inheritdoc cref="Compile(Optimizer, Loss, IEnumerable{Metric}?, IReadOnlyList{double}?)"/>
        public void Compile(Optimizer optimizer, IReadOnlyList<Loss> loss, IEnumerable<string> metrics,
            IReadOnlyList<double>? lossWeights = null)
            => CompileCore(optimizer, LossList(loss), ForEveryOutput(metrics), null, lossWeights);

        /// <summary>Configures training with one loss and one list of metrics per output, in output order.</summary>
        /// <inheritdoc cref="Compile(Optimizer, Loss, IEnumerable{Metric}?, IReadOnlyList{double}?)"/>
        public void Compile(Optimizer optimizer, IReadOnlyList<Loss> loss, IReadOnlyList<IReadOnlyList<Metric>> metrics,
            IReadOnlyList<double>? lossWeights = null)
            => CompileCore(optimizer, LossList(loss), null, PerOutput(metrics), lossWeights);

        /// <summary>Configures training with one loss per output, in output order, and metrics by output layer name.</summary>
        /// <inheritdoc cref="Compile(Optimizer, Loss, IEnumerable{Metric}?, IReadOnlyList{double}?)"/>
        public void Compile(Optimizer optimizer, IReadOnlyList<Loss> loss, IReadOnlyDictionary<string, IReadOnlyList<Metric>> metrics,
            IReadOnlyList<double>? lossWeights = null)
            => CompileCore(optimizer, LossList(loss), null, PerOutput(metrics), lossWeights);

        /// <summary>Configures training with losses by output layer name (every output needs one) and metrics for every output.</summary>
        /// <inheritdoc cref="Compile(Optimizer, Loss, IEnumerable{Metric}?, IReadOnlyList{double}?)"/>
        public void Compile(Optimizer optimizer, IReadOnlyDictionary<string, Loss> loss, IEnumerable<Metric>? metrics = null,
            IReadOnlyList<double>? lossWeights = null)
            => CompileCore(optimizer, LossDictionary(loss), ForEveryOutput(metrics), null, lossWeights);

        /// <summary>Configures training with losses by output layer name and metric names for every output.</summary>
        /// <inheritdoc cref="Compile(Optimizer, Loss, IEnumerable{Metric}?, IReadOnlyList{double}?)"/>
        public void Compile(Optimizer optimizer, IReadOnlyDictionary<string, Loss> loss, IEnumerable<string> metrics,
            IReadOnlyList<double>? lossWeights = null)
            => CompileCore(optimizer, LossDictionary(loss), ForEveryOutput(metrics), null, lossWeights);

        /// <summary>Configures training with losses by output layer name and one list of metrics per output, in output order.</summary>
        /// <inheritdoc cref="Compile(Optimizer, Loss, IEnumerable{Metric}?, IReadOnlyList{double}?)"/>
        public void Compile(Optimizer optimizer, IReadOnlyDictionary<string, Loss> loss, IReadOnlyList<IReadOnlyList<Metric>> metrics,
            IReadOnlyList<double>? lossWeights = null)
            => CompileCore(optimizer, LossDictionary(loss), null, PerOutput(metrics), lossWeights);

        /// <summary>Configures training with losses and metrics by output layer name (Keras's dictionaries).</summary>
        /// <inheritdoc cref="Compile(Optimizer, Loss, IEnumerable{Metric}?, IReadOnlyList{double}?)"/>
        public void Compile(Optimizer optimizer, IReadOnlyDictionary<string, Loss> loss,
            IReadOnlyDictionary<string, IReadOnlyList<Metric>> metrics, IReadOnlyList<double>? lossWeights = null)
            => CompileCore(optimizer, LossDictionary(loss), null, PerOutput(metrics), lossWeights);

        private void CompileCore(Optimizer optimizer, List<Loss> losses, List<MetricSpec>? metrics, List<List<MetricSpec>>? outputMetrics,
            IReadOnlyList<double>? lossWeights)
        {
            ArgumentNullException.ThrowIfNull(optimizer);
            if (losses.Count != OutputCount)
            {
                throw new ArgumentException(
                    $"Model '{Name}' has {OutputCount} output(s) ({string.Join(", ", OutputNames)}) but {losses.Count} losses were given.",
                    "loss");
            }
            if (lossWeights is not null && lossWeights.Count != OutputCount)
            {
                throw new ArgumentException(
                    $"Model '{Name}' has {OutputCount} output(s) but {lossWeights.Count} loss weights were given.", nameof(lossWeights));
            }

            if (OutputCount > 1 && metrics?.FirstOrDefault(m => m.Instance is not null) is { Instance: Metric shared })
            {
                throw new ArgumentException(
                    $"Metric object '{shared.Name}' cannot be shared by {OutputCount} outputs; pass metric names instead, or metrics per " +
                    $"output.",
                    "metrics");
            }

            Optimizer = optimizer;
            _losses = losses;
            _lossWeights = lossWeights?.ToList() ?? Enumerable.Repeat(1.0, OutputCount).ToList();
            _metricSpecs = metrics ?? new List<MetricSpec>();
            _outputMetricSpecs = outputMetrics;
            _metrics = null;
        }

        private List<Loss> SameLoss(Loss loss)
        {
            ArgumentNullException.ThrowIfNull(loss);
            return Enumerable.Repeat(loss, OutputCount).ToList();
        }

        private static List<Loss> LossList(IReadOnlyList<Loss> losses)
        {
            ArgumentNullException.ThrowIfNull(losses, "loss");
            return losses.Select(l => l ?? throw new ArgumentException("The loss list contains null.", "loss")).ToList();
        }

        private List<Loss> LossDictionary(IReadOnlyDictionary<string, Loss> losses)
        {
            ArgumentNullException.ThrowIfNull(losses, "loss");
            var names = OutputNames;
            return names.Select(n => losses.TryGetValue(n, out var loss) && loss is not null ? loss
                : throw new ArgumentException(
                    $"The loss dictionary has no entry for output '{n}'. Outputs: {string.Join(", ", names)}.", "loss")).ToList();
        }

        private static List<MetricSpec> ForEveryOutput(IEnumerable<Metric>? metrics)
            => (metrics ?? Enumerable.Empty<Metric>()).Select(Spec).ToList();

        private static List<MetricSpec> ForEveryOutput(IEnumerable<string> metrics)
        {
            ArgumentNullException.ThrowIfNull(metrics);
            var specs = new List<MetricSpec>();
            foreach (var name in metrics)
            {
                Metric.Get(name ?? throw new ArgumentException("The metric names contain null.", nameof(metrics)));
                specs.Add(new MetricSpec(name, null));
            }
            return specs;
        }

        private List<List<MetricSpec>> PerOutput(IReadOnlyList<IReadOnlyList<Metric>> metrics)
        {
            ArgumentNullException.ThrowIfNull(metrics);
            if (metrics.Count != OutputCount)
            {
                throw new ArgumentException(
                    $"Model '{Name}' has {OutputCount} output(s) ({string.Join(", ", OutputNames)}) but {metrics.Count} metric lists " +
                    $"were given.",
                    nameof(metrics));
            }
            return metrics.Select(Specs).ToList();
        }

        private List<List<MetricSpec>> PerOutput(IReadOnlyDictionary<string, IReadOnlyList<Metric>> metrics)
        {
            ArgumentNullException.ThrowIfNull(metrics);
            var names = OutputNames;
            var unknown = metrics.Keys.Where(k => !names.Contains(k)).ToList();
            if (unknown.Count > 0)
            {
                throw new ArgumentException(
                    $"The metrics dictionary names no output of model '{Name}': {string.Join(", ", unknown)}. " +
                    $"Outputs: {string.Join(", ", names)}.", nameof(metrics));
            }
            return names.Select(n => Specs(metrics.TryGetValue(n, out var list) ? list : null)).ToList();
        }

        private static List<MetricSpec> Specs(IReadOnlyList<Metric>? metrics) => (metrics ?? Array.Empty<Metric>()).Select(Spec).ToList();

        private static MetricSpec Spec(Metric metric)
            => new(metric?.Name ?? throw new ArgumentException("The metrics contain null.", "metrics"), metric);

        private void EnsureCompiled(string operation)
        {
            if (!IsCompiled)
                throw new InvalidOperationException($"You must call Compile() before {operation} on model '{Name}'.");
        }

        // The output's metric objects, created at the first batch: a name becomes a new metric for each output.
        private List<List<Metric>> MetricsFor()
        {
            if (_metrics is not null)
                return _metrics;
            var names = OutputNames;
            _metrics = new List<List<Metric>>();
            for (int output = 0; output < OutputCount; output++)
            {
                string prefix = OutputCount > 1 ? names[output] + "_" : "";
                var list = new List<Metric>();
                foreach (var spec in _outputMetricSpecs?[output] ?? _metricSpecs)
                {
                    var metric = spec.Instance ?? Metric.Get(spec.Name);
                    metric.Name = prefix + metric.Name.TrimStart();
                    if (prefix.Length > 0 && metric.Name.StartsWith(prefix + prefix, StringComparison.Ordinal))
                        metric.Name = metric.Name.Substring(prefix.Length);
                    list.Add(metric);
                }
                _metrics.Add(list);
            }
            return _metrics;
        }

        private void ResetMetrics()
        {
            _lossTracker.ResetState();
            foreach (var metric in _metrics?.SelectMany(m => m) ?? Enumerable.Empty<Metric>())
                metric.ResetState();
        }

        private Dictionary<string, double> MetricLogs(string prefix = "")
        {
            var logs = new Dictionary<string, double>(StringComparer.Ordinal) { [prefix + "loss"] = _lossTracker.Result() };
            foreach (var metric in _metrics?.SelectMany(m => m) ?? Enumerable.Empty<Metric>())
                logs[prefix + metric.Name] = metric.Result();
            return logs;
        }
    }
}
