using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
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

        /// <summary>A tensor of <paramref name="shape"/> holding <paramref name="values"/>: one copy, straight into the tensor's
        /// memory (the managed buffer is reused for the next batch).</summary>
        protected static Tensor CopyToTensor<T>(ReadOnlySpan<T> values, long[] shape, ScalarType type) where T : unmanaged
        {
            var result = empty(shape, type);
            if (!values.IsEmpty)
                MemoryMarshal.AsBytes(values).CopyTo(result.bytes);
            return result;
        }
    }

    /// <summary>The shared part of a column buffer: flat values (a reused array) and, for variable-length columns, per-row
    /// lengths of one element type.</summary>
    internal abstract class ColumnBuffer<T> : ColumnBuffer where T : unmanaged
    {
        private readonly Action<ColumnBuffer<T>> _read;
        private T[] _values = new T[256];
        private int _used;

        protected ColumnBuffer(InputColumn column, Func<DataViewRow, Action<ColumnBuffer<T>>> reader, DataViewRow row) : base(column)
            => _read = reader(row);

        /// <summary>The values read since the last <see cref="Clear"/>, row after row.</summary>
        protected ReadOnlySpan<T> Values => _values.AsSpan(0, _used);

        /// <summary>Per-row lengths (variable-length columns only).</summary>
        protected List<int> Lengths { get; } = new();

        /// <summary>The tensor element type.</summary>
        protected abstract ScalarType TensorType { get; }

        /// <summary>Room for the current row's <paramref name="length"/> values, to be written by the reader.</summary>
        /// <exception cref="InvalidOperationException">A fixed-width column's row has another length.</exception>
        public Span<T> Append(int length)
        {
            if (Column.IsVariableLength)
                Lengths.Add(length);
            else if (length != Column.Width)
                throw new InvalidOperationException($"Column '{Column.Column.Name}' declares {Column.Width} values per row but row " +
                    $"{Count} has {length}.");
            if (_used + length > _values.Length)
                Array.Resize(ref _values, Math.Max(_values.Length * 2, _used + length));
            var span = _values.AsSpan(_used, length);
            _used += length;
            return span;
        }

        public override void ReadRow()
        {
            _read(this);
            Count++;
        }

        public override (Tensor Values, Tensor? Mask) ToTensor(bool scalarAsColumn)
        {
            if (!Column.IsVariableLength)
            {
                long[] shape = Column.IsScalar && !scalarAsColumn ? new long[] { Count } : new long[] { Count, Column.Width };
                return (CopyToTensor(Values, shape, TensorType), null);
            }
            int maxLength = 1;
            foreach (int length in Lengths)
                maxLength = Math.Max(maxLength, length);
            var padded = new T[Count * maxLength];
            var span = Values;
            int offset = 0;
            for (int r = 0; r < Count; r++)
            {
                span.Slice(offset, Lengths[r]).CopyTo(padded.AsSpan(r * maxLength));
                offset += Lengths[r];
            }
            return (CopyToTensor<T>(padded, new long[] { Count, maxLength }, TensorType), MaskFor(Lengths, maxLength));
        }

        public override Tensor CreateRowTensor()
        {
            if (Column.IsVariableLength)
                throw new InvalidOperationException($"Column '{Column.Column.Name}' has rows of varying length; it has no row tensor.");
            return zeros(new long[] { 1, Column.Width }, TensorType).DetachFromDisposeScope();
        }

        public override void CopyRowTo(Tensor target)
        {
            var values = Values;
            if (Count != 1 || values.Length != target.NumberOfElements)
                throw new InvalidOperationException($"Column '{Column.Column.Name}': expected one row of {target.NumberOfElements} " +
                    $"values, received {Count} row(s) of {values.Length} values in all.");
            MemoryMarshal.AsBytes(values).CopyTo(target.bytes);
        }

        public override void Clear()
        {
            _used = 0;
            Lengths.Clear();
            Count = 0;
        }

        /// <summary>A reader of a scalar or vector column of <typeparamref name="TSource"/>, converted to
        /// <typeparamref name="T"/>, writing each row straight into the batch buffer (no per-row allocation).</summary>
        protected static Func<DataViewRow, Action<ColumnBuffer<T>>> Reader<TSource>(InputColumn column, Func<TSource, T> convert)
            => row =>
            {
                if (column.IsScalar)
                {
                    var get = row.GetGetter<TSource>(column.Column);
                    TSource value = default!;
                    return target =>
                    {
                        get(ref value);
                        target.Append(1)[0] = convert(value);
                    };
                }
                var getVector = row.GetGetter<VBuffer<TSource>>(column.Column);
                var buffer = default(VBuffer<TSource>);
                return target =>
                {
                    getVector(ref buffer);
                    var destination = target.Append(buffer.Length);
                    var values = buffer.GetValues();
                    if (buffer.IsDense)
                    {
                        for (int i = 0; i < values.Length; i++)
                            destination[i] = convert(values[i]);
                        return;
                    }
                    // Sparse: the implicit values are default(TSource), converted like any other.
                    destination.Fill(convert(default!));
                    var indices = buffer.GetIndices();
                    for (int i = 0; i < values.Length; i++)
                        destination[indices[i]] = convert(values[i]);
                };
            };
    }

    /// <summary>A float32 column (Single, Double, Boolean, or vectors of them).</summary>
    internal sealed class FloatColumnBuffer : ColumnBuffer<float>
    {
        public FloatColumnBuffer(InputColumn column, DataViewRow row) : base(column, CreateReader(column), row)
        {
        }

        protected override ScalarType TensorType => ScalarType.Float32;

        private static Func<DataViewRow, Action<ColumnBuffer<float>>> CreateReader(InputColumn column)
        {
            var raw = column.ItemType.RawType;
            if (raw == typeof(float) && !column.IsScalar)
            {
                // The common case, Vector<Single>: the getter's values copied straight into the batch buffer (sparse vectors get
                // their zeros); no per-row allocation.
                return row =>
                {
                    var get = row.GetGetter<VBuffer<float>>(column.Column);
                    var buffer = default(VBuffer<float>);
                    return target =>
                    {
                        get(ref buffer);
                        buffer.CopyTo(target.Append(buffer.Length));
                    };
                };
            }
            if (raw == typeof(float))
                return Reader<float>(column, v => v);
            if (raw == typeof(double))
                return Reader<double>(column, v => (float)v);
            return Reader<bool>(column, v => v ? 1 : 0);
        }

        public override (int Row, double Value)? FirstNonFinite()
        {
            var span = Values;
            for (int i = 0, row = 0, inRow = 0; i < span.Length; i++)
            {
                if (Column.IsVariableLength)
                {
                    while (row < Lengths.Count && inRow >= Lengths[row])
                    {
                        row++;
                        inRow = 0;
                    }
                    inRow++;
                }
                else
                {
                    row = i / Column.Width;
                }
                if (!float.IsFinite(span[i]))
                    return (row, span[i]);
            }
            return null;
        }
    }

    /// <summary>An int64 column (integers and keys, or vectors of them); keys keep ML.NET's raw values (0 = missing).</summary>
    internal sealed class IntegralColumnBuffer : ColumnBuffer<long>
    {
        public IntegralColumnBuffer(InputColumn column, DataViewRow row) : base(column, CreateReader(column), row)
        {
        }

        protected override ScalarType TensorType => ScalarType.Int64;

        private static Func<DataViewRow, Action<ColumnBuffer<long>>> CreateReader(InputColumn column)
        {
            var raw = column.ItemType.RawType;
            return raw switch
            {
                _ when raw == typeof(uint) => Reader<uint>(column, v => v),
                _ when raw == typeof(ulong) => Reader<ulong>(column, v => checked((long)v)),
                _ when raw == typeof(int) => Reader<int>(column, v => v),
                _ when raw == typeof(long) => Reader<long>(column, v => v),
                _ when raw == typeof(ushort) => Reader<ushort>(column, v => v),
                _ when raw == typeof(short) => Reader<short>(column, v => v),
                _ when raw == typeof(byte) => Reader<byte>(column, v => v),
                _ when raw == typeof(sbyte) => Reader<sbyte>(column, v => v),
                _ => throw new InvalidOperationException($"Column '{column.Column.Name}': unsupported integer type {raw.Name}."),
            };
        }
    }
}
