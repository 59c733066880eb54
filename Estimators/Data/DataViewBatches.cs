using System;
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
        private int _enumerations;

        /// <remarks>
        /// With <c>shuffleSeed</c>, each enumeration (epoch) asks the data for a cursor in a new random order (seeded by that
        /// value and the epoch): for data that shuffles natively (<see cref="IDataView.CanShuffle"/>, such as a binary IDV
        /// file), which is far cheaper than a shuffling transform.
        /// </remarks>
        public DataViewBatches(IDataView data, IReadOnlyList<InputColumn> inputs, LabelColumn? label, int batchSize, bool checkFinite,
            int? shuffleSeed = null)
        {
            _data = data ?? throw new ArgumentNullException(nameof(data));
            _inputs = inputs;
            _label = label;
            _batchSize = batchSize > 0 ? batchSize
                : throw new ArgumentOutOfRangeException(nameof(batchSize), $"Received: batch_size={batchSize}");
            _checkFinite = checkFinite;
            _shuffleSeed = shuffleSeed;
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

        public IEnumerator<Batch> GetEnumerator()
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
                            $"The feature column '{name}' has the value {value} at row {firstRow + r}. Training needs finite values: " +
                            $"replace missing values first, e.g. mlContext.Transforms.ReplaceMissingValues(\"{name}\"), or filter the " +
                            $"rows (mlContext.Data.FilterRowsByMissingValues).");
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
