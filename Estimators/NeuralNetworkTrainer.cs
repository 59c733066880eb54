using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Callbacks;
using Microsoft.ML.Layers.Import;
using Microsoft.ML.Layers.Losses;
using Microsoft.ML.Layers.Optimizers;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Estimators
{
    /// <summary>
    /// Trains a Microsoft.ML.Layers network on an IDataView (the estimator behind <c>ml.*.Trainers.NeuralNetwork</c>).
    /// The network given is a template: every <see cref="Fit(IDataView)"/> builds a fresh copy from its config, so fitting
    /// twice gives two independent models. The MLContext's seed seeds TorchSharp, so the same seed trains the same model.
    /// </summary>
    /// <remarks>
    /// Data that fits in <see cref="NeuralNetworkOptions.InMemoryLimitBytes"/> is read once into contiguous tensors and
    /// batched from memory; larger data streams through IDataView cursors every epoch (shuffled with ML.NET's shuffle pool).
    /// Per-epoch loss goes to the MLContext's log; <c>MLContext.CancelExecution</c> stops training after the current batch.
    /// </remarks>
    public sealed class NeuralNetworkTrainer : IEstimator<NeuralNetworkPredictionTransformer>
    {
        private readonly IHostEnvironment _environment;
        private readonly IHost _host;
        private readonly Layer _template;
        private readonly NeuralNetworkTask _task;
        private readonly NeuralNetworkOptions _options;

        internal NeuralNetworkTrainer(IHostEnvironment env, Layer network, NeuralNetworkTask task, NeuralNetworkOptions options)
        {
            _environment = env ?? throw new ArgumentNullException(nameof(env));
            _host = env.Register($"NeuralNetwork{task}");
            _template = network ?? throw new ArgumentNullException(nameof(network));
            _task = task;
            _options = options ?? throw new ArgumentNullException(nameof(options));
            if (options.Epochs < 1)
                throw new ArgumentOutOfRangeException(nameof(options), $"Epochs must be at least 1. Received: Epochs={options.Epochs}");
            if (options.BatchSize < 1)
                throw new ArgumentOutOfRangeException(nameof(options),
                    $"BatchSize must be at least 1. Received: BatchSize={options.BatchSize}");
            if (options.ScoringBatchSize < 1)
                throw new ArgumentOutOfRangeException(nameof(options),
                    $"ScoringBatchSize must be at least 1. Received: ScoringBatchSize={options.ScoringBatchSize}");
            if (options.FeatureColumnNames is null || options.FeatureColumnNames.Count == 0)
                throw new ArgumentOutOfRangeException(nameof(options), "FeatureColumnNames must name at least one column.");
            options.ValidateNumberOfThreads();
            MLNetCompatibility.EnsureCompatible();
        }

        /// <summary>The options the trainer was made with (for tests of the catalog's overloads).</summary>
        internal NeuralNetworkOptions Options => _options;

        /// <summary>Trains on <paramref name="trainData"/>.</summary>
        public NeuralNetworkPredictionTransformer Fit(IDataView trainData) => Fit(trainData, null);

        /// <summary>Trains on <paramref name="trainData"/>, reporting the validation loss each epoch (and stopping early with
        /// <see cref="NeuralNetworkOptions.EarlyStoppingPatience"/>).</summary>
        /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type; the message names it, the expected and
        /// the actual type.</exception>
        /// <exception cref="InvalidOperationException">The data is empty, holds non-finite values, or does not fit the network.</exception>
        public NeuralNetworkPredictionTransformer Fit(IDataView trainData, IDataView? validationData)
        {
            ArgumentNullException.ThrowIfNull(trainData);
            var network = FreshCopy();
            var featureNames = FeatureColumnsInInputOrder(network);
            var inputs = featureNames.Select(name => InputColumn.Bind(trainData.Schema, name)).ToList();
            var label = LabelColumn.Bind(trainData.Schema, _options.LabelColumnName, _task);
            if (validationData is not null)
            {
                foreach (var name in featureNames)
                    InputColumn.Bind(validationData.Schema, name, "validation feature");
                LabelColumn.Bind(validationData.Schema, _options.LabelColumnName, _task);
            }

            // The MLContext's settings are read at Fit, so that changes made after creating the trainer count.
            var environment = (IHostEnvironmentInternal)_environment;
            if (environment.Seed is int seed)
                manual_seed(seed);
            if (environment.GpuDeviceId is int gpu && !(cuda.is_available() && gpu < cuda.device_count()) && !environment.FallbackToCpu)
            {
                throw new InvalidOperationException(
                    $"MLContext.GpuDeviceId is {gpu}, but this process has no such CUDA device (this build ships libtorch for the CPU). " +
                    "Set MLContext.FallbackToCpu = true to train on the CPU.");
            }
            // libtorch's set_num_threads has no error handling: 0 or a negative count ends the process. The options may have
            // changed since the constructor's check.
            _options.ValidateNumberOfThreads();
            if (_options.NumberOfThreads is int threads)
                set_num_threads(threads);

            bool probabilities = NetworkOutput.IsProbabilities(network);
            network.Compile(_options.Optimizer ?? new Adam((double)_options.LearningRate), _options.Loss ?? DefaultLoss(probabilities),
                _task == NeuralNetworkTask.Regression ? Array.Empty<string>() : new[] { "accuracy" });

            // Data-parallel training: this process reads its own shard, in local batches of BatchSize / replicas rows.
            var strategy = _options.Distribution;
            int batchSize = _options.BatchSize;
            if (strategy is not null)
            {
                int replicas = strategy.ReplicaCount;
                if (batchSize % replicas != 0)
                {
                    throw new InvalidOperationException($"NeuralNetworkOptions.BatchSize is the global batch of a distributed Fit and " +
                        $"must be a multiple of the {replicas} replicas; received {batchSize}. Use {batchSize / replicas * replicas + replicas}" +
                        $"{(batchSize >= replicas ? $" or {batchSize / replicas * replicas}" : "")}.");
                }
                batchSize /= replicas;
                long sourceRows = trainData.GetRowCount() ?? CountRows(trainData);
                trainData = _options.DataSharding == DistributedDataSharding.ByProcess
                    ? OwnShard(trainData, sourceRows, strategy)
                    : new ShardedDataView(trainData, strategy.ReplicaId, replicas, sourceRows);
            }

            var cached = new List<Tensor>();
            var train = ReadForTraining(trainData, inputs, label, batchSize, cached, out var sample);
            var validation = validationData is null ? null
                : ReadForTraining(validationData, inputs.Select(i => InputColumn.Bind(validationData.Schema, i.Column.Name)).ToList(),
                LabelColumn.Bind(validationData.Schema, _options.LabelColumnName, _task), _options.BatchSize, cached, out _);
            using (NewDisposeScope())
                CheckOutputFits(network, sample(), label, inputs);

            using var channel = _host.Start("Training");
            using var progress = _host.StartProgressChannel("Training");
            int epochsDone = 0;
            double lastLoss = double.NaN;
            progress.SetHeader(new ProgressHeader(new[] { "loss" }, new[] { "epochs" }), entry =>
            {
                entry.SetProgress(0, epochsDone, _options.Epochs);
                entry.SetMetric(0, lastLoss);
            });
            var callbacks = new List<Callback>
            {
                new LambdaCallback(
                    onTrainBatchEnd: (_, _) => _host.CheckAlive(),
                    onEpochEnd: (epoch, logs) =>
                    {
                        epochsDone = epoch + 1;
                        lastLoss = logs.TryGetValue("loss", out var loss) ? loss : double.NaN;
                        channel.Info($"Epoch {epoch + 1}/{_options.Epochs}: " +
                            string.Join(", ", logs.Select(p => $"{p.Key} {p.Value:0.#####}")));
                    }),
            };
            if (_options.EarlyStoppingPatience is int patience && validation is not null)
                callbacks.Add(new EarlyStopping(monitor: "val_loss", patience: patience, restoreBestWeights: true));
            callbacks.AddRange(_options.Callbacks ?? Array.Empty<Callback>());

            try
            {
                network.Distribution = strategy;
                network.Fit(strategy is null ? train : new ReplicaBatches(train), _options.Epochs, validation, callbacks: callbacks,
                    verbose: 0);
            }
            finally
            {
                network.Distribution = null;
                foreach (var tensor in cached)
                    tensor.Dispose();
            }

            var classNames = default(VBuffer<ReadOnlyMemory<char>>);
            if (_task == NeuralNetworkTask.MulticlassClassification && label.Column.HasKeyValues())
                label.Column.GetKeyValues(ref classNames);
            var parameters = new NeuralNetworkModelParameters(network, _task, featureNames, probabilities, classNames, label.ClassCount);
            return new NeuralNetworkPredictionTransformer(_host, parameters, inputs[0].Column.Type, _options.ScoringBatchSize);
        }

        /// <summary>
        /// The feature columns in the order of the network's inputs: by name when they are exactly a functional model's
        /// input names, else in the order given.
        /// </summary>
        private IReadOnlyList<string> FeatureColumnsInInputOrder(Model network)
        {
            var given = _options.FeatureColumnNames;
            var inputNames = network.InputNames;
            if (network.IsFunctional && inputNames.Count != given.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(network),
                    $"The network has {inputNames.Count} input(s) ({string.Join(", ", inputNames)}) but {given.Count} feature column(s) " +
                    $"were given ({string.Join(", ", given)}).");
            }
            return inputNames.Count == given.Count && inputNames.ToHashSet().SetEquals(given) ? inputNames.ToList() : given.ToList();
        }

        /// <summary>
        /// A copy of the template, as a model: freshly initialized when the template is not built, otherwise holding the
        /// template's weights, so that a trained or imported network (<see cref="KerasModel.Load(string, ModelLoadOptions?)"/>) is the starting
        /// point and the template itself is never changed (each Fit starts from the same weights).
        /// </summary>
        private Model FreshCopy()
        {
            var copy = Layer.Deserialize(_template.GetConfig());
            if (_template.Built && _template.BuildShapes is { } shapes)
            {
                if (!copy.Built)
                    copy.EnsureBuilt(shapes);
                copy.SetWeights(_template.GetWeights());
            }
            return copy as Model ?? new Sequential(new[] { copy }, name: "network");
        }

        private Loss DefaultLoss(bool probabilities) => _task switch
        {
            NeuralNetworkTask.Regression => new MeanSquaredErrorLoss(),
            NeuralNetworkTask.BinaryClassification => new BinaryCrossentropyLoss(fromLogits: !probabilities),
            _ => new SparseCategoricalCrossentropyLoss(fromLogits: !probabilities),
        };

        /// <summary>
        /// The data as batches: read once into memory when it fits, else streamed (and shuffled by ML.NET) every epoch; and
        /// <c>sample</c>, a first batch for checking the network's output against the label (a few unshuffled rows when
        /// streaming, so the check does not start a shuffled pass).
        /// </summary>
        private IEnumerable<Batch> ReadForTraining(IDataView data, IReadOnlyList<InputColumn> inputs, LabelColumn label, int batchSize,
            List<Tensor> cached, out Func<Batch> sample)
        {
            long rowBytes = inputs.Sum(i => (long)Math.Max(1, i.Width) * (i.IsIntegral ? 8 : 4)) + 8;
            // Views that do not know their length (TrainTestSplit, filters, text files) are counted once, so that they too
            // are read into memory a single time instead of running their whole pipeline again every epoch.
            bool fixedWidth = inputs.All(i => !i.IsVariableLength);
            long? rows = data.GetRowCount() ?? (fixedWidth ? CountRows(data) : null);
            if (rows is long count && fixedWidth && count * rowBytes <= _options.InMemoryLimitBytes)
            {
                if (count == 0)
                    throw new InvalidOperationException("The training data is empty: it has no rows.");
                var all = new DataViewBatches(data, inputs, label, (int)Math.Min(int.MaxValue, count), checkFinite: true).Single();
                foreach (var tensor in all.Inputs.Concat(all.Targets))
                    cached.Add(tensor.DetachFromDisposeScope());
                // The same batching as Model.Fit on tensors: a fresh permutation each epoch, gathered into contiguous batches.
                var batches = new TensorData(all.Inputs, all.Targets, null).Batches(batchSize, _options.Shuffle);
                sample = () => batches.First();
                return batches;
            }
            sample = () => new NonEmpty(new DataViewBatches(data, inputs, label, Math.Min(batchSize, 16), checkFinite: false))
                .First();
            // Shuffling: data that shuffles natively (a binary IDV file, a cache) opens a cursor in a new random order each
            // epoch, which costs little; other data goes through ML.NET's shuffling transform, via the user's MLContext when
            // the trainer came from one (a new context per Fit costs a catalog scan).
            int? seed = ((IHostEnvironmentInternal)_host).Seed;
            if (_options.Shuffle && data.CanShuffle)
                return new NonEmpty(new DataViewBatches(data, inputs, label, batchSize, checkFinite: true,
                    shuffleSeed: seed ?? Environment.TickCount, prefetch: Prefetch()));
            var shuffler = _environment as MLContext ?? new MLContext(seed);
            var source = _options.Shuffle ? shuffler.Data.ShuffleRows(data, seed: seed) : data;
            return new NonEmpty(new DataViewBatches(source, inputs, label, batchSize, checkFinite: true, prefetch: Prefetch()));
        }

        /// <summary>
        /// This process's own shard (<see cref="DistributedDataSharding.ByProcess"/>), padded to the longest shard: the row
        /// counts are exchanged (one sum over the replicas, a slot each), so every process runs the same number of steps.
        /// </summary>
        private IDataView OwnShard(IDataView data, long rows, DistributionStrategy strategy)
        {
            var counts = new double[strategy.ReplicaCount];
            counts[strategy.ReplicaId] = rows;
            strategy.SumOverReplicas(counts);
            var empty = Enumerable.Range(0, counts.Length).Where(r => counts[r] == 0).ToList();
            if (empty.Count > 0)
            {
                throw new InvalidOperationException($"DataSharding.ByProcess: every process needs training rows; the data of " +
                    $"rank(s) {string.Join(", ", empty)} is empty (rows per rank: {string.Join(", ", counts)}).");
            }
            long longest = (long)counts.Max();
            if (longest > rows)
            {
                using var channel = _host.Start("Sharding");
                channel.Warning($"DataSharding.ByProcess: rank {strategy.ReplicaId} has {rows} training rows and the longest shard " +
                    $"{longest}; its first rows are repeated to match (rows per rank: {string.Join(", ", counts)}).");
            }
            return new ShardedDataView(data, 0, 1, rows, rowsPerShard: longest);
        }

        /// <summary>
        /// Whether streamed batches are read ahead (<see cref="NeuralNetworkOptions.PrefetchBatches"/>): by default only when a
        /// core is left free by libtorch's threads. Measured on 2 cores (docs/benchmarks.md, issue 18): with 2 libtorch threads
        /// the reader slows training down; with 1, it takes streaming from 0.81 to 0.88 of the raw loop.
        /// </summary>
        private bool Prefetch() => ReadsAhead(_options.PrefetchBatches, Environment.ProcessorCount, torch.get_num_threads());

        /// <summary>The read-ahead rule: the option when set, else whether a core is left free by libtorch's threads.</summary>
        internal static bool ReadsAhead(bool? option, int processorCount, int libtorchThreads) => option ?? processorCount > libtorchThreads;

        /// <summary>Counts the rows with a cursor that computes no column (filters still run).</summary>
        private long CountRows(IDataView data)
        {
            long count = 0;
            using var cursor = data.GetRowCursor(Array.Empty<DataViewSchema.Column>());
            while (cursor.MoveNext())
            {
                if ((++count & 0xFFFF) == 0)
                    _host.CheckAlive();
            }
            return count;
        }

        private void CheckOutputFits(Model network, Batch sample, LabelColumn label, IReadOnlyList<InputColumn> inputs)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var first = sample.Inputs.Select(t => t.narrow(0, 0, 1)).ToList();
            Tensor output;
            try
            {
                output = first.Count == 1 ? network.Apply(first[0], training: false) : network.Apply(first, training: false);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentOutOfRangeException(
                    $"The feature column(s) {string.Join(", ", inputs.Select(i => $"'{i.Column.Name}' ({i.Column.Type})"))} do not fit " +
                    $"the network's input: {e.Message}", e);
            }
            long units = output.ndim < 2 ? 1 : output.shape[^1];
            long expected = _task == NeuralNetworkTask.MulticlassClassification ? label.ClassCount : 1;
            if (output.ndim > 2 || units != expected)
            {
                throw new InvalidOperationException(
                    $"The network's output has shape {Shape.Of(output)} per batch, but {_task} with label '{label.Column.Name}' needs " +
                    $"{expected} output unit(s)" +
                    (_task == NeuralNetworkTask.MulticlassClassification ? $" (one per class: the key type has {expected} values)" : "") +
                    $". End the network with Dense({expected}).");
            }
        }

        /// <summary>The output columns this trainer's transformer adds (ML.NET's schema propagation).</summary>
        /// <exception cref="ArgumentOutOfRangeException">A feature or label column is missing or of the wrong type.</exception>
        public SchemaShape GetOutputSchema(SchemaShape inputSchema)
        {
            ArgumentNullException.ThrowIfNull(inputSchema);
            foreach (var name in _options.FeatureColumnNames)
                InputColumn.CheckShape(inputSchema, name);
            if (!inputSchema.TryFindColumn(_options.LabelColumnName, out var labelColumn))
                throw new ArgumentOutOfRangeException(nameof(inputSchema),
                    $"The label column '{_options.LabelColumnName}' was not found in the input schema.");
            bool labelFits = _task switch
            {
                NeuralNetworkTask.Regression
                    => labelColumn.Kind == SchemaShape.Column.VectorKind.Scalar && labelColumn.ItemType == NumberDataViewType.Single
                    && !labelColumn.IsKey,
                NeuralNetworkTask.BinaryClassification
                    => labelColumn.Kind == SchemaShape.Column.VectorKind.Scalar && labelColumn.ItemType == BooleanDataViewType.Instance,
                _ => labelColumn.Kind == SchemaShape.Column.VectorKind.Scalar && labelColumn.IsKey,
            };
            if (!labelFits)
            {
                throw new ArgumentOutOfRangeException(nameof(inputSchema),
                    $"The label column '{_options.LabelColumnName}' has type " +
                    $"{labelColumn.ItemType}{(labelColumn.IsKey ? " (key)" : "")}, which does not fit {_task}.");
            }
            var columns = inputSchema.ToDictionary(c => c.Name);
            foreach (var column in ScoreColumnShapes.For(_task))
                columns[column.Name] = column;
            return new SchemaShape(columns.Values);
        }

        /// <summary>Fails clearly when streamed data turns out to have no rows.</summary>
        private sealed class NonEmpty : IEnumerable<Batch>
        {
            private readonly IEnumerable<Batch> _inner;

            public NonEmpty(IEnumerable<Batch> inner) => _inner = inner;

            public IEnumerator<Batch> GetEnumerator()
            {
                bool any = false;
                foreach (var batch in _inner)
                {
                    any = true;
                    yield return batch;
                }
                if (!any)
                    throw new InvalidOperationException("The training data is empty: it has no rows.");
            }

            System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        }
    }
}
