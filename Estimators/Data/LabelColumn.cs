using System;
using System.Linq;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Estimators
{
    /// <summary>
    /// The label column of a training task, read into targets: float32 (rows, 1) for regression and binary labels, int64
    /// class indices (key value - 1) for multiclass labels, sized by the key's cardinality rather than the labels seen.
    /// </summary>
    internal sealed class LabelColumn
    {
        private LabelColumn(DataViewSchema.Column column, NeuralNetworkTask task, int classCount)
        {
            Column = column;
            Task = task;
            ClassCount = classCount;
        }

        public DataViewSchema.Column Column { get; }

        public NeuralNetworkTask Task { get; }

        /// <summary>The number of classes (key count) for multiclass, 1 otherwise.</summary>
        public int ClassCount { get; }

        /// <summary>Binds the label column, checking its type against the task.</summary>
        /// <exception cref="ArgumentOutOfRangeException">The column is missing or its type does not fit the task; the message names the
        /// column and both types.</exception>
        public static LabelColumn Bind(DataViewSchema schema, string name, NeuralNetworkTask task)
        {
            ArgumentNullException.ThrowIfNull(schema);
            var column = schema.GetColumnOrNull(name ?? throw new ArgumentNullException(nameof(name)))
                ?? throw new ArgumentOutOfRangeException(nameof(schema),
                $"The label column '{name}' was not found in the data. Columns present: " +
                $"{string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
            var type = column.Type;
            switch (task)
            {
                case NeuralNetworkTask.Regression when type == NumberDataViewType.Single:
                    return new LabelColumn(column, task, 1);
                case NeuralNetworkTask.BinaryClassification when type == BooleanDataViewType.Instance:
                    return new LabelColumn(column, task, 1);
                case NeuralNetworkTask.MulticlassClassification when type is KeyDataViewType key && key.Count > 0
                    && key.Count <= int.MaxValue:
                    return new LabelColumn(column, task, (int)key.Count);
            }
            string expected = task switch
            {
                NeuralNetworkTask.Regression => "Single",
                NeuralNetworkTask.BinaryClassification => "Boolean",
                _ => "a key type (use mlContext.Transforms.Conversion.MapValueToKey)",
            };
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"The label column '{name}' has type {type}, but {task} needs {expected}.");
        }

        /// <summary>A buffer that reads labels on a cursor.</summary>
        public LabelBuffer CreateBuffer(DataViewRow row) => new(this, row);
    }

    /// <summary>Collects labels for a batch into one contiguous buffer.</summary>
    internal sealed class LabelBuffer
    {
        private readonly LabelColumn _label;
        private readonly Func<double> _read;
        private double[] _values = new double[256];
        private float[] _floats = Array.Empty<float>();
        private long[] _classes = Array.Empty<long>();

        public LabelBuffer(LabelColumn label, DataViewRow row)
        {
            _label = label;
            switch (label.Task)
            {
                case NeuralNetworkTask.Regression:
                {
                    var get = row.GetGetter<float>(label.Column);
                    float value = 0;
                    _read = () => { get(ref value); return value; };
                    break;
                }
                case NeuralNetworkTask.BinaryClassification:
                {
                    var get = row.GetGetter<bool>(label.Column);
                    bool value = false;
                    _read = () => { get(ref value); return value ? 1 : 0; };
                    break;
                }
                default:
                {
                    var get = row.GetGetter<uint>(label.Column);
                    uint value = 0;
                    _read = () => { get(ref value); return value; };
                    break;
                }
            }
        }

        public int Count { get; private set; }

        /// <summary>Reads the current row's label; training checks it (<paramref name="rowNumber"/> is for the message).</summary>
        /// <exception cref="InvalidOperationException">A missing or non-finite label.</exception>
        public void ReadRow(long rowNumber)
        {
            double value = _read();
            if (_label.Task == NeuralNetworkTask.MulticlassClassification && value == 0)
            {
                throw new InvalidOperationException(
                    $"The label column '{_label.Column.Name}' has a missing key value at row {rowNumber}. Remove such rows " +
                    $"(mlContext.Data.FilterRowsByMissingValues) or map the missing label to a class.");
            }
            if (!double.IsFinite(value))
            {
                throw new InvalidOperationException(
                    $"The label column '{_label.Column.Name}' has the value {value} at row {rowNumber}. Labels must be finite: remove " +
                    $"such rows (mlContext.Data.FilterRowsByMissingValues) or replace them " +
                    $"(mlContext.Transforms.ReplaceMissingValues(\"{_label.Column.Name}\")).");
            }
            if (Count == _values.Length)
                Array.Resize(ref _values, _values.Length * 2);
            _values[Count++] = value;
        }

        /// <summary>The targets: float32 (rows, 1), or int64 class indices (rows,) for multiclass.</summary>
        public Tensor ToTensor()
        {
            // Converted into a reused buffer, then copied once into the tensor's memory.
            if (_label.Task == NeuralNetworkTask.MulticlassClassification)
            {
                if (_classes.Length < Count)
                    _classes = new long[_values.Length];
                for (int i = 0; i < Count; i++)
                    _classes[i] = (long)_values[i] - 1;
                return Copy<long>(_classes.AsSpan(0, Count), new long[] { Count }, ScalarType.Int64);
            }
            if (_floats.Length < Count)
                _floats = new float[_values.Length];
            for (int i = 0; i < Count; i++)
                _floats[i] = (float)_values[i];
            return Copy<float>(_floats.AsSpan(0, Count), new long[] { Count, 1 }, ScalarType.Float32);
        }

        private static Tensor Copy<T>(ReadOnlySpan<T> values, long[] shape, ScalarType type) where T : unmanaged
        {
            var result = empty(shape, type);
            if (!values.IsEmpty)
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).CopyTo(result.bytes);
            return result;
        }

        public void Clear() => Count = 0;
    }
}
