using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Estimators.Data
{
    /// <summary>
    /// Streams an IDataView as batches for <see cref="Model.Fit(IEnumerable{Batch}, int, IEnumerable{Batch}?, IReadOnlyDictionary{int, double}?, int, IEnumerable{Callback}?, int)"/>:
    /// one cursor per enumeration (per epoch), rows appended to contiguous per-column buffers, one tensor per column per
    /// batch. Masks of variable-length columns are attached to their input tensors (<see cref="KerasMask"/>).
    /// With <c>prefetch</c>, a background task reads the next batches' rows from the cursor into spare buffers while the
    /// caller trains on the current one (the tensors are still created on the caller's thread, in its dispose scope).
    /// </summary>
    internal sealed class DataViewBatches : IEnumerable<Batch>
    {
        private readonly IDataView _data;
        private readonly IReadOnlyList<InputColumn> _inputs;
        private readonly LabelColumn? _label;
        private readonly int _batchSize;
        private readonly bool _checkFinite;
        private readonly bool _prefetch;

        /// <summary>How many batches of rows the background reader may hold ready (plus the one being read).</summary>
        private const int PrefetchedBatches = 2;

        public DataViewBatches(IDataView data, IReadOnlyList<InputColumn> inputs, LabelColumn? label, int batchSize, bool checkFinite, bool prefetch = false)
        {
            _prefetch = prefetch;
            _data = data ?? throw new ArgumentNullException(nameof(data));
            _inputs = inputs;
            _label = label;
            _batchSize = batchSize > 0 ? batchSize : throw new ArgumentOutOfRangeException(nameof(batchSize), $"Received: batch_size={batchSize}");
            _checkFinite = checkFinite;
        }

        public IEnumerator<Batch> GetEnumerator() => _prefetch ? Prefetched() : Sequential();

        private DataViewRowCursor OpenCursor()
        {
            var columns = _inputs.Select(i => i.Column).ToList();
            if (_label is not null)
                columns.Add(_label.Column);
            return _data.GetRowCursor(columns);
        }

        private IEnumerator<Batch> Sequential()
        {
            using var cursor = OpenCursor();
            var buffers = _inputs.Select(i => i.CreateBuffer(cursor)).ToList();
            var labels = _label?.CreateBuffer(cursor);
            long row = 0;
            long firstRowOfBatch = 0;
            while (cursor.MoveNext())
            {
                foreach (var buffer in buffers)
                    buffer.ReadRow();
                labels?.ReadRow(row);
                row++;
                if (buffers[0].Count == _batchSize)
                {
                    yield return Flush(buffers, labels, firstRowOfBatch);
                    firstRowOfBatch = row;
                }
            }
            if (buffers[0].Count > 0)
                yield return Flush(buffers, labels, firstRowOfBatch);
        }

        /// <summary>One batch's worth of buffers; the reader fills one set while the caller turns another into tensors.</summary>
        private sealed record BufferSet(IReadOnlyList<ColumnBuffer> Inputs, LabelBuffer? Labels);

        private IEnumerator<Batch> Prefetched()
        {
            using var cursor = OpenCursor();
            var free = new BlockingCollection<BufferSet>(PrefetchedBatches + 1);
            for (int i = 0; i < PrefetchedBatches + 1; i++)
                free.Add(new BufferSet(_inputs.Select(input => input.CreateBuffer(cursor)).ToList(), _label?.CreateBuffer(cursor)));
            var ready = new BlockingCollection<(BufferSet Set, long FirstRow)>(PrefetchedBatches);
            using var cancel = new CancellationTokenSource();
            var reader = Task.Run(() =>
            {
                try
                {
                    long row = 0, firstRow = 0;
                    var set = free.Take(cancel.Token);
                    while (cursor.MoveNext())
                    {
                        foreach (var buffer in set.Inputs)
                            buffer.ReadRow();
                        set.Labels?.ReadRow(row);
                        row++;
                        if (set.Inputs[0].Count == _batchSize)
                        {
                            ready.Add((set, firstRow), cancel.Token);
                            firstRow = row;
                            set = free.Take(cancel.Token);
                        }
                    }
                    if (set.Inputs[0].Count > 0)
                        ready.Add((set, firstRow), cancel.Token);
                }
                finally
                {
                    ready.CompleteAdding();
                }
            }, cancel.Token);
            try
            {
                foreach (var (set, firstRow) in ready.GetConsumingEnumerable())
                {
                    var batch = Flush(set.Inputs, set.Labels, firstRow);
                    free.Add(set);
                    yield return batch;
                }
                // The reader's own failure (a cursor error) surfaces here, on the caller's thread.
                reader.GetAwaiter().GetResult();
            }
            finally
            {
                // The caller stopped early (or failed): stop the reader before the cursor is disposed.
                cancel.Cancel();
                try
                {
                    reader.Wait();
                }
                catch (AggregateException)
                {
                    // Cancelled, or failed with an error already rethrown above (or irrelevant once the caller stopped).
                }
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        private Batch Flush(IReadOnlyList<ColumnBuffer> buffers, LabelBuffer? labels, long firstRow)
        {
            if (_checkFinite)
            {
                foreach (var buffer in buffers)
                {
                    if (buffer.FirstNonFinite() is (int r, double value))
                    {
                        string name = buffer.Column.Column.Name;
                        throw new InvalidOperationException(
                            $"The feature column '{name}' has the value {value} at row {firstRow + r}. Training needs finite values: replace missing values " +
                            $"first, e.g. mlContext.Transforms.ReplaceMissingValues(\"{name}\"), or filter the rows (mlContext.Data.FilterRowsByMissingValues).");
                    }
                }
            }
            var inputs = new List<Tensor>();
            foreach (var buffer in buffers)
            {
                var (values, mask) = buffer.ToTensor(scalarAsColumn: true);
                if (mask is not null)
                    KerasMask.Set(values, mask);
                inputs.Add(values);
                buffer.Clear();
            }
            var targets = labels is null ? Array.Empty<Tensor>() : new[] { labels.ToTensor() };
            labels?.Clear();
            return new Batch(inputs, targets);
        }
    }
}
