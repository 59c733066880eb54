using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Estimators.Tests.Data
{
    /// <summary>Issue 18: streamed batches read ahead on a reader thread are the synchronous batches, errors and early stops
    /// included.</summary>
    public sealed class PrefetchedBatchesTests
    {
        private sealed class Row
        {
            [VectorType(5)]
            public float[] Features { get; set; } = Array.Empty<float>();

            [VectorType(3)]
            public double[] Doubles { get; set; } = Array.Empty<double>();

            public float Target { get; set; }
        }

        private static IDataView Data(MLContext ml, int rows, int nanLabelAt = -1) => ml.Data.LoadFromEnumerable(
            Enumerable.Range(0, rows).Select(i => new Row
            {
                Features = Enumerable.Range(0, 5).Select(j => i * 0.25f + j).ToArray(),
                Doubles = new[] { i, -i, i * 0.5 },
                Target = i == nanLabelAt ? float.NaN : 2 * i,
            }).ToList());

        private static (IReadOnlyList<InputColumn> Inputs, LabelColumn Label) Bind(IDataView data)
            => (new[] { InputColumn.Bind(data.Schema, "Features"), InputColumn.Bind(data.Schema, "Doubles") },
                LabelColumn.Bind(data.Schema, "Target", NeuralNetworkTask.Regression));

        private static List<float[]> Read(IEnumerable<Batch> batches)
        {
            using var scope = NewDisposeScope();
            return batches.SelectMany(b => b.Inputs.Concat(b.Targets).Select(t => t.data<float>().ToArray())).ToList();
        }

        [Fact]
        public void PrefetchedBatchesAreTheSynchronousOnesInTheSameOrderOverEpochs()
        {
            var ml = new MLContext(1);
            string path = Path.Combine(Path.GetTempPath(), $"mllayers-prefetch-{Guid.NewGuid():N}.idv");
            try
            {
                using (var stream = File.Create(path))
                    ml.Data.SaveAsBinary(Data(ml, 1000), stream);
                var data = ml.Data.LoadFromBinary(path);
                var (inputs, label) = Bind(data);
                var synchronous = new DataViewBatches(data, inputs, label, 64, checkFinite: true, shuffleSeed: 3);
                var prefetched = new DataViewBatches(data, inputs, label, 64, checkFinite: true, shuffleSeed: 3, prefetch: true);
                for (int epoch = 0; epoch < 3; epoch++)
                {
                    var expected = Read(synchronous);
                    var actual = Read(prefetched);
                    Assert.Equal(16 * 3, actual.Count); // 15 full batches and one of 40 rows, 3 tensors each
                    Assert.Equal(expected, actual);
                }
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void AReaderErrorReachesTheCallerAtItsBatchAndStopsTheReader()
        {
            var ml = new MLContext(1);
            var data = Data(ml, 500, nanLabelAt: 300);
            var (inputs, label) = Bind(data);
            int batchesBefore = 0;

            var error = Assert.Throws<InvalidOperationException>(() =>
            {
                using var scope = NewDisposeScope();
                foreach (var _ in new DataViewBatches(data, inputs, label, 64, checkFinite: true, prefetch: true))
                    batchesBefore++;
            });

            Assert.Contains("row 300", error.Message);
            Assert.Equal(4, batchesBefore); // rows 0..255 trained on, the batch holding row 300 never delivered
        }

        [Fact]
        public void StoppingEarlyDisposesTheCursorAndLeavesNoReaderRunning()
        {
            var ml = new MLContext(1);
            var data = new CursorCountingView(Data(ml, 5000));
            var (inputs, label) = Bind(data);
            var batches = new DataViewBatches(data, inputs, label, 32, checkFinite: true, prefetch: true);
            for (int i = 0; i < 20; i++)
            {
                using var scope = NewDisposeScope();
                using var enumerator = batches.GetEnumerator();
                Assert.True(enumerator.MoveNext());
            }

            Assert.Equal(20, data.Opened);
            Assert.Equal(20, data.Disposed);
        }

        /// <summary>Counts the cursors opened and disposed.</summary>
        private sealed class CursorCountingView : IDataView
        {
            private readonly IDataView _inner;

            public CursorCountingView(IDataView inner) => _inner = inner;

            public int Opened;

            public int Disposed;

            public bool CanShuffle => false;

            public DataViewSchema Schema => _inner.Schema;

            public long? GetRowCount() => null;

            public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
            {
                Opened++;
                return new Cursor(this, _inner.GetRowCursor(columnsNeeded));
            }

            public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
                => new[] { GetRowCursor(columnsNeeded, rand) };

            private sealed class Cursor : DataViewRowCursor
            {
                private readonly CursorCountingView _owner;
                private readonly DataViewRowCursor _inner;
                private bool _disposed;

                public Cursor(CursorCountingView owner, DataViewRowCursor inner)
                {
                    _owner = owner;
                    _inner = inner;
                }

                public override DataViewSchema Schema => _inner.Schema;

                public override long Position => _inner.Position;

                public override long Batch => _inner.Batch;

                public override bool MoveNext() => _inner.MoveNext();

                public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _inner.GetGetter<TValue>(column);

                public override ValueGetter<DataViewRowId> GetIdGetter() => _inner.GetIdGetter();

                public override bool IsColumnActive(DataViewSchema.Column column) => _inner.IsColumnActive(column);

                protected override void Dispose(bool disposing)
                {
                    if (!_disposed && disposing)
                    {
                        _disposed = true;
                        System.Threading.Interlocked.Increment(ref _owner.Disposed);
                        _inner.Dispose();
                    }
                    base.Dispose(disposing);
                }
            }
        }
    }
}
