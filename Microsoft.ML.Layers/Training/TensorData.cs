using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>In-memory training data: inputs, targets and weights with one row per sample, cut into batches.</summary>
    internal sealed class TensorData
    {
        public TensorData(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> targets, Tensor? sampleWeight)
        {
            if (inputs.Count == 0)
                throw new ArgumentException("Fit needs at least one input tensor.");
            Inputs = inputs;
            Targets = targets;
            SampleWeight = sampleWeight;
            Rows = inputs[0].ndim == 0 ? 0 : inputs[0].shape[0];
            foreach (var (tensor, name) in inputs.Select((t, i) => (t, $"x[{i}]")).Concat(targets.Select((t, i) => (t, $"y[{i}]")))
                .Concat(sampleWeight is null ? Enumerable.Empty<(Tensor, string)>() : new[] { (sampleWeight, "sample_weight") }))
            {
                if (tensor.ndim == 0 || tensor.shape[0] != Rows)
                {
                    throw new ArgumentException(
                        $"Data cardinality is ambiguous: all inputs, targets and sample weights must have the same number of rows. " +
                        $"x[0] has {Rows}, {name} has shape {Shape.Of(tensor)}.");
                }
            }
            if (Rows == 0)
                throw new ArgumentException("Fit received empty data (0 rows).");
        }

        public IReadOnlyList<Tensor> Inputs { get; }

        public IReadOnlyList<Tensor> Targets { get; }

        public Tensor? SampleWeight { get; }

        public long Rows { get; }

        /// <summary>Keras's <c>validation_split</c>: the last fraction of the rows (taken before any shuffling) is held out.</summary>
        public (TensorData Train, TensorData Validation) Split(double fraction)
        {
            if (fraction <= 0 || fraction >= 1)
                throw new ArgumentOutOfRangeException(nameof(fraction),
                    $"`validation_split` must be between 0 and 1. Received: validation_split={fraction}");
            long validationRows = (long)Math.Floor(Rows * fraction);
            long trainRows = Rows - validationRows;
            if (validationRows == 0 || trainRows == 0)
                throw new ArgumentException($"validation_split={fraction} of {Rows} rows leaves an empty training or validation set.");
            TensorData Slice(long start, long length) => new(
                Inputs.Select(t => t.narrow(0, start, length)).ToList(),
                Targets.Select(t => t.narrow(0, start, length)).ToList(),
                SampleWeight?.narrow(0, start, length));
            return (Slice(0, trainRows), Slice(trainRows, validationRows));
        }

        public int Steps(int batchSize) => (int)((Rows + batchSize - 1) / batchSize);

        /// <summary>
        /// The batches of one pass. Shuffling draws a permutation from TorchSharp's global generator (so <c>manual_seed</c>
        /// reproduces it) and gathers each batch into contiguous tensors; without shuffling batches are views.
        /// </summary>
        public IEnumerable<Batch> Batches(int batchSize, bool shuffle)
        {
            // The permutation lives for the whole pass (outside the per-batch dispose scopes the caller opens); each batch's
            // indices are a view of it.
            var order = shuffle ? randperm(Rows).DetachFromDisposeScope() : null;
            try
            {
                for (long start = 0; start < Rows; start += batchSize)
                {
                    long length = Math.Min(batchSize, Rows - start);
                    if (order is null)
                    {
                        yield return new Batch(
                            Inputs.Select(t => t.narrow(0, start, length)).ToList(),
                            Targets.Select(t => t.narrow(0, start, length)).ToList(),
                            SampleWeight?.narrow(0, start, length));
                    }
                    else
                    {
                        var indices = order.narrow(0, start, length);
                        yield return new Batch(
                            Inputs.Select(t => t.index_select(0, indices)).ToList(),
                            Targets.Select(t => t.index_select(0, indices)).ToList(),
                            SampleWeight?.index_select(0, indices));
                    }
                }
            }
            finally
            {
                order?.Dispose();
            }
        }
    }
}
