using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// How <c>Fit</c> trains one model across several processes (replicas), set through <see cref="Model.Distribution"/>
    /// (the role of Keras's distribution / TensorFlow's strategy scope). The core library defines the hooks; a transport
    /// implements them, for example <c>Microsoft.ML.Layers.Distributed.DataParallel</c> on MPI.
    /// </summary>
    /// <remarks>
    /// Every replica runs the same <c>Fit</c> call on the same global batches in the same order. <c>Fit</c> calls, in order:
    /// <see cref="SynchronizeWeights"/> once before the first batch; <see cref="Shard"/> on each global batch;
    /// <see cref="SynchronizeStep"/> after the backward pass and before the optimizer step, with the running training logs so
    /// that callbacks see the same batch logs on every replica; <see cref="ReduceLogs"/> on the logs of each epoch, so
    /// <see cref="History"/> is the same on every replica.
    /// Batches wrapped in <see cref="ReplicaBatches"/> are already each replica's own rows and are not sharded again.
    /// Each hook is a collective: every replica must call it, in the same order.
    /// </remarks>
    public abstract class DistributionStrategy
    {
        /// <summary>This process's index among the replicas, 0 to <see cref="ReplicaCount"/> - 1.</summary>
        public abstract int ReplicaId { get; }

        /// <summary>The number of replicas training together.</summary>
        public abstract int ReplicaCount { get; }

        /// <summary>Makes every replica start from the same weights (for example, a broadcast from replica 0).</summary>
        /// <param name="model">The built model about to be trained.</param>
        public abstract void SynchronizeWeights(Model model);

        /// <summary>
        /// Combines the replicas' gradients after the backward pass, in place, so that every replica applies the gradient the
        /// whole global batch would give in one process (the replicas' gradients weighted by their rows); returns the loss of the
        /// global batch.
        /// </summary>
        /// <param name="model">The model being trained.</param>
        /// <param name="trainableWeights">The weights the optimizer will update; their <c>grad</c> holds this replica's gradient
        /// (null when a weight took no part in the loss, the same on every replica).</param>
        /// <param name="localLoss">The loss of this replica's shard (a mean over its rows).</param>
        /// <param name="localRows">The rows of this replica's shard; the global batch is the sum over the replicas.</param>
        /// <param name="logs">The epoch's running training logs (metrics so far), to replace in place by their mean over the
        /// replicas weighted by <paramref name="logWeight"/>, in the same collective; null when the step needs none (every
        /// replica passes the same keys, or null).</param>
        /// <param name="logWeight">The rows behind this replica's <paramref name="logs"/>.</param>
        /// <returns>The loss of the global batch, the same on every replica.</returns>
        public abstract double SynchronizeStep(Model model, IReadOnlyList<Parameter> trainableWeights, double localLoss, long localRows,
            IDictionary<string, double>? logs, double logWeight);

        /// <summary>
        /// Replaces each element of <paramref name="values"/> by its sum over the replicas (an all-reduce). Every replica must
        /// pass a span of the same length.
        /// </summary>
        /// <param name="values">This replica's values, summed in place.</param>
        public abstract void SumOverReplicas(Span<double> values);

        /// <summary>
        /// Replaces each value of <paramref name="logs"/> by its mean over the replicas weighted by <paramref name="weight"/>
        /// (the rows behind this replica's values), with one <see cref="SumOverReplicas"/>. Every replica must pass the same keys.
        /// </summary>
        /// <param name="logs">The training logs (loss and metrics), reduced in place.</param>
        /// <param name="weight">The rows this replica's logs were computed on.</param>
        public virtual void ReduceLogs(IDictionary<string, double> logs, double weight)
        {
            ArgumentNullException.ThrowIfNull(logs);
            if (ReplicaCount == 1)
                return;
            var keys = new List<string>(logs.Keys);
            keys.Sort(StringComparer.Ordinal);
            var values = new double[keys.Count + 1];
            for (int i = 0; i < keys.Count; i++)
                values[i] = logs[keys[i]] * weight;
            values[keys.Count] = weight;
            SumOverReplicas(values);
            double totalWeight = values[keys.Count];
            for (int i = 0; i < keys.Count; i++)
                logs[keys[i]] = totalWeight == 0 ? 0 : values[i] / totalWeight;
        }

        /// <summary>
        /// Whether <c>Fit</c> runs <paramref name="callback"/> on this replica. By default, callbacks that write files
        /// (<see cref="Callbacks.ModelCheckpoint"/>, <see cref="Callbacks.CSVLogger"/>) run on replica 0 only, and every other
        /// callback runs on every replica (they see the same logs, so they take the same decisions).
        /// </summary>
        /// <param name="callback">A callback passed to <c>Fit</c>.</param>
        /// <returns>True to run it on this replica.</returns>
        public virtual bool RunsCallback(Callbacks.Callback callback)
            => ReplicaId == 0 || callback is not (Callbacks.ModelCheckpoint or Callbacks.CSVLogger);

        /// <summary>
        /// This replica's contiguous share of a global batch: replica r of R takes rows [r·B/R, (r+1)·B/R) of a batch of B rows.
        /// </summary>
        /// <param name="globalBatch">The batch every replica received.</param>
        /// <returns>The rows this replica trains on.</returns>
        /// <exception cref="InvalidOperationException">The batch has fewer rows than there are replicas.</exception>
        public virtual Batch Shard(Batch globalBatch)
        {
            ArgumentNullException.ThrowIfNull(globalBatch);
            long size = globalBatch.Size;
            int count = ReplicaCount, id = ReplicaId;
            if (size < count)
                throw new InvalidOperationException($"{GetType().Name}: a global batch of {size} row(s) cannot be shared among " +
                    $"{count} replicas; expected at least {count} rows per batch. Use a larger batch size, or a row count whose " +
                    $"last batch is not smaller than the number of replicas.");
            long start = size * id / count, end = size * (id + 1) / count;
            if (start == 0 && end == size)
                return globalBatch;
            var inputs = new List<Tensor>(globalBatch.Inputs.Count);
            foreach (var input in globalBatch.Inputs)
                inputs.Add(input.narrow(0, start, end - start));
            var targets = new List<Tensor>(globalBatch.Targets.Count);
            foreach (var target in globalBatch.Targets)
                targets.Add(target.narrow(0, start, end - start));
            return new Batch(inputs, targets, globalBatch.SampleWeight?.narrow(0, start, end - start));
        }
    }
}
