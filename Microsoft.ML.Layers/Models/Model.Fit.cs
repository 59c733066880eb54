using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Callbacks;
using Microsoft.ML.Layers.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    public partial class Model
    {
        /// <summary>
        /// How <c>Fit</c> spreads training over several processes, or null (the default) for one process. With a strategy,
        /// every process runs the same <c>Fit</c> on the same data: each trains on its shard of every global batch, gradients
        /// are combined before each optimizer step, and callbacks and <see cref="History"/> see the same logs everywhere;
        /// only replica 0 prints progress and runs the callbacks that write files (<see cref="DistributionStrategy.RunsCallback"/>).
        /// The model must be built before <c>Fit</c>.
        /// </summary>
        public DistributionStrategy? Distribution { get; set; }

        /// <summary>
        /// Trains the model on in-memory data (Keras's <c>fit</c>).
        /// </summary>
        /// <param name="x">Inputs, one row per sample.</param>
        /// <param name="y">Targets, one row per sample.</param>
        /// <param name="batchSize">Rows per gradient step.</param>
        /// <param name="epochs">The epoch to stop at (epochs run: <paramref name="epochs"/> - <paramref name="initialEpoch"/>).</param>
        /// <param name="validationSplit">The fraction of rows, taken from the end before shuffling, held out for validation.</param>
        /// <param name="validationData">Separate validation inputs and targets.</param>
        /// <param name="shuffle">Whether to shuffle the rows before each epoch (TorchSharp's global generator: <c>manual_seed</c>
        /// reproduces it).</param>
        /// <param name="classWeight">Loss weight per class index, for imbalanced classification.</param>
        /// <param name="sampleWeight">Loss weight per row.</param>
        /// <param name="initialEpoch">The epoch to start from (to resume training).</param>
        /// <param name="callbacks">Callbacks such as <see cref="EarlyStopping"/>.</param>
        /// <param name="verbose">0 silent, 1 progress bar, 2 one line per epoch.</param>
        public History Fit(Tensor x, Tensor y, int batchSize = 32, int epochs = 1, double validationSplit = 0,
            (Tensor X, Tensor Y)? validationData = null,
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
            (IReadOnlyList<Tensor> X, IReadOnlyList<Tensor> Y)? validationData = null, bool shuffle = true,
            IReadOnlyDictionary<int, double>? classWeight = null,
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
            (IReadOnlyList<Tensor> X, IReadOnlyList<Tensor> Y)? validationData = null, bool shuffle = true,
            IReadOnlyDictionary<int, double>? classWeight = null,
            Tensor? sampleWeight = null, int initialEpoch = 0, IEnumerable<Callback>? callbacks = null, int verbose = 1)
            => Fit((IReadOnlyList<Tensor>)x, (IReadOnlyList<Tensor>)y, batchSize, epochs, validationSplit, validationData, shuffle,
                classWeight, sampleWeight, initialEpoch, callbacks, verbose);

        /// <summary>Trains on .NET arrays (e.g. <c>float[,]</c> inputs and <c>long[]</c> class labels); see the tensor overload.</summary>
        public History Fit(Array x, Array y, int batchSize = 32, int epochs = 1, double validationSplit = 0, bool shuffle = true,
            IReadOnlyDictionary<int, double>? classWeight = null, int initialEpoch = 0, IEnumerable<Callback>? callbacks = null,
            int verbose = 1)
        {
            using var tx = from_array(x ?? throw new ArgumentNullException(nameof(x)));
            using var ty = from_array(y ?? throw new ArgumentNullException(nameof(y)));
            return Fit(tx, ty, batchSize, epochs, validationSplit, null, shuffle, classWeight, null, initialEpoch, callbacks, verbose);
        }

        /// <summary>
        /// Trains on a sequence of batches, enumerated once per epoch: for data that does not fit in memory. Tensors created
        /// while a batch is produced are disposed after that batch's step. With a <see cref="Distribution"/>, each batch is a
        /// global batch that every replica receives and shards, unless <paramref name="batches"/> is a
        /// <see cref="ReplicaBatches"/> (each replica's own rows).
        /// </summary>
        public History Fit(IEnumerable<Batch> batches, int epochs = 1, IEnumerable<Batch>? validationData = null,
            IReadOnlyDictionary<int, double>? classWeight = null, int initialEpoch = 0, IEnumerable<Callback>? callbacks = null,
            int verbose = 1)
        {
            ArgumentNullException.ThrowIfNull(batches);
            EnsureCompiled("Fit");
            return FitCore(_ => batches, null, validationData is null ? null : () => validationData, classWeight, epochs, initialEpoch,
                callbacks, verbose, preSharded: batches is ReplicaBatches);
        }

        private History FitCore(Func<int, IEnumerable<Batch>> trainBatches, int? steps, Func<IEnumerable<Batch>>? validationBatches,
            IReadOnlyDictionary<int, double>? classWeight, int epochs, int initialEpoch, IEnumerable<Callback>? callbacks, int verbose, bool preSharded = false)
        {
            if (epochs < 1 || initialEpoch < 0 || initialEpoch >= epochs)
                throw new ArgumentOutOfRangeException(nameof(epochs),
                    $"Need 0 <= initial_epoch < epochs. Received: epochs={epochs}, initial_epoch={initialEpoch}");
            var strategy = Distribution;
            if (strategy is not null)
            {
                if (!Built)
                    throw new InvalidOperationException($"Model '{Name}': Fit with a distribution strategy needs a built model, so " +
                        $"that every replica starts from replica 0's weights; received an unbuilt model. Give it an Input or call Build.");
                strategy.SynchronizeWeights(this);
                if (strategy.ReplicaId != 0)
                    verbose = 0;
            }
            var history = new History();
            var all = new List<Callback>((callbacks ?? Enumerable.Empty<Callback>())
                .Where(c => strategy is null || strategy.RunsCallback(c))) { history };
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
                long epochRows = 0;
                using (var enumerator = trainBatches(epoch).GetEnumerator())
                {
                    while (!StopTraining)
                    {
                        using var scope = NewDisposeScope();
                        if (!enumerator.MoveNext())
                            break;
                        foreach (var callback in all)
                            callback.OnTrainBatchBegin(batchIndex, empty);
                        var batch = enumerator.Current;
                        double loss;
                        Dictionary<string, double> running;
                        if (strategy is null)
                        {
                            loss = TrainStep(batch, classWeight);
                            running = MetricLogs();
                        }
                        else
                        {
                            // The running logs travel in the step's one all-reduce, averaged over the replicas by rows.
                            var shard = preSharded ? batch : strategy.Shard(batch);
                            epochRows += shard.Size;
                            running = new Dictionary<string, double>(StringComparer.Ordinal);
                            loss = TrainStep(shard, classWeight, strategy, running, epochRows);
                        }
                        var batchLogs = new Dictionary<string, double>(running, StringComparer.Ordinal) { ["loss"] = loss };
                        if (!double.IsFinite(loss) && RaiseOnNonFiniteLoss && !quietNaN)
                        {
                            throw new InvalidOperationException(
                                $"Model '{Name}': the loss became {loss} at epoch {epoch + 1}, batch {batchIndex + 1}. Lower the " +
                                $"learning rate, check the data for NaN or infinite values, or add gradient clipping (clipNorm). Add a " +
                                $"TerminateOnNaN callback to stop quietly, or set RaiseOnNonFiniteLoss = false to continue.");
                        }
                        foreach (var callback in all)
                            callback.OnTrainBatchEnd(batchIndex, batchLogs);
                        display.BatchEnd(batchIndex, steps, running);
                        batchIndex++;
                    }
                }
                if (batchIndex == 0)
                    throw new InvalidOperationException($"Model '{Name}': the training data produced no batches in epoch {epoch + 1}.");

                var logs = MetricLogs();
                strategy?.ReduceLogs(logs, epochRows);
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
    }
}
