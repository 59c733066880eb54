using System;
using System.Collections;
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
                    Metric.Get(name);
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
            string name => Loss.Get(name),
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
                        "accuracy" or "acc" => Metric.Accuracy((string)spec, targets[output], predictions[output]),
                        string name => Metric.Get(name),
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

        private IReadOnlyList<Tensor> Forward(IReadOnlyList<Tensor> inputs, bool training)
        {
            if (Graph is not null && Graph.Inputs.Count != inputs.Count)
                throw new ArgumentException($"Model '{Name}' expects {Graph.Inputs.Count} input(s) but received {inputs.Count}.");
            return inputs.Count == 1 && (Graph is null || Graph.Inputs.Count == 1) ? ApplyAll(inputs[0], training) : ApplyAll(inputs, training);
        }

        /// <summary>The total loss of a batch: the weighted outputs' losses plus the layers' <see cref="Layer.Losses"/>.</summary>
        private Tensor TotalLoss(Batch batch, IReadOnlyList<Tensor> predictions, Tensor? sampleWeight)
        {
            if (batch.Targets.Count != OutputCount)
                throw new ArgumentException($"Model '{Name}' has {OutputCount} output(s) but the data has {batch.Targets.Count} target(s).");
            Tensor? total = null;
            for (int i = 0; i < OutputCount; i++)
            {
                var value = _losses![i].Compute(batch.Targets[i], predictions[i], sampleWeight);
                if (_lossWeights![i] != 1.0)
                    value = value * _lossWeights[i];
                total = total is null ? value : total + value;
            }
            var sum = total!;
            foreach (var extra in Losses)
                sum = sum + extra.to(sum.dtype).sum();
            return sum;
        }

        private Tensor? SampleWeightsFor(Batch batch, IReadOnlyDictionary<int, double>? classWeight)
        {
            if (classWeight is null)
                return batch.SampleWeight;
            var target = batch.Targets[0];
            Tensor classes = target.ndim >= 2 && target.shape[^1] > 1 ? target.argmax(-1)
                : (target.ndim >= 2 ? target.squeeze(-1) : target).round().to(ScalarType.Int64);
            long maxClass = classWeight.Keys.DefaultIfEmpty(0).Max();
            var table = ones(Math.Max(maxClass + 1, classes.numel() == 0 ? 1 : classes.max().item<long>() + 1), dtype: ScalarType.Float32);
            foreach (var (cls, weight) in classWeight)
                table[cls] = tensor((float)weight);
            var weights = table.index_select(0, classes.reshape(-1)).reshape(classes.shape);
            return batch.SampleWeight is null ? weights : weights * batch.SampleWeight.to(ScalarType.Float32);
        }

        private double TrainStep(Batch batch, IReadOnlyDictionary<int, double>? classWeight)
        {
            var trainable = TrainableWeights;
            foreach (var weight in trainable)
                weight.grad = null;
            var predictions = Forward(batch.Inputs, training: true);
            var sampleWeight = SampleWeightsFor(batch, classWeight);
            var loss = TotalLoss(batch, predictions, sampleWeight);
            double lossValue = ReadScalar(loss);
            if (double.IsFinite(lossValue))
            {
                loss.backward();
                Optimizer!.Apply(trainable);
            }
            UpdateMetrics(batch, predictions, sampleWeight, lossValue);
            return lossValue;
        }

        /// <summary>A scalar loss as a double, read without a conversion kernel for the usual float32 and float64.</summary>
        private static double ReadScalar(Tensor loss) => loss.dtype switch
        {
            ScalarType.Float32 => loss.item<float>(),
            ScalarType.Float64 => loss.item<double>(),
            _ => loss.to(ScalarType.Float64).item<double>(),
        };

        private void UpdateMetrics(Batch batch, IReadOnlyList<Tensor> predictions, Tensor? sampleWeight, double lossValue)
        {
            _lossTracker.Add(lossValue, batch.Size);
            var metrics = MetricsFor(batch.Targets, predictions);
            using var noGrad = no_grad();
            for (int output = 0; output < metrics.Count; output++)
            {
                foreach (var metric in metrics[output])
                    metric.UpdateState(batch.Targets[output], predictions[output].detach(), sampleWeight);
            }
        }

        private double TestStep(Batch batch)
        {
            using var noGrad = no_grad();
            var predictions = Forward(batch.Inputs, training: false);
            double lossValue = ReadScalar(TotalLoss(batch, predictions, batch.SampleWeight));
            UpdateMetrics(batch, predictions, batch.SampleWeight, lossValue);
            return lossValue;
        }

        // ---------------------------------------------------------------------------------------------------------
        // Fit.

        /// <summary>
        /// Trains the model on in-memory data (Keras's <c>fit</c>).
        /// </summary>
        /// <param name="x">Inputs, one row per sample.</param>
        /// <param name="y">Targets, one row per sample.</param>
        /// <param name="batchSize">Rows per gradient step.</param>
        /// <param name="epochs">The epoch to stop at (epochs run: <paramref name="epochs"/> - <paramref name="initialEpoch"/>).</param>
        /// <param name="validationSplit">The fraction of rows, taken from the end before shuffling, held out for validation.</param>
        /// <param name="validationData">Separate validation inputs and targets.</param>
        /// <param name="shuffle">Whether to shuffle the rows before each epoch (TorchSharp's global generator: <c>manual_seed</c> reproduces it).</param>
        /// <param name="classWeight">Loss weight per class index, for imbalanced classification.</param>
        /// <param name="sampleWeight">Loss weight per row.</param>
        /// <param name="initialEpoch">The epoch to start from (to resume training).</param>
        /// <param name="callbacks">Callbacks such as <see cref="EarlyStopping"/>.</param>
        /// <param name="verbose">0 silent, 1 progress bar, 2 one line per epoch.</param>
        public History Fit(Tensor x, Tensor y, int batchSize = 32, int epochs = 1, double validationSplit = 0, (Tensor X, Tensor Y)? validationData = null,
            bool shuffle = true, IReadOnlyDictionary<int, double>? classWeight = null, Tensor? sampleWeight = null, int initialEpoch = 0,
            IEnumerable<Callback>? callbacks = null, int verbose = 1)
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(y);
            return Fit(new[] { x }, new[] { y }, batchSize, epochs, validationSplit,
                validationData is (Tensor vx, Tensor vy) ? (new[] { vx }, new[] { vy }) : null,
                shuffle, classWeight, sampleWeight, initialEpoch, callbacks, verbose);
        }

        /// <summary>Trains a model with several inputs and/or outputs on in-memory data; see the single-tensor overload.</summary>
        public History Fit(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y, int batchSize = 32, int epochs = 1, double validationSplit = 0,
            (IReadOnlyList<Tensor> X, IReadOnlyList<Tensor> Y)? validationData = null, bool shuffle = true, IReadOnlyDictionary<int, double>? classWeight = null,
            Tensor? sampleWeight = null, int initialEpoch = 0, IEnumerable<Callback>? callbacks = null, int verbose = 1)
        {
            EnsureCompiled("Fit");
            if (batchSize <= 0)
                throw new ArgumentOutOfRangeException(nameof(batchSize), $"Received: batch_size={batchSize}");
            var data = new TensorData(x, y, sampleWeight);
            TensorData? validation = null;
            if (validationData is (IReadOnlyList<Tensor> vx, IReadOnlyList<Tensor> vy))
                validation = new TensorData(vx, vy, null);
            else if (validationSplit > 0)
                (data, validation) = data.Split(validationSplit);
            return FitCore(epoch => data.Batches(batchSize, shuffle), data.Steps(batchSize),
                validation is null ? null : () => validation.Batches(batchSize, shuffle: false),
                classWeight, epochs, initialEpoch, callbacks, verbose);
        }

        /// <summary>Trains a model with several inputs and/or outputs given as arrays of tensors; see the single-tensor overload.</summary>
        public History Fit(Tensor[] x, Tensor[] y, int batchSize = 32, int epochs = 1, double validationSplit = 0,
            (IReadOnlyList<Tensor> X, IReadOnlyList<Tensor> Y)? validationData = null, bool shuffle = true, IReadOnlyDictionary<int, double>? classWeight = null,
            Tensor? sampleWeight = null, int initialEpoch = 0, IEnumerable<Callback>? callbacks = null, int verbose = 1)
            => Fit((IReadOnlyList<Tensor>)x, (IReadOnlyList<Tensor>)y, batchSize, epochs, validationSplit, validationData, shuffle, classWeight, sampleWeight, initialEpoch, callbacks, verbose);

        /// <summary>Trains on .NET arrays (e.g. <c>float[,]</c> inputs and <c>long[]</c> class labels); see the tensor overload.</summary>
        public History Fit(Array x, Array y, int batchSize = 32, int epochs = 1, double validationSplit = 0, bool shuffle = true,
            IReadOnlyDictionary<int, double>? classWeight = null, int initialEpoch = 0, IEnumerable<Callback>? callbacks = null, int verbose = 1)
        {
            using var tx = from_array(x ?? throw new ArgumentNullException(nameof(x)));
            using var ty = from_array(y ?? throw new ArgumentNullException(nameof(y)));
            return Fit(tx, ty, batchSize, epochs, validationSplit, null, shuffle, classWeight, null, initialEpoch, callbacks, verbose);
        }

        /// <summary>
        /// Trains on a sequence of batches, enumerated once per epoch: for data that does not fit in memory. Tensors created
        /// while a batch is produced are disposed after that batch's step.
        /// </summary>
        public History Fit(IEnumerable<Batch> batches, int epochs = 1, IEnumerable<Batch>? validationData = null,
            IReadOnlyDictionary<int, double>? classWeight = null, int initialEpoch = 0, IEnumerable<Callback>? callbacks = null, int verbose = 1)
        {
            ArgumentNullException.ThrowIfNull(batches);
            EnsureCompiled("Fit");
            return FitCore(_ => batches, null, validationData is null ? null : () => validationData, classWeight, epochs, initialEpoch, callbacks, verbose);
        }

        private History FitCore(Func<int, IEnumerable<Batch>> trainBatches, int? steps, Func<IEnumerable<Batch>>? validationBatches,
            IReadOnlyDictionary<int, double>? classWeight, int epochs, int initialEpoch, IEnumerable<Callback>? callbacks, int verbose)
        {
            if (epochs < 1 || initialEpoch < 0 || initialEpoch >= epochs)
                throw new ArgumentOutOfRangeException(nameof(epochs), $"Need 0 <= initial_epoch < epochs. Received: epochs={epochs}, initial_epoch={initialEpoch}");
            var history = new History();
            var all = new List<Callback>(callbacks ?? Enumerable.Empty<Callback>()) { history };
            bool quietNaN = all.Any(c => c is TerminateOnNaN);
            foreach (var callback in all)
                callback.Model = this;
            var display = new ProgressDisplay(verbose, epochs);
            var empty = new Dictionary<string, double>();
            StopTraining = false;
            foreach (var callback in all)
                callback.OnTrainBegin(empty);

            var endLogs = new Dictionary<string, double>();
            for (int epoch = initialEpoch; epoch < epochs && !StopTraining; epoch++)
            {
                ResetMetrics();
                foreach (var callback in all)
                    callback.OnEpochBegin(epoch, empty);
                display.EpochBegin(epoch);
                int batchIndex = 0;
                using (var enumerator = trainBatches(epoch).GetEnumerator())
                {
                    while (!StopTraining)
                    {
                        using var scope = NewDisposeScope();
                        if (!enumerator.MoveNext())
                            break;
                        foreach (var callback in all)
                            callback.OnTrainBatchBegin(batchIndex, empty);
                        double loss = TrainStep(enumerator.Current, classWeight);
                        var batchLogs = MetricLogs();
                        batchLogs["loss"] = loss;
                        if (!double.IsFinite(loss) && RaiseOnNonFiniteLoss && !quietNaN)
                        {
                            throw new InvalidOperationException(
                                $"Model '{Name}': the loss became {loss} at epoch {epoch + 1}, batch {batchIndex + 1}. Lower the learning rate, check the data " +
                                "for NaN or infinite values, or add gradient clipping (clipNorm). Add a TerminateOnNaN callback to stop quietly, or set " +
                                "RaiseOnNonFiniteLoss = false to continue.");
                        }
                        foreach (var callback in all)
                            callback.OnTrainBatchEnd(batchIndex, batchLogs);
                        display.BatchEnd(batchIndex, steps, MetricLogs());
                        batchIndex++;
                    }
                }
                if (batchIndex == 0)
                    throw new InvalidOperationException($"Model '{Name}': the training data produced no batches in epoch {epoch + 1}.");

                var logs = MetricLogs();
                if (validationBatches is not null)
                {
                    foreach (var (key, value) in EvaluateCore(validationBatches(), "val_"))
                        logs[key] = value;
                }
                display.EpochEnd(epoch, batchIndex, steps, logs);
                foreach (var callback in all)
                    callback.OnEpochEnd(epoch, logs);
                endLogs = logs;
            }
            foreach (var callback in all)
                callback.OnTrainEnd(endLogs);
            return history;
        }

        // ---------------------------------------------------------------------------------------------------------
        // Evaluate, predict, single batches.

        private Dictionary<string, double> EvaluateCore(IEnumerable<Batch> batches, string prefix)
        {
            // Fit has already read the epoch's training results; the same metric objects now measure the evaluation data.
            ResetMetrics();
            int count = 0;
            using (var enumerator = batches.GetEnumerator())
            {
                while (true)
                {
                    using var scope = NewDisposeScope();
                    if (!enumerator.MoveNext())
                        break;
                    TestStep(enumerator.Current);
                    count++;
                }
            }
            if (count == 0)
                throw new InvalidOperationException($"Model '{Name}': the evaluation data produced no batches.");
            return MetricLogs(prefix);
        }

        /// <summary>The loss on <paramref name="x"/>, <paramref name="y"/> in inference mode (Keras's <c>evaluate</c>).</summary>
        public double Evaluate(Tensor x, Tensor y, int batchSize = 32, Tensor? sampleWeight = null)
            => EvaluateAll(x, y, batchSize, sampleWeight)["loss"];

        /// <summary>The loss and every compiled metric on <paramref name="x"/>, <paramref name="y"/> (Keras's <c>evaluate(return_dict=True)</c>).</summary>
        public IReadOnlyDictionary<string, double> EvaluateAll(Tensor x, Tensor y, int batchSize = 32, Tensor? sampleWeight = null)
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(y);
            return EvaluateAll(new[] { x }, new[] { y }, batchSize, sampleWeight);
        }

        /// <summary>The loss and metrics of a model with several inputs and/or outputs.</summary>
        public IReadOnlyDictionary<string, double> EvaluateAll(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y, int batchSize = 32, Tensor? sampleWeight = null)
        {
            EnsureCompiled("Evaluate");
            var data = new TensorData(x, y, sampleWeight);
            return EvaluateCore(data.Batches(batchSize, shuffle: false), "");
        }

        /// <summary>The loss and metrics over a sequence of batches.</summary>
        public IReadOnlyDictionary<string, double> EvaluateAll(IEnumerable<Batch> batches)
        {
            ArgumentNullException.ThrowIfNull(batches);
            EnsureCompiled("Evaluate");
            return EvaluateCore(batches, "");
        }

        /// <summary>Predictions for <paramref name="x"/>, computed in batches in inference mode without gradients (Keras's <c>predict</c>).</summary>
        public Tensor Predict(Tensor x, int batchSize = 32) => PredictAll(new[] { x ?? throw new ArgumentNullException(nameof(x)) }, batchSize)[0];

        /// <summary>Predictions of every output for a model with several inputs and/or outputs.</summary>
        public IReadOnlyList<Tensor> PredictAll(IReadOnlyList<Tensor> x, int batchSize = 32)
        {
            ArgumentNullException.ThrowIfNull(x);
            if (batchSize <= 0)
                throw new ArgumentOutOfRangeException(nameof(batchSize), $"Received: batch_size={batchSize}");
            long rows = x[0].shape[0];
            var pieces = new List<List<Tensor>>();
            using (var scope = NewDisposeScope())
            using (no_grad())
            {
                for (long start = 0; start < rows; start += batchSize)
                {
                    long length = Math.Min(batchSize, rows - start);
                    var outputs = Forward(x.Select(t => t.narrow(0, start, length)).ToList(), training: false);
                    for (int i = 0; i < outputs.Count; i++)
                    {
                        if (pieces.Count <= i)
                            pieces.Add(new List<Tensor>());
                        pieces[i].Add(outputs[i]);
                    }
                }
                var results = pieces.Select(p => p.Count == 1 ? p[0].alias() : cat(p, 0)).ToList();
                return results.Select(r => r.MoveToOuterDisposeScope()).ToList();
            }
        }

        /// <summary>Predictions for a .NET array of inputs.</summary>
        public Tensor Predict(Array x, int batchSize = 32)
        {
            using var tx = from_array(x ?? throw new ArgumentNullException(nameof(x)));
            return Predict(tx, batchSize);
        }

        /// <summary>One gradient step on one batch; returns its loss (Keras's <c>train_on_batch</c>).</summary>
        public double TrainOnBatch(Tensor x, Tensor y, Tensor? sampleWeight = null, IReadOnlyDictionary<int, double>? classWeight = null)
        {
            EnsureCompiled("TrainOnBatch");
            using var scope = NewDisposeScope();
            ResetMetrics();
            return TrainStep(new Batch(x, y, sampleWeight), classWeight);
        }

        /// <summary>The loss on one batch in inference mode (Keras's <c>test_on_batch</c>).</summary>
        public double TestOnBatch(Tensor x, Tensor y, Tensor? sampleWeight = null)
        {
            EnsureCompiled("TestOnBatch");
            using var scope = NewDisposeScope();
            ResetMetrics();
            return TestStep(new Batch(x, y, sampleWeight));
        }

        /// <summary>Predictions for one batch in inference mode without gradients (Keras's <c>predict_on_batch</c>).</summary>
        public Tensor PredictOnBatch(Tensor x)
        {
            ArgumentNullException.ThrowIfNull(x);
            using var noGrad = no_grad();
            return Apply(x, training: false);
        }
    }
}
