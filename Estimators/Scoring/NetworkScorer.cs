using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Estimators
{
    /// <summary>
    /// Runs the trained network on the feature columns of some rows: reads them into per-column batch buffers, runs one
    /// forward pass in inference mode without gradients, and turns the output into the score columns' values.
    /// </summary>
    internal sealed class NetworkScorer
    {
        private readonly NeuralNetworkModelParameters _model;
        private readonly ScoreColumns _columns;

        public NetworkScorer(NeuralNetworkModelParameters model, IReadOnlyList<InputColumn> inputs, ScoreColumns columns)
        {
            _model = model;
            Inputs = inputs;
            _columns = columns;
        }

        public IReadOnlyList<InputColumn> Inputs { get; }

        public NeuralNetworkModelParameters Model => _model;

        public ScoreColumns Columns => _columns;

        /// <summary>Scores the rows collected in <paramref name="buffers"/> (one buffer per input, same row count).</summary>
        public ScoreBatch Score(IReadOnlyList<ColumnBuffer> buffers)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var tensors = new List<Tensor>(buffers.Count);
            var masks = new List<Tensor?>(buffers.Count);
            foreach (var buffer in buffers)
            {
                var (values, mask) = buffer.ToTensor(scalarAsColumn: true);
                tensors.Add(values);
                masks.Add(mask);
            }
            var outputs = tensors.Count == 1
                ? _model.Network.ApplyAll(tensors[0], training: false, masks[0])
                : _model.Network.ApplyAll(tensors, training: false, masks);
            return _columns.Compute(outputs[0]);
        }
    }

    /// <summary>
    /// The scored view of an IDataView (what <c>Transform</c> returns): the input columns followed by the score columns.
    /// Lazy like every ML.NET transform; cursors score many rows per forward pass.
    /// </summary>
    internal sealed partial class ScoredDataView : IDataView
    {
        private readonly IDataView _input;
        private readonly NetworkScorer _scorer;
        private readonly int _batchSize;

        public ScoredDataView(IDataView input, NetworkScorer scorer, int batchSize)
        {
            _input = input;
            _scorer = scorer;
            _batchSize = batchSize;
            Schema = AppendColumns(input.Schema, scorer.Columns.Added);
        }

        public DataViewSchema Schema { get; }

        public bool CanShuffle => false;

        public long? GetRowCount() => _input.GetRowCount();

        /// <summary>The input schema followed by <paramref name="added"/>; an added column hides an input column of the same
        /// name.</summary>
        internal static DataViewSchema AppendColumns(DataViewSchema input, DataViewSchema added)
        {
            var builder = new DataViewSchema.Builder();
            builder.AddColumns(input);
            builder.AddColumns(added);
            return builder.ToSchema();
        }

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            int inputCount = _input.Schema.Count;
            var needed = columnsNeeded.ToList();
            var activeAdded = needed.Where(c => c.Index >= inputCount).Select(c => c.Index - inputCount).ToHashSet();
            var inputColumns = needed.Where(c => c.Index < inputCount).Select(c => _input.Schema[c.Index]).ToList();
            var main = _input.GetRowCursor(inputColumns);
            DataViewRowCursor? lookahead = activeAdded.Count == 0 ? null : _input.GetRowCursor(_scorer.Inputs.Select(i => i.Column));
            return new ScoredCursor(this, main, lookahead, activeAdded, _scorer, _batchSize);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
            => new[] { GetRowCursor(columnsNeeded, rand) };

        /// <summary>
        /// Moves a main cursor (for the input columns) row by row, and a lookahead cursor over the feature columns that
        /// reads and scores the next batch of rows whenever the main cursor leaves the current one.
        /// </summary>
        private sealed class ScoredCursor : DataViewRowCursor
        {
            private readonly ScoredDataView _parent;
            private readonly DataViewRowCursor _main;
            private readonly DataViewRowCursor? _lookahead;
            private readonly HashSet<int> _activeAdded;
            private readonly NetworkScorer _scorer;
            private readonly int _batchSize;
            private readonly List<ColumnBuffer>? _buffers;
            private ScoreBatch? _batch;
            private long _batchStart;
            private long _index = -1;

            public ScoredCursor(ScoredDataView parent, DataViewRowCursor main, DataViewRowCursor? lookahead, HashSet<int> activeAdded,
                NetworkScorer scorer, int batchSize)
            {
                _parent = parent;
                _main = main;
                _lookahead = lookahead;
                _activeAdded = activeAdded;
                _scorer = scorer;
                _batchSize = batchSize;
                _buffers = lookahead is null ? null : scorer.Inputs.Select(i => i.CreateBuffer(lookahead)).ToList();
            }

            public override DataViewSchema Schema => _parent.Schema;

            public override long Position => _main.Position;

            public override long Batch => _main.Batch;

            public override ValueGetter<DataViewRowId> GetIdGetter() => _main.GetIdGetter();

            public override bool IsColumnActive(DataViewSchema.Column column)
                => column.Index < _parent._input.Schema.Count ? _main.IsColumnActive(_parent._input.Schema[column.Index])
                    : _activeAdded.Contains(column.Index - _parent._input.Schema.Count);

            public override bool MoveNext()
            {
                if (!_main.MoveNext())
                    return false;
                _index++;
                return true;
            }

            private ScoreBatch CurrentBatch()
            {
                while (_batch is null || _index >= _batchStart + _batch.Rows)
                {
                    _batchStart = _batch is null ? 0 : _batchStart + _batch.Rows;
                    foreach (var buffer in _buffers!)
                        buffer.Clear();
                    int read = 0;
                    while (read < _batchSize && _lookahead!.MoveNext())
                    {
                        foreach (var buffer in _buffers)
                            buffer.ReadRow();
                        read++;
                    }
                    if (read == 0)
                        throw new InvalidOperationException("The scoring cursor ran out of rows before the input cursor did.");
                    _batch = _scorer.Score(_buffers);
                }
                return _batch;
            }

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                int inputCount = _parent._input.Schema.Count;
                if (column.Index < inputCount)
                    return _main.GetGetter<TValue>(_parent._input.Schema[column.Index]);
                var getter = _scorer.Columns.Getter(column.Index - inputCount, CurrentBatch, () => (int)(_index - _batchStart));
                return getter as ValueGetter<TValue> ?? throw new InvalidOperationException(
                    $"Column '{column.Name}' is of type {column.Type}; it cannot be read as {typeof(TValue).Name}.");
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    _main.Dispose();
                    _lookahead?.Dispose();
                }
                base.Dispose(disposing);
            }
        }
    }

    /// <summary>
    /// The single-row path (<c>PredictionEngine</c>): wraps an input row and scores it on first access to a score column,
    /// once per row position.
    /// </summary>
    internal sealed class NetworkRowMapper : IRowToRowMapper
    {
        private readonly NetworkScorer _scorer;

        public NetworkRowMapper(DataViewSchema inputSchema, NetworkScorer scorer)
        {
            InputSchema = inputSchema;
            _scorer = scorer;
            OutputSchema = ScoredDataView.AppendColumns(inputSchema, scorer.Columns.Added);
        }

        public DataViewSchema InputSchema { get; }

        public DataViewSchema OutputSchema { get; }

        public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
        {
            var columns = dependingColumns.ToList();
            var result = columns.Where(c => c.Index < InputSchema.Count).Select(c => InputSchema[c.Index]).ToList();
            if (columns.Any(c => c.Index >= InputSchema.Count))
                result.AddRange(_scorer.Inputs.Select(i => i.Column));
            return result.Distinct();
        }

        public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
            => new ScoredRow(this, input, activeColumns.Select(c => c.Index).ToHashSet());

        private sealed class ScoredRow : DataViewRow
        {
            private readonly NetworkRowMapper _parent;
            private readonly DataViewRow _input;
            private readonly HashSet<int> _active;
            private readonly SingleRowScorer _scorer;
            private ScoreBatch? _batch;
            private long _scoredPosition = -1;

            public ScoredRow(NetworkRowMapper parent, DataViewRow input, HashSet<int> active)
            {
                _parent = parent;
                _input = input;
                _active = active;
                _scorer = new SingleRowScorer(parent._scorer, input);
            }

            public override DataViewSchema Schema => _parent.OutputSchema;

            public override long Position => _input.Position;

            public override long Batch => _input.Batch;

            public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

            public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

            private ScoreBatch Current()
            {
                if (_batch is null || _scoredPosition != _input.Position)
                {
                    _batch = _scorer.Score();
                    _scoredPosition = _input.Position;
                }
                return _batch;
            }

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                int inputCount = _parent.InputSchema.Count;
                if (column.Index < inputCount)
                    return _input.GetGetter<TValue>(_parent.InputSchema[column.Index]);
                var getter = _parent._scorer.Columns.Getter(column.Index - inputCount, Current, () => 0);
                return getter as ValueGetter<TValue> ?? throw new InvalidOperationException(
                    $"Column '{column.Name}' is of type {column.Type}; it cannot be read as {typeof(TValue).Name}.");
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                    _scorer.Dispose();
                base.Dispose(disposing);
            }
        }
    }
}
