using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Distributed
{
    /// <summary>
    /// Data-parallel training on MPI: one replica per MPI rank, each training on its contiguous shard of every global batch.
    /// Set it as <see cref="Model.Distribution"/> in every process started by <c>mpirun</c> and call the same <c>Fit</c>.
    /// </summary>
    /// <remarks>
    /// <para>Before the first batch, every weight (trainable or not, float32 or float64) is broadcast from rank 0.</para>
    /// <para>Each step makes ONE in-place float all-reduce over a buffer reused from step to step: every gradient times its
    /// shard's rows, then the float32 non-trainable weights (BatchNormalization's moving statistics, divided by the world size
    /// after the sum: every rank keeps the mean of the ranks' statistics), then the loss times the rows, then the rows; after
    /// the sum, gradients and loss are divided by the global batch's rows. The optimizer then applies the same gradient on every
    /// rank, so its state and the weights stay identical.</para>
    /// <para>Every collective gives up after <see cref="Timeout"/> with <see cref="MpiTimeoutException"/>, so a rank that hangs
    /// or dies does not leave the others waiting forever.</para>
    /// <para>Logs (loss and metrics) are averaged over the ranks weighted by rows: each batch's running logs in the step's
    /// all-reduce (as floats), each epoch's in a small all-reduce of doubles. Exact for the loss and for metrics that are means
    /// over rows (accuracy, mae...), an approximation for ratio metrics (precision, recall, AUC).</para>
    /// </remarks>
    public sealed class DataParallel : DistributionStrategy, IDisposable
    {
        /// <summary>Buffers a timed-out collective may still write into: never freed.</summary>
        private static readonly List<Tensor> Abandoned = new();

        private Tensor? _buffer;
        private string? _broken;

        /// <summary>Joins the MPI world (<see cref="Mpi.Init"/>; idempotent).</summary>
        public DataParallel()
        {
            Mpi.Init();
        }

        /// <inheritdoc />
        public override int ReplicaId => Mpi.Rank;

        /// <inheritdoc />
        public override int ReplicaCount => Mpi.Size;

        /// <summary>
        /// Whether the float32 non-trainable weights (BatchNormalization's moving mean and variance) are averaged over the ranks
        /// at each step (the default); without it, each rank keeps the statistics of its own shards.
        /// </summary>
        public bool AverageNonTrainableWeights { get; init; } = true;

        /// <summary>
        /// How long a collective waits for the other ranks before it throws <see cref="MpiTimeoutException"/> (a rank died, hangs
        /// or is far behind); <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> waits forever. Default 10 minutes: the first
        /// collective of <c>Fit</c> (the weight broadcast) waits for every rank to finish loading its data.
        /// </summary>
        public TimeSpan Timeout
        {
            get => _timeout;
            init => _timeout = value == System.Threading.Timeout.InfiniteTimeSpan || value > TimeSpan.Zero ? value
                : throw new ArgumentOutOfRangeException(nameof(Timeout), value,
                    $"DataParallel.Timeout: expected a positive time or Timeout.InfiniteTimeSpan, received {value}.");
        }

        private readonly TimeSpan _timeout = TimeSpan.FromMinutes(10);

        /// <summary>The number of floats in the all-reduce of the last step (gradients, non-trainable weights, loss and rows).</summary>
        public long FloatsPerStep { get; private set; }

        /// <summary>
        /// Whether <see cref="SynchronizeWeights"/> also seeds TorchSharp's global generator on every rank with a seed drawn on
        /// rank 0 (the default), so that <c>Fit</c>'s shuffling draws the same permutation on every rank even when the ranks
        /// seeded their generators differently. Without it, the ranks must seed identically themselves: shards of different
        /// permutations overlap and miss rows, and nothing fails.
        /// </summary>
        public bool SynchronizeRandomSeed { get; init; } = true;

        /// <summary>The seed set by the last <see cref="SynchronizeWeights"/> (null before, or without
        /// <see cref="SynchronizeRandomSeed"/>).</summary>
        public long? Seed { get; private set; }

        /// <summary>The number of steps synchronized so far (calls of <see cref="SynchronizeStep"/>).</summary>
        public long StepCount { get; private set; }

        /// <inheritdoc />
        public override void SynchronizeWeights(Model model)
        {
            ArgumentNullException.ThrowIfNull(model);
            if (ReplicaCount == 1)
                return;
            using var scope = NewDisposeScope();
            RequireUsable();
            if (SynchronizeRandomSeed)
            {
                var seed = new[] { ReplicaId == 0 ? (double)randint(0, int.MaxValue, new long[] { 1 }).item<long>() : 0 };
                try
                {
                    Mpi.Broadcast(seed, _timeout);
                }
                catch (MpiTimeoutException e) when (OutOfStep(e))
                {
                }
                Seed = (long)seed[0];
                manual_seed(Seed.Value);
            }
            using var noGrad = no_grad();
            var weights = model.Weights;
            foreach (var dtype in weights.Select(w => w.dtype).Distinct())
            {
                var group = weights.Where(w => w.dtype == dtype).ToList();
                long total = group.Sum(w => w.numel());
                if (dtype == ScalarType.Float32)
                {
                    var flat = Flatten(group, total, ScalarType.Float32);
                    Run(flat, root: 0, $"the broadcast of the {group.Count} float32 weights");
                    Unflatten(flat, group);
                }
                else if (dtype == ScalarType.Float64)
                {
                    var flat = Flatten(group, total, ScalarType.Float64);
                    Run(flat, root: 0, $"the broadcast of the {group.Count} float64 weights");
                    Unflatten(flat, group);
                }
                else
                {
                    throw new NotSupportedException($"DataParallel: weight '{group[0].Path}' has dtype {dtype}; expected float32 or " +
                        $"float64 weights to broadcast.");
                }
            }
        }

        /// <inheritdoc />
        public override double SynchronizeStep(Model model, IReadOnlyList<Parameter> trainableWeights, double localLoss, long localRows,
            IDictionary<string, double>? logs, double logWeight)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(trainableWeights);
            RequireUsable();
            if (localRows < 0)
                throw new ArgumentOutOfRangeException(nameof(localRows), localRows, $"DataParallel: expected local rows >= 0, received {localRows}.");
            using var noGrad = no_grad();
            var gradients = new List<(Tensor Grad, long Count)>(trainableWeights.Count);
            long gradientCount = 0;
            foreach (var weight in trainableWeights)
            {
                var grad = weight.grad;
                if (grad is null)
                    continue;
                if (grad.dtype != ScalarType.Float32)
                    throw new NotSupportedException($"DataParallel: the gradient of weight '{weight.Path}' has dtype {grad.dtype}; " +
                        $"expected float32.");
                gradients.Add((grad, grad.numel()));
                gradientCount += grad.numel();
            }
            var statistics = AverageNonTrainableWeights
                ? model.NonTrainableWeights.Where(w => w.dtype == ScalarType.Float32).ToList()
                : new List<Parameter>();
            long statisticCount = statistics.Sum(w => w.numel());
            var logKeys = logs is null ? Array.Empty<string>() : logs.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
            long total = gradientCount + statisticCount + 2 + (logs is null ? 0 : logKeys.Length + 1);
            var buffer = BufferOf(total);

            // Gradients and loss weighted by this shard's rows; divided by the global rows (the last slot's sum) afterwards, so
            // the result is the gradient of the mean loss over the global batch, whatever the shards' sizes.
            float rows = localRows;
            long offset = 0;
            foreach (var (grad, count) in gradients)
            {
                buffer.narrow(0, offset, count).copy_(grad.reshape(-1)).mul_(rows);
                offset += count;
            }
            foreach (var weight in statistics)
            {
                buffer.narrow(0, offset, weight.numel()).copy_(weight.detach().reshape(-1));
                offset += weight.numel();
            }
            var span = MemoryMarshal.Cast<byte, float>(buffer.bytes);
            span[(int)offset] = (float)(localLoss * localRows);
            span[(int)offset + 1] = rows;
            // The running logs, weighted by their rows, then the weight: their weighted mean over the ranks after the sum.
            int logOffset = (int)offset + 2;
            for (int i = 0; i < logKeys.Length; i++)
                span[logOffset + i] = (float)(logs![logKeys[i]] * logWeight);
            if (logs is not null)
                span[logOffset + logKeys.Length] = (float)logWeight;

            Run(buffer, root: -1, $"the gradients of step {StepCount + 1}");
            FloatsPerStep = total;
            StepCount++;

            double globalRows = span[(int)offset + 1];
            if (globalRows <= 0)
                throw new InvalidOperationException($"DataParallel: step {StepCount} had no rows on any rank; expected at least one.");
            double globalLoss = span[(int)offset] / globalRows;
            if (logs is not null)
            {
                double totalWeight = span[logOffset + logKeys.Length];
                for (int i = 0; i < logKeys.Length; i++)
                    logs[logKeys[i]] = totalWeight == 0 ? 0 : span[logOffset + i] / totalWeight;
            }
            if (gradientCount > 0)
                buffer.narrow(0, 0, gradientCount).div_(globalRows);
            offset = 0;
            foreach (var (grad, count) in gradients)
            {
                grad.copy_(buffer.narrow(0, offset, count).view(grad.shape));
                offset += count;
            }
            if (statistics.Count > 0)
            {
                buffer.narrow(0, offset, statisticCount).div_(ReplicaCount);
                foreach (var weight in statistics)
                {
                    weight.copy_(buffer.narrow(0, offset, weight.numel()).view(weight.shape));
                    offset += weight.numel();
                }
            }
            return globalLoss;
        }

        /// <inheritdoc />
        public override void SumOverReplicas(Span<double> values)
        {
            RequireUsable();
            if (ReplicaCount == 1)
                return;
            try
            {
                Mpi.AllReduceSum(values, _timeout);
            }
            catch (MpiTimeoutException e) when (OutOfStep(e))
            {
            }
        }

        /// <summary>Frees the step buffer.</summary>
        public void Dispose()
        {
            _buffer?.Dispose();
            _buffer = null;
        }

        /// <summary>A timed collective on a tensor's memory: an all-reduce sum (<paramref name="root"/> -1) or a broadcast. After
        /// a timeout the tensor is abandoned (MPI may still write into it) and this strategy refuses further work.</summary>
        private unsafe void Run(Tensor tensor, int root, string what)
        {
            if (tensor.numel() > int.MaxValue)
                throw new NotSupportedException($"DataParallel: {what} needs {tensor.numel()} elements; expected at most {int.MaxValue} in one MPI call.");
            try
            {
                // The span covers libtorch's memory (contiguous, not moved by the garbage collector); fixed only takes its address.
                fixed (byte* data = tensor.bytes)
                    Mpi.Collective(data, (int)tensor.numel(), tensor.dtype == ScalarType.Float64, root, _timeout, what);
            }
            catch (MpiTimeoutException e) when (OutOfStep(e))
            {
            }
            catch (MpiTimeoutException)
            {
                lock (Abandoned)
                    Abandoned.Add(tensor.DetachFromDisposeScope());
                if (ReferenceEquals(tensor, _buffer))
                    _buffer = null;
                throw;
            }
        }

        /// <summary>
        /// An exception filter that remembers a timed-out collective (the ranks are then out of step, so this strategy refuses
        /// further work) and returns false, so the exception goes on unhandled.
        /// </summary>
        private bool OutOfStep(MpiTimeoutException timeout)
        {
            _broken = timeout.Message;
            return false;
        }

        private void RequireUsable()
        {
            if (_broken is not null)
                throw new InvalidOperationException($"DataParallel: an earlier collective failed, so the ranks are out of step: {_broken}");
        }

        private Tensor BufferOf(long count)
        {
            if (_buffer is null || _buffer.numel() != count)
            {
                _buffer?.Dispose();
                _buffer = zeros(count, dtype: ScalarType.Float32);
                _buffer.DetachFromDisposeScope();
            }
            return _buffer;
        }

        private static Tensor Flatten(IReadOnlyList<Parameter> weights, long total, ScalarType dtype)
        {
            var flat = empty(total, dtype: dtype);
            long offset = 0;
            foreach (var weight in weights)
            {
                flat.narrow(0, offset, weight.numel()).copy_(weight.detach().reshape(-1));
                offset += weight.numel();
            }
            return flat;
        }

        private static void Unflatten(Tensor flat, IReadOnlyList<Parameter> weights)
        {
            long offset = 0;
            foreach (var weight in weights)
            {
                weight.copy_(flat.narrow(0, offset, weight.numel()).view(weight.shape));
                offset += weight.numel();
            }
        }
    }
}
