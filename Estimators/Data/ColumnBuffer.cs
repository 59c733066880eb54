using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Estimators.Data
{
    /// <summary>
    /// Collects one column's values for a batch of rows into one contiguous managed buffer, then makes one tensor from it:
    /// no tensor per row. Variable-length vectors are padded to the longest row of the batch and get a mask.
    /// </summary>
    internal abstract class ColumnBuffer
    {
        protected ColumnBuffer(InputColumn column) => Column = column;

        public InputColumn Column { get; }

        /// <summary>The rows read since the last <see cref="Clear"/>.</summary>
        public int Count { get; protected set; }

        /// <summary>Reads the cursor's current row.</summary>
        public abstract void ReadRow();

        /// <summary>The batch as a tensor (shape (rows,) for scalars... see <see cref="InputColumn"/>), and the mask for variable-length rows.</summary>
        public abstract (Tensor Values, Tensor? Mask) ToTensor(bool scalarAsColumn);

        /// <summary>The index within the batch and value of the first non-finite number, or null (floating columns only).</summary>
        public virtual (int Row, double Value)? FirstNonFinite() => null;

        public abstract void Clear();

        protected static Tensor? MaskFor(IReadOnlyList<int> lengths, int maxLength)
        {
            var mask = new bool[lengths.Count * maxLength];
            for (int r = 0; r < lengths.Count; r++)
                mask.AsSpan(r * maxLength, lengths[r]).Fill(true);
            return tensor(mask, new long[] { lengths.Count, maxLength });
        }
    }

    /// <summary>A float32 column (Single, Double, Boolean, or vectors of them).</summary>
    internal sealed class FloatColumnBuffer : ColumnBuffer
    {
        private readonly Action<List<float>, List<int>> _read;
        private readonly List<float> _values = new();
        private readonly List<int> _lengths = new();

        public FloatColumnBuffer(InputColumn column, DataViewRow row) : base(column) => _read = CreateReader(column, row);

        private static Action<List<float>, List<int>> CreateReader(InputColumn column, DataViewRow row)
        {
            var raw = column.ItemType.RawType;
            if (column.IsScalar)
            {
                if (raw == typeof(float))
                {
                    var get = row.GetGetter<float>(column.Column);
                    float value = 0;
                    return (values, lengths) => { get(ref value); values.Add(value); lengths.Add(1); };
                }
                if (raw == typeof(double))
                {
                    var get = row.GetGetter<double>(column.Column);
                    double value = 0;
                    return (values, lengths) => { get(ref value); values.Add((float)value); lengths.Add(1); };
                }
                var getBool = row.GetGetter<bool>(column.Column);
                bool flag = false;
                return (values, lengths) => { getBool(ref flag); values.Add(flag ? 1 : 0); lengths.Add(1); };
            }
            if (raw == typeof(float))
            {
                var get = row.GetGetter<VBuffer<float>>(column.Column);
                var buffer = default(VBuffer<float>);
                return (values, lengths) =>
                {
                    get(ref buffer);
                    int start = values.Count;
                    // Dense copy: sparse vectors get their zeros written.
                    System.Runtime.InteropServices.CollectionsMarshal.SetCount(values, start + buffer.Length);
                    var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values).Slice(start, buffer.Length);
                    buffer.CopyTo(span);
                    lengths.Add(buffer.Length);
                };
            }
            if (raw == typeof(double))
            {
                var get = row.GetGetter<VBuffer<double>>(column.Column);
                var buffer = default(VBuffer<double>);
                return (values, lengths) =>
                {
                    get(ref buffer);
                    foreach (var v in buffer.DenseValues())
                        values.Add((float)v);
                    lengths.Add(buffer.Length);
                };
            }
            var getBools = row.GetGetter<VBuffer<bool>>(column.Column);
            var bools = default(VBuffer<bool>);
            return (values, lengths) =>
            {
                getBools(ref bools);
                foreach (var v in bools.DenseValues())
                    values.Add(v ? 1 : 0);
                lengths.Add(bools.Length);
            };
        }

        public override void ReadRow()
        {
            _read(_values, _lengths);
            if (!Column.IsVariableLength && _lengths[^1] != Column.Width)
                throw new InvalidOperationException($"Column '{Column.Column.Name}' declares {Column.Width} values per row but row {Count} has {_lengths[^1]}.");
            Count++;
        }

        public override (Tensor Values, Tensor? Mask) ToTensor(bool scalarAsColumn)
        {
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_values);
            if (!Column.IsVariableLength)
            {
                long[] shape = Column.IsScalar && !scalarAsColumn ? new long[] { Count } : new long[] { Count, Column.Width };
                return (tensor(span.ToArray(), shape), null);
            }
            int maxLength = Math.Max(1, _lengths.Count == 0 ? 1 : _lengths.Max());
            var padded = new float[Count * maxLength];
            int offset = 0;
            for (int r = 0; r < Count; r++)
            {
                span.Slice(offset, _lengths[r]).CopyTo(padded.AsSpan(r * maxLength));
                offset += _lengths[r];
            }
            return (tensor(padded, new long[] { Count, maxLength }), MaskFor(_lengths, maxLength));
        }

        public override (int Row, double Value)? FirstNonFinite()
        {
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_values);
            for (int i = 0, row = 0, inRow = 0; i < span.Length; i++)
            {
                while (row < _lengths.Count && inRow >= _lengths[row])
                {
                    row++;
                    inRow = 0;
                }
                if (!float.IsFinite(span[i]))
                    return (row, span[i]);
                inRow++;
            }
            return null;
        }

        public override void Clear()
        {
            _values.Clear();
            _lengths.Clear();
            Count = 0;
        }
    }

    /// <summary>An int64 column (integers and keys, or vectors of them); keys keep ML.NET's raw values (0 = missing).</summary>
    internal sealed class IntegralColumnBuffer : ColumnBuffer
    {
        private readonly Action<List<long>, List<int>> _read;
        private readonly List<long> _values = new();
        private readonly List<int> _lengths = new();

        public IntegralColumnBuffer(InputColumn column, DataViewRow row) : base(column) => _read = CreateReader(column, row);

        private static Action<List<long>, List<int>> CreateReader(InputColumn column, DataViewRow row)
        {
            var raw = column.ItemType.RawType;
            return raw switch
            {
                _ when raw == typeof(uint) => Reader<uint>(column, row, v => v),
                _ when raw == typeof(ulong) => Reader<ulong>(column, row, v => checked((long)v)),
                _ when raw == typeof(int) => Reader<int>(column, row, v => v),
                _ when raw == typeof(long) => Reader<long>(column, row, v => v),
                _ when raw == typeof(ushort) => Reader<ushort>(column, row, v => v),
                _ when raw == typeof(short) => Reader<short>(column, row, v => v),
                _ when raw == typeof(byte) => Reader<byte>(column, row, v => v),
                _ when raw == typeof(sbyte) => Reader<sbyte>(column, row, v => v),
                _ => throw new InvalidOperationException($"Column '{column.Column.Name}': unsupported integer type {raw.Name}."),
            };
        }

        private static Action<List<long>, List<int>> Reader<T>(InputColumn column, DataViewRow row, Func<T, long> convert)
        {
            if (column.IsScalar)
            {
                var get = row.GetGetter<T>(column.Column);
                T value = default!;
                return (values, lengths) => { get(ref value); values.Add(convert(value)); lengths.Add(1); };
            }
            var getVector = row.GetGetter<VBuffer<T>>(column.Column);
            var buffer = default(VBuffer<T>);
            return (values, lengths) =>
            {
                getVector(ref buffer);
                foreach (var v in buffer.DenseValues())
                    values.Add(convert(v));
                lengths.Add(buffer.Length);
            };
        }

        public override void ReadRow()
        {
            _read(_values, _lengths);
            if (!Column.IsVariableLength && _lengths[^1] != Column.Width)
                throw new InvalidOperationException($"Column '{Column.Column.Name}' declares {Column.Width} values per row but row {Count} has {_lengths[^1]}.");
            Count++;
        }

        public override (Tensor Values, Tensor? Mask) ToTensor(bool scalarAsColumn)
        {
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_values);
            if (!Column.IsVariableLength)
            {
                long[] shape = Column.IsScalar && !scalarAsColumn ? new long[] { Count } : new long[] { Count, Column.Width };
                return (tensor(span.ToArray(), shape), null);
            }
            int maxLength = Math.Max(1, _lengths.Count == 0 ? 1 : _lengths.Max());
            var padded = new long[Count * maxLength];
            int offset = 0;
            for (int r = 0; r < Count; r++)
            {
                span.Slice(offset, _lengths[r]).CopyTo(padded.AsSpan(r * maxLength));
                offset += _lengths[r];
            }
            return (tensor(padded, new long[] { Count, maxLength }), MaskFor(_lengths, maxLength));
        }

        public override void Clear()
        {
            _values.Clear();
            _lengths.Clear();
            Count = 0;
        }
    }
}
