using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Callbacks;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Estimators
{
    /// <summary>
    /// Streams an IDataView as batches for
    /// <see cref="Model.Fit(IEnumerable{Batch}, int, IEnumerable{Batch}?, IReadOnlyDictionary{int, double}?, int, IEnumerable{Callback}?,
    /// int)"/>:
    /// one cursor per enumeration (per epoch), rows appended to contiguous per-column buffers, one tensor per column per
    /// batch. Masks of variable-length columns are attached to their input tensors (<see cref="KerasMask"/>).
    /// </summary>
    internal sealed class DataViewBatches : IEnumerable<Batch>
    {
        private readonly IDataView _data;
        private readonly IReadOnlyList<InputColumn> _inputs;
        private readonly LabelColumn? _label;
        private readonly int _batchSize;
        private readonly bool _checkFinite;
        private readonly int? _shuffleSeed;
        private readonly bool _prefetch;
        private int _enumerations;

        /// <remarks>
        /// With <c>shuffleSeed</c>, each enumeration (epoch) asks the data for a cursor in a new random order (seeded by that
        /// value and the epoch): for data that shuffles natively (<see cref="IDataView.CanShuffle"/>, such as a binary IDV
        /// file), which is far cheaper than a shuffling transform. With <c>prefetch</c>, the rows of the next batch are read on
        /// a reader thread while the caller trains on the current one (same rows, same order, same batches).
        /// </remarks>
        public DataViewBatches(IDataView data, IReadOnlyList<InputColumn> inputs, LabelColumn? label, int batchSize, bool checkFinite,
            int? shuffleSeed = null, bool prefetch = false)
        {
            _data = data ?? throw new ArgumentNullException(nameof(data));
            _inputs = inputs;
            _label = label;
            _batchSize = batchSize > 0 ? batchSize
                : throw new ArgumentOutOfRangeException(nameof(batchSize), $"Received: batch_size={batchSize}");
            _checkFinite = checkFinite;
            _shuffleSeed = shuffleSeed;
            _prefetch = prefetch;
        }

        private DataViewRowCursor OpenCursor()
        {
            var columns = _inputs.Select(i => i.Column).ToList();
            if (_label is not null)
                columns.Add(_label.Column);
            if (_shuffleSeed is int seed)
                return _data.GetRowCursor(columns, new Random(unchecked(seed * 7919 + Interlocked.Increment(ref _enumerations))));
            return _data.GetRowCursor(columns);
        }

        public IEnumerator<Batch> GetEnumerator() => _prefetch ? Prefetched() : Synchronous();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        private IEnumerator<Batch> Synchronous()
        {
            using var cursor = OpenCursor();
            var rows = new RowBuffers(this, cursor);
            long row = 0;
            while (rows.Fill(cursor, ref row))
                yield return Flush(rows);
        }

        /// <summary>
        /// The next batch's rows are read on a reader thread into a second set of buffers while the caller trains; the caller
        /// turns a filled set into tensors (all TorchSharp work stays on the caller's thread) and hands it back. At most two
        /// batches of rows are held. The cursor is opened and disposed by the caller; a reader error is rethrown at the batch where
        /// it happened.
        /// </summary>
        private IEnumerator<Batch> Prefetched()
        {
            var cursor = OpenCursor();
            using var stop = new CancellationTokenSource();
            using var free = new BlockingCollection<RowBuffers>(2);
            using var filled = new BlockingCollection<RowBuffers?>(2);
            free.Add(new RowBuffers(this, cursor));
            free.Add(new RowBuffers(this, cursor));
            Exception? error = null;
            var reader = new Thread(() =>
            {
                try
                {
                    long row = 0;
                    while (true)
                    {
                        var rows = free.Take(stop.Token);
                        if (!rows.Fill(cursor, ref row))
                            break;
                        filled.Add(rows, stop.Token);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    error = e;
                }
                filled.Add(null);
            })
            { IsBackground = true, Name = "DataViewBatches reader" };
            try
            {
                reader.Start();
                while (true)
                {
                    var rows = filled.Take();
                    if (rows is null)
                        break;
                    Batch batch;
                    try
                    {
                        batch = Flush(rows);
                    }
                    finally
                    {
                        free.Add(rows);
                    }
                    yield return batch;
                }
                if (error is not null)
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
            }
            finally
            {
                stop.Cancel();
                if (reader.IsAlive || reader.ThreadState != ThreadState.Unstarted)
                    reader.Join();
                cursor.Dispose();
            }
        }

        private Batch Flush(RowBuffers rows)
        {
            if (_checkFinite)
            {
                foreach (var buffer in rows.Columns)
                {
                    if (buffer.FirstNonFinite() is (int r, double value))
                    {
                        string name = buffer.Column.Column.Name;
                        throw new InvalidOperationException(
                            $"The feature column '{name}' has the value {value} at row {rows.FirstRow + r}. Training needs finite values: " +
                            $"replace missing values first, e.g. mlContext.Transforms.ReplaceMissingValues(\"{name}\"), or filter the " +
                            $"rows (mlContext.Data.FilterRowsByMissingValues).");
                    }
                }
            }
            var inputs = new List<Tensor>(rows.Columns.Count);
            foreach (var buffer in rows.Columns)
            {
                var (values, mask) = buffer.ToTensor(scalarAsColumn: true);
                if (mask is not null)
                    KerasMask.Set(values, mask);
                inputs.Add(values);
            }
            var targets = rows.Labels is null ? Array.Empty<Tensor>() : new[] { rows.Labels.ToTensor() };
            rows.Clear();
            return new Batch(inputs, targets);
        }

        /// <summary>One batch's worth of buffers, one per column, bound to a cursor's getters.</summary>
        private sealed class RowBuffers
        {
            private readonly int _batchSize;

            public RowBuffers(DataViewBatches owner, DataViewRow cursor)
            {
                _batchSize = owner._batchSize;
                Columns = owner._inputs.Select(i => i.CreateBuffer(cursor)).ToList();
                Labels = owner._label?.CreateBuffer(cursor);
            }

            public IReadOnlyList<ColumnBuffer> Columns { get; }

            public LabelBuffer? Labels { get; }

            /// <summary>The cursor's row number of this batch's first row (for error messages).</summary>
            public long FirstRow { get; private set; }

            /// <summary>Reads up to a batch of rows (stopping right after the batch's last row, as the cursor is shared); false when
            /// the cursor had no more rows.</summary>
            public bool Fill(DataViewRowCursor cursor, ref long row)
            {
                FirstRow = row;
                while (Columns[0].Count < _batchSize && cursor.MoveNext())
                {
                    foreach (var buffer in Columns)
                        buffer.ReadRow();
                    Labels?.ReadRow(row);
                    row++;
                }
                return Columns[0].Count > 0;
            }

            public void Clear()
            {
                foreach (var buffer in Columns)
                    buffer.Clear();
                Labels?.Clear();
            }
        }
    }
}
