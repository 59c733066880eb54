using System.Collections.Generic;
using Microsoft.ML.Layers.Callbacks;
using Microsoft.ML.Layers.Losses;
using Microsoft.ML.Layers.Optimizers;

namespace Microsoft.ML.Layers.Estimators
{
    /// <summary>Options of the <c>NeuralNetwork</c> trainers (ML.NET's Options convention); every property has a documented
    /// default.</summary>
    public sealed class NeuralNetworkOptions
    {
        /// <summary>The label column. Default <c>"Label"</c>.</summary>
        public string LabelColumnName { get; set; } = "Label";

        /// <summary>
        /// The input columns, one per network input, in the order of the network's inputs (or matched to a functional model's
        /// <see cref="Model.InputNames"/> by name). Default: <c>"Features"</c>.
        /// </summary>
        public IReadOnlyList<string> FeatureColumnNames { get; set; } = new[] { "Features" };

        /// <summary>Passes over the training data. Default 10.</summary>
        public int Epochs { get; set; } = DefaultEpochs;

        /// <summary>Rows per gradient step. Default 32 (Keras's default).</summary>
        public int BatchSize { get; set; } = DefaultBatchSize;

        /// <summary>The learning rate of the default optimizer (Adam). Default 0.001.</summary>
        public float LearningRate { get; set; } = DefaultLearningRate;

        // The defaults, shared with the catalog's simple overloads (optional parameters need constants).
        internal const int DefaultEpochs = 10;
        internal const int DefaultBatchSize = 32;
        internal const float DefaultLearningRate = 1e-3f;

        /// <summary>The optimizer; null for Adam with <see cref="LearningRate"/>. A name such as <c>"sgd"</c> works too.</summary>
        public Optimizer? Optimizer { get; set; }

        /// <summary>
        /// The loss; null for the task's default: mean squared error (regression), binary crossentropy (binary), sparse
        /// categorical crossentropy (multiclass), from logits unless the network ends with a sigmoid or softmax.
        /// </summary>
        public Loss? Loss { get; set; }

        /// <summary>Whether to shuffle the rows before each epoch. Default true.</summary>
        public bool Shuffle { get; set; } = true;

        /// <summary>
        /// With validation data, stop after this many epochs without improvement of the validation loss and keep the best
        /// epoch's weights; null to train all epochs. Default null.
        /// </summary>
        public int? EarlyStoppingPatience { get; set; }

        /// <summary>Rows per forward pass when scoring with <c>Transform</c>. Default 1024.</summary>
        public int ScoringBatchSize { get; set; } = 1024;

        /// <summary>
        /// The largest data (in bytes of features and labels) read into memory once for training; larger data is streamed
        /// from the IDataView every epoch. Default 1 GiB.
        /// </summary>
        public long InMemoryLimitBytes { get; set; } = 1L << 30;

        /// <summary>
        /// Whether streamed training data (larger than <see cref="InMemoryLimitBytes"/>) reads its next batch on a reader thread
        /// while the current batch trains. Null (the default) reads ahead only when the machine has a core libtorch's threads
        /// leave free (<see cref="System.Environment.ProcessorCount"/> above <see cref="NumberOfThreads"/>, or libtorch's
        /// thread count): on a machine whose every core runs a libtorch thread, the reader takes time from them and training
        /// gets slower. Same rows, same batches, same result either way (docs/benchmarks.md has the measurements).
        /// </summary>
        public bool? PrefetchBatches { get; set; }

        /// <summary>
        /// Threads libtorch may use, from 1 to <see cref="MaxNumberOfThreads"/>; null keeps its default (the number of cores).
        /// The trainer checks it when it is created and again at <c>Fit</c> (libtorch ends the process on 0 or a negative
        /// count, and far more threads than cores make training crawl).
        /// </summary>
        public int? NumberOfThreads { get; set; }

        /// <summary>The largest <see cref="NumberOfThreads"/> accepted: four per logical processor of this machine.</summary>
        public static int MaxNumberOfThreads => 4 * System.Math.Max(1, System.Environment.ProcessorCount);

        /// <summary>Checks <see cref="NumberOfThreads"/> before it reaches libtorch.</summary>
        /// <exception cref="System.ArgumentOutOfRangeException">It is below 1 or above <see cref="MaxNumberOfThreads"/>.</exception>
        internal void ValidateNumberOfThreads()
        {
            if (NumberOfThreads is int threads && (threads < 1 || threads > MaxNumberOfThreads))
            {
                throw new System.ArgumentOutOfRangeException(nameof(NumberOfThreads), threads,
                    $"NumberOfThreads must be between 1 and {MaxNumberOfThreads} (4 per logical processor), or null for libtorch's " +
                    $"default. Received: NumberOfThreads={threads}.");
            }
        }

        /// <summary>
        /// Trains across processes: null (the default) trains in this process; a strategy such as
        /// <c>Microsoft.ML.Layers.Distributed.DataParallel</c> (MPI) makes every process started by <c>mpirun</c> read its own
        /// shard of the training IDataView (the rows whose index modulo the process count is its rank; a shard one row short
        /// repeats one of the first rows), train on it and combine the gradients at every step, so every process ends with the
        /// same model. <see cref="BatchSize"/> is then the global batch (each process takes <c>BatchSize / count</c> rows per
        /// step; it must divide evenly) and validation data is read whole by every process. Every process must call <c>Fit</c>
        /// on the same data; save the model from rank 0. docs/distributed.md has the launch commands.
        /// </summary>
        public DistributionStrategy? Distribution { get; set; }

        /// <summary>
        /// With a <see cref="Distribution"/>: how each process gets its rows. <see cref="DistributedDataSharding.ByRowIndex"/> (the
        /// default) takes the rows of index = rank modulo the process count from the same IDataView in every process;
        /// <see cref="DistributedDataSharding.ByProcess"/> uses each process's IDataView whole, as its own shard (for example a
        /// file per rank). Ignored without a distribution.
        /// </summary>
        public DistributedDataSharding DataSharding { get; set; } = DistributedDataSharding.ByRowIndex;

        /// <summary>
        /// Keras callbacks run during training, after the trainer's own (progress, cancellation, early stopping): for example
        /// a <see cref="LambdaCallback"/> that records each epoch's <c>loss</c>, <c>accuracy</c>, <c>val_loss</c>, ... for a
        /// training curve, a <see cref="CSVLogger"/>, or <see cref="ReduceLROnPlateau"/>. Default: none.
        /// </summary>
        public IReadOnlyList<Callback> Callbacks { get; set; } = System.Array.Empty<Callback>();
    }
}
