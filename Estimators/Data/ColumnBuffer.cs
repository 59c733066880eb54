using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Estimators
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

        /// <summary>The batch as a tensor (shape (rows,) for scalars... see <see cref="InputColumn"/>), and the mask for variable-length
        /// rows.</summary>
        public abstract (Tensor Values, Tensor? Mask) ToTensor(bool scalarAsColumn);

        /// <summary>The index within the batch and value of the first non-finite number, or null (floating columns only).</summary>
        public virtual (int Row, double Value)? FirstNonFinite() => null;

        public abstract void Clear();

        /// <summary>
        /// A tensor of one row of this column (shape (1, width), the dtype of <see cref="ToTensor"/>), outside every dispose
        /// scope, for <see cref="CopyRowTo"/>; only for columns of a fixed width.
        /// </summary>
        public abstract Tensor CreateRowTensor();

        /// <summary>Writes the one row read since <see cref="Clear"/> into the storage of <paramref name="target"/>, a tensor
        /// from <see cref="CreateRowTensor"/>.</summary>
        public abstract void CopyRowTo(Tensor target);

        protected static Tensor? MaskFor(IReadOnlyList<int> lengths, int maxLength)
        {
            var mask = new bool[lengths.Count * maxLength];
            for (int r = 0; r < lengths.Count; r++)
                mask.AsSpan(r * maxLength, lengths[r]).Fill(true);
            return tensor(mask, new long[] { lengths.Count, maxLength });
        }
    }

    /// <summary>The shared part of a column buffer: flat values and per-row lengths of one element type.</summary>
    internal abstract class ColumnBuffer<T> : ColumnBuffer where T : unmanaged
    {
        private readonly Action<List<T>, List<int>> _read;

        protected ColumnBuffer(InputColumn column, Action<List<T>, List<int>> read) : base(column) => _read = read;

        protected List<T> Values { get; } = new();

        protected List<int> Lengths { get; } = new();

        /// <summary>Makes a tensor of <paramref name="shape"/> from <paramref name="values"/>.</summary>
        protected abstract Tensor Create(T[] values, long[] shape);

        public override void ReadRow()
        {
            _read(Values, Lengths);
            if (!Column.IsVariableLength && Lengths[^1] != Column.Width)
                throw new InvalidOperationException($"Column '{Column.Column.Name}' declares {Column.Width} values per row but row " +
                    $"{Count} has {Lengths[^1]}.");
            Count++;
        }

        public override (Tensor Values, Tensor? Mask) ToTensor(bool scalarAsColumn)
        {
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(Values);
            if (!Column.IsVariableLength)
            {
                long[] shape = Column.IsScalar && !scalarAsColumn ? new long[] { Count } : new long[] { Count, Column.Width };
                return (Create(span.ToArray(), shape), null);
            }
            int maxLength = Math.Max(1, Lengths.Count == 0 ? 1 : Lengths.Max());
            var padded = new T[Count * maxLength];
            int offset = 0;
            for (int r = 0; r < Count; r++)
            {
                span.Slice(offset, Lengths[r]).CopyTo(padded.AsSpan(r * maxLength));
                offset += Lengths[r];
            }
            return (Create(padded, new long[] { Count, maxLength }), MaskFor(Lengths, maxLength));
        }

        public override Tensor CreateRowTensor()
        {
            if (Column.IsVariableLength)
                throw new InvalidOperationException($"Column '{Column.Column.Name}' has rows of varying length; it has no row tensor.");
            return Create(new T[Column.Width], new long[] { 1, Column.Width }).DetachFromDisposeScope();
        }

        public override void CopyRowTo(Tensor target)
        {
            var values = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(Values);
            if (Count != 1 || values.Length != target.NumberOfElements)
                throw new InvalidOperationException($"Column '{Column.Column.Name}': expected one row of {target.NumberOfElements} " +
                    $"values, received {Count} row(s) of {values.Length} values in all.");
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).CopyTo(target.bytes);
        }

        public override void Clear()
        {
            Values.Clear();
            Lengths.Clear();
            Count = 0;
        }

        /// <summary>A reader of a scalar or vector column of <typeparamref name="TSource"/>, converted to
        /// <typeparamref name="T"/>.</summary>
        protected static Action<List<T>, List<int>> Reader<TSource>(InputColumn column, DataViewRow row, Func<TSource, T> convert)
        {
            if (column.IsScalar)
            {
                var get = row.GetGetter<TSource>(column.Column);
                TSource value = default!;
                return (values, lengths) => { get(ref value); values.Add(convert(value)); lengths.Add(1); };
            }
            var getVector = row.GetGetter<VBuffer<TSource>>(column.Column);
            var buffer = default(VBuffer<TSource>);
            return (values, lengths) =>
            {
                getVector(ref buffer);
                foreach (var v in buffer.DenseValues())
                    values.Add(convert(v));
                lengths.Add(buffer.Length);
            };
        }
    }

    /// <summary>A float32 column (Single, Double, Boolean, or vectors of them).</summary>
    internal sealed class FloatColumnBuffer : ColumnBuffer<float>
    {
        public FloatColumnBuffer(InputColumn column, DataViewRow row) : base(column, CreateReader(column, row))
        {
        }

        private static Action<List<float>, List<int>> CreateReader(InputColumn column, DataViewRow row)
        {
            var raw = column.ItemType.RawType;
            if (raw == typeof(float) && !column.IsScalar)
            {
                // The common case, Vector<Single>: a dense copy straight into the batch buffer (sparse vectors get their zeros).
                var get = row.GetGetter<VBuffer<float>>(column.Column);
                var buffer = default(VBuffer<float>);
                return (values, lengths) =>
                {
                    get(ref buffer);
                    int start = values.Count;
                    System.Runtime.InteropServices.CollectionsMarshal.SetCount(values, start + buffer.Length);
                    buffer.CopyTo(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values).Slice(start, buffer.Length));
                    lengths.Add(buffer.Length);
                };
            }
            if (raw == typeof(float))
                return Reader<float>(column, row, v => v);
            if (raw == typeof(double))
                return Reader<double>(column, row, v => (float)v);
            return Reader<bool>(column, row, v => v ? 1 : 0);
        }

        protected override Tensor Create(float[] values, long[] shape) => tensor(values, shape);

        public override (int Row, double Value)? FirstNonFinite()
        {
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(Values);
            for (int i = 0, row = 0, inRow = 0; i < span.Length; i++)
            {
                while (row < Lengths.Count && inRow >= Lengths[row])
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
    }

    /// <summary>An int64 column (integers and keys, or vectors of them); keys keep ML.NET's raw values (0 = missing).</summary>
    internal sealed class IntegralColumnBuffer : ColumnBuffer<long>
    {
        public IntegralColumnBuffer(InputColumn column, DataViewRow row) : base(column, CreateReader(column, row))
        {
        }

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

        protected override Tensor Create(long[] values, long[] shape) => tensor(values, shape);
    }
}
