using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.Layers.Estimators
{
    /// <summary>
    /// One replica's share of an IDataView for data-parallel training: the rows whose index (in a sequential pass) modulo the
    /// replica count is the replica's id. Every replica gets ceil(N / R) rows: a replica whose share is one row short repeats
    /// one of the first rows of the data (as PyTorch's DistributedSampler pads), so that all replicas run the same number of
    /// batches per epoch. With one shard and a larger row count, it pads a replica's own data (a file per replica) to the
    /// longest replica's by starting over from its first row. Shuffle it with ML.NET's shuffling transform (it does not
    /// shuffle natively).
    /// </summary>
    internal sealed class ShardedDataView : IDataView
    {
        private readonly IDataView _source;
        private readonly int _shard;
        private readonly int _shards;
        private readonly long _sourceRows;

        /// <param name="source">The whole data; every replica must see the same rows in the same sequential order.</param>
        /// <param name="shard">This replica's id, 0 to <paramref name="shards"/> - 1.</param>
        /// <param name="shards">The replica count.</param>
        /// <param name="sourceRows">The rows of <paramref name="source"/> (at least one).</param>
        /// <param name="rowsPerShard">The rows of the shard, null for ceil(<paramref name="sourceRows"/> / <paramref name="shards"/>);
        /// more rows start over from the shard's first.</param>
        public ShardedDataView(IDataView source, int shard, int shards, long sourceRows, long? rowsPerShard = null)
        {
            _source = source ?? throw new ArgumentNullException(nameof(source));
            if (shards < 1 || shard < 0 || shard >= shards)
            {
                throw new ArgumentOutOfRangeException(nameof(shard),
                    $"Sharding: expected a shard from 0 to shards - 1 and shards >= 1, received shard {shard} of {shards}.");
            }
            if (sourceRows < 1)
                throw new InvalidOperationException("The training data is empty: it has no rows.");
            _shard = shard;
            _shards = shards;
            _sourceRows = sourceRows;
            RowsPerShard = rowsPerShard ?? (sourceRows + shards - 1) / shards;
            if (RowsPerShard < (sourceRows - shard + shards - 1) / shards)
            {
                throw new ArgumentOutOfRangeException(nameof(rowsPerShard), $"Sharding: expected at least the shard's own " +
                    $"{(sourceRows - shard + shards - 1) / shards} rows, received {RowsPerShard}.");
            }
        }

        /// <summary>The rows of every shard: ceil(N / R) unless given.</summary>
        public long RowsPerShard { get; }

        public bool CanShuffle => false;

        public DataViewSchema Schema => _source.Schema;

        public long? GetRowCount() => RowsPerShard;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
            => new Cursor(this, columnsNeeded.ToArray());

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
            => new[] { GetRowCursor(columnsNeeded, rand) };

        /// <summary>The source row behind row <paramref name="position"/> of this shard.</summary>
        internal long SourceIndex(long position) => (position * _shards + _shard) % _sourceRows;

        /// <summary>
        /// Walks the source sequentially and stops on this shard's rows; the padding row (past the end) comes from a second
        /// source cursor. Getters read from whichever cursor holds the current row.
        /// </summary>
        private sealed class Cursor : DataViewRowCursor
        {
            private readonly ShardedDataView _view;
            private readonly DataViewSchema.Column[] _columns;
            private readonly DataViewRowCursor _rows;
            private DataViewRowCursor? _wrapped;
            private bool _onWrapped;
            private long _position = -1;

            public Cursor(ShardedDataView view, DataViewSchema.Column[] columns)
            {
                _view = view;
                _columns = columns;
                _rows = view._source.GetRowCursor(columns);
            }

            public override long Position => _position;

            public override long Batch => 0;

            public override DataViewSchema Schema => _view.Schema;

            public override bool IsColumnActive(DataViewSchema.Column column) => _rows.IsColumnActive(column);

            public override bool MoveNext()
            {
                if (_position + 1 >= _view.RowsPerShard)
                    return false;
                long next = _position + 1;
                long index = _view.SourceIndex(next);
                if (next * _view._shards + _view._shard < _view._sourceRows)
                {
                    AdvanceTo(_rows, index);
                    _onWrapped = false;
                }
                else
                {
                    if (_wrapped is null || _wrapped.Position > index)
                    {
                        _wrapped?.Dispose();
                        _wrapped = _view._source.GetRowCursor(_columns);
                    }
                    AdvanceTo(_wrapped, index);
                    _onWrapped = true;
                }
                _position = next;
                return true;
            }

            private void AdvanceTo(DataViewRowCursor cursor, long index)
            {
                while (cursor.Position < index)
                {
                    long seen = cursor.Position + 1;
                    if (!cursor.MoveNext())
                    {
                        throw new InvalidOperationException($"Sharding the training data: expected {_view._sourceRows} rows (counted " +
                            $"before training), received {seen}. The data must give the same rows on every pass.");
                    }
                }
            }

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                var fromRows = _rows.GetGetter<TValue>(column);
                ValueGetter<TValue>? fromWrapped = null;
                DataViewRowCursor? wrappedSource = null;
                return (ref TValue value) =>
                {
                    if (!_onWrapped)
                    {
                        fromRows(ref value);
                        return;
                    }
                    if (!ReferenceEquals(wrappedSource, _wrapped))
                    {
                        wrappedSource = _wrapped;
                        fromWrapped = _wrapped!.GetGetter<TValue>(column);
                    }
                    fromWrapped!(ref value);
                };
            }

            public override ValueGetter<DataViewRowId> GetIdGetter()
            {
                var fromRows = _rows.GetIdGetter();
                return (ref DataViewRowId value) =>
                {
                    if (_onWrapped)
                        _wrapped!.GetIdGetter()(ref value);
                    else
                        fromRows(ref value);
                };
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    _rows.Dispose();
                    _wrapped?.Dispose();
                }
                base.Dispose(disposing);
            }
        }
    }
}
