using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    public partial class Model
    {
        private List<Loss>? _losses;
        private List<double>? _lossWeights;
        private List<object> _metricSpecs = new();
        private List<List<Metric>>? _metrics;
        private readonly MeanMetric _lossTracker = new("loss", (t, p) => p);

        /// <summary>The optimizer set by <see cref="Compile"/>, or null before.</summary>
        public Optimizer? Optimizer { get; private set; }

        /// <summary>Whether <see cref="Compile"/> was called.</summary>
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
        /// Configures training (Keras's <c>compile</c>).
        /// </summary>
        /// <param name="optimizer">An optimizer, or its name (<c>"adam"</c>).</param>
        /// <param name="loss">A <see cref="Loss"/> or a loss name for every output; or a list with one per output; or a dictionary from output layer name to loss.</param>
        /// <param name="metrics">Metric objects or names (<c>"accuracy"</c>, <c>"auc"</c>, ...), computed for every output.</param>
        /// <param name="lossWeights">Weights of the outputs' losses in the total (default 1 each).</param>
        /// <exception cref="ArgumentException">A name is unknown, or the number of losses or weights does not match the outputs.</exception>
        public void Compile(Optimizer optimizer, object loss, IEnumerable<object>? metrics = null, IReadOnlyList<double>? lossWeights = null)
        {
            ArgumentNullException.ThrowIfNull(optimizer);
            ArgumentNullException.ThrowIfNull(loss);
            var names = OutputNames;
            List<Loss> losses = loss switch
            {
                string or Loss => Enumerable.Range(0, OutputCount).Select(_ => ResolveLoss(loss)).ToList(),
                IDictionary byName => names.Select(n => byName.Contains(n) ? ResolveLoss(byName[n]!)
                    : throw new ArgumentException($"The loss dictionary has no entry for output '{n}'. Outputs: {string.Join(", ", names)}.", nameof(loss))).ToList(),
                IEnumerable list => list.Cast<object>().Select(ResolveLoss).ToList(),
                _ => throw new ArgumentException($"`loss` must be a Loss, a loss name, a list or a dictionary. Received: {loss.GetType().Name}.", nameof(loss)),
            };
            if (losses.Count != OutputCount)
                throw new ArgumentException($"Model '{Name}' has {OutputCount} output(s) ({string.Join(", ", names)}) but {losses.Count} losses were given.", nameof(loss));
            if (lossWeights is not null && lossWeights.Count != OutputCount)
                throw new ArgumentException($"Model '{Name}' has {OutputCount} output(s) but {lossWeights.Count} loss weights were given.", nameof(lossWeights));

            var specs = (metrics ?? Enumerable.Empty<object>()).ToList();
            foreach (var spec in specs)
            {
                if (spec is string name && name is not ("accuracy" or "acc"))
                    Metrics.Get(name);
                else if (spec is not (string or Metric))
                    throw new ArgumentException($"Metrics must be Metric objects or names. Received: {spec?.GetType().Name ?? "null"}.", nameof(metrics));
            }

            Optimizer = optimizer;
            _losses = losses;
            _lossWeights = lossWeights?.ToList() ?? Enumerable.Repeat(1.0, OutputCount).ToList();
            _metricSpecs = specs;
            _metrics = null;
        }

        private static Loss ResolveLoss(object loss) => loss switch
        {
            Loss l => l,
            string name => Microsoft.ML.Layers.Losses.Get(name),
            _ => throw new ArgumentException($"A loss must be a Loss or a loss name. Received: {loss?.GetType().Name ?? "null"}."),
        };

        private void EnsureCompiled(string operation)
        {
            if (!IsCompiled)
                throw new InvalidOperationException($"You must call Compile() before {operation} on model '{Name}'.");
        }

        // Metrics are created at the first batch: "accuracy" depends on the shapes of targets and predictions.
        private List<List<Metric>> MetricsFor(IReadOnlyList<Tensor> targets, IReadOnlyList<Tensor> predictions)
        {
            if (_metrics is not null)
                return _metrics;
            var names = OutputNames;
            _metrics = new List<List<Metric>>();
            for (int output = 0; output < OutputCount; output++)
            {
                string prefix = OutputCount > 1 ? names[output] + "_" : "";
                var list = new List<Metric>();
                foreach (var spec in _metricSpecs)
                {
                    var metric = spec switch
                    {
                        "accuracy" or "acc" => Metrics.Accuracy((string)spec, targets[output], predictions[output]),
                        string name => Metrics.Get(name),
                        Metric m when OutputCount == 1 || output == 0 => m,
                        Metric m => throw new ArgumentException($"Metric object '{m.Name}' cannot be shared by {OutputCount} outputs; pass metric names instead."),
                        _ => throw new InvalidOperationException(),
                    };
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
