using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
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
    /// <para>Each step makes ONE in-place float all-reduce over a buffer reused from step to step: every gradient scaled by
    /// its shard's share of the global batch (rows / global rows, which is 1 / world size for equal shards), then the float32
    /// non-trainable weights (BatchNormalization's moving statistics, divided by the world size after the sum: every rank keeps
    /// the mean of the ranks' statistics), then the loss. The optimizer then applies the same gradient on every rank, so its
    /// state and the weights stay identical.</para>
    /// <para>Logs (loss and metrics) are averaged over the ranks weighted by rows, in a second small all-reduce of doubles:
    /// exact for the loss and for metrics that are means over rows (accuracy, mae...), an approximation for ratio metrics
    /// (precision, recall, AUC).</para>
    /// </remarks>
    public sealed class DataParallel : DistributionStrategy, IDisposable
    {
        private Tensor? _buffer;

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

        /// <summary>The number of floats in the all-reduce of the last step (gradients, non-trainable weights and the loss).</summary>
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
            if (SynchronizeRandomSeed)
            {
                var seed = new[] { ReplicaId == 0 ? (double)randint(0, int.MaxValue, new long[] { 1 }).item<long>() : 0 };
                Mpi.Broadcast(seed);
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
                    Mpi.Broadcast(MemoryMarshal.Cast<byte, float>(flat.bytes));
                    Unflatten(flat, group);
                }
                else if (dtype == ScalarType.Float64)
                {
                    var flat = Flatten(group, total, ScalarType.Float64);
                    Mpi.Broadcast(MemoryMarshal.Cast<byte, double>(flat.bytes));
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
        public override double SynchronizeStep(Model model, IReadOnlyList<Parameter> trainableWeights, double localLoss,
            long localRows, long globalRows)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(trainableWeights);
            if (globalRows <= 0 || localRows < 0 || localRows > globalRows)
                throw new ArgumentOutOfRangeException(nameof(localRows), $"DataParallel: expected 0 <= local rows <= global rows and " +
                    $"global rows > 0; received local rows {localRows}, global rows {globalRows}.");
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
            long total = gradientCount + statisticCount + 1;
            var buffer = BufferOf(total);

            float share = (float)((double)localRows / globalRows);
            long offset = 0;
            foreach (var (grad, count) in gradients)
            {
                buffer.narrow(0, offset, count).copy_(grad.reshape(-1)).mul_(share);
                offset += count;
            }
            foreach (var weight in statistics)
            {
                buffer.narrow(0, offset, weight.numel()).copy_(weight.detach().reshape(-1));
                offset += weight.numel();
            }
            var span = MemoryMarshal.Cast<byte, float>(buffer.bytes);
            span[(int)offset] = (float)(localLoss * localRows / globalRows);

            Mpi.AllReduceSum(span);
            FloatsPerStep = total;
            StepCount++;

            double globalLoss = span[(int)offset];
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
        public override void ReduceLogs(IDictionary<string, double> logs, double weight)
        {
            ArgumentNullException.ThrowIfNull(logs);
            if (ReplicaCount == 1)
                return;
            var keys = logs.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
            var values = new double[keys.Length + 1];
            for (int i = 0; i < keys.Length; i++)
                values[i] = logs[keys[i]] * weight;
            values[keys.Length] = weight;
            Mpi.AllReduceSum(values);
            double totalWeight = values[keys.Length];
            for (int i = 0; i < keys.Length; i++)
                logs[keys[i]] = totalWeight == 0 ? 0 : values[i] / totalWeight;
        }

        /// <summary>Frees the step buffer.</summary>
        public void Dispose()
        {
            _buffer?.Dispose();
            _buffer = null;
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
