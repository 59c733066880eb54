using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Estimators
{
    /// <summary>
    /// How one IDataView column becomes one model input: numbers (Single, Double, Boolean as 0/1) become float32,
    /// integers and keys become int64 (key columns keep ML.NET's raw values: 0 is the missing key, 1..n the values, which
    /// is what an <c>Embedding(inputDim: keyCount + 1, maskZero: true)</c> expects). A scalar column is one value per row,
    /// a vector column of known size a row of that width, a vector column of variable size a padded sequence with a mask.
    /// </summary>
    internal sealed class InputColumn
    {
        private InputColumn(DataViewSchema.Column column, DataViewType itemType, bool integral, int width, bool variable)
        {
            Column = column;
            ItemType = itemType;
            IsIntegral = integral;
            Width = width;
            IsVariableLength = variable;
        }

        /// <summary>The IDataView column.</summary>
        public DataViewSchema.Column Column { get; }

        /// <summary>The column's item type (the vector's element type for vector columns).</summary>
        public DataViewType ItemType { get; }

        /// <summary>Whether values are integers or keys (int64 tensor) rather than numbers (float32 tensor).</summary>
        public bool IsIntegral { get; }

        /// <summary>The values per row: 1 for a scalar column, the vector size for a vector of known size, 0 for variable.</summary>
        public int Width { get; }

        /// <summary>Whether rows have different lengths (padded per batch, with a mask).</summary>
        public bool IsVariableLength { get; }

        /// <summary>Whether the column is a scalar (one value per row).</summary>
        public bool IsScalar => Column.Type is not VectorDataViewType;

        /// <summary>The tensor dtype this column becomes.</summary>
        public ScalarType TensorType => IsIntegral ? ScalarType.Int64 : ScalarType.Float32;

        /// <summary>
        /// Binds <paramref name="name"/> in <paramref name="schema"/> as a model input.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">The column is missing or of an unsupported type; the message names it, the
        /// expected and the actual type.</exception>
        public static InputColumn Bind(DataViewSchema schema, string name, string role = "feature")
        {
            ArgumentNullException.ThrowIfNull(schema);
            ArgumentNullException.ThrowIfNull(name);
            var column = schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(nameof(schema),
                $"The {role} column '{name}' was not found in the data. Columns present: " +
                $"{string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
            var type = column.Type;
            var item = type is VectorDataViewType vector ? vector.ItemType : type;
            bool integral = item is KeyDataViewType || item.RawType == typeof(int) || item.RawType == typeof(long)
                || item.RawType == typeof(uint)
                || item.RawType == typeof(ulong) || item.RawType == typeof(short) || item.RawType == typeof(ushort)
                || item.RawType == typeof(sbyte) || item.RawType == typeof(byte);
            bool numeric = item.RawType == typeof(float) || item.RawType == typeof(double) || item.RawType == typeof(bool);
            if (!integral && !numeric)
            {
                throw new ArgumentOutOfRangeException(nameof(schema),
                    $"The {role} column '{name}' has type {type}, which a network cannot take. Expected: Single, Double, Boolean, an " +
                    $"integer or key type, or a vector of these (e.g. Vector<Single>). Convert text with " +
                    $"mlContext.Transforms.Text.TokenizeIntoWords and Conversion.MapValueToKey, or featurize it first.");
            }
            if (type is VectorDataViewType v)
            {
                if (v.Dimensions.Length > 1)
                    throw new ArgumentOutOfRangeException(nameof(schema),
                        $"The {role} column '{name}' is a {v.Dimensions.Length}-dimensional vector; only one-dimensional vectors are " +
                        $"supported (reshape inside the network).");
                return new InputColumn(column, item, integral, v.Size, variable: v.Size == 0);
            }
            return new InputColumn(column, item, integral, 1, variable: false);
        }

        /// <summary>The schema-shape counterpart of <see cref="Bind"/>, for GetOutputSchema: the column exists and holds numbers or
        /// keys.</summary>
        /// <exception cref="ArgumentOutOfRangeException">The column is missing or of an unsupported item type.</exception>
        public static void CheckShape(SchemaShape schema, string name, string role = "feature")
        {
            if (!schema.TryFindColumn(name, out var column))
                throw new ArgumentOutOfRangeException(nameof(schema), $"The {role} column '{name}' was not found in the input schema.");
            var item = column.ItemType;
            if (!column.IsKey && item != BooleanDataViewType.Instance && item is not NumberDataViewType)
            {
                throw new ArgumentOutOfRangeException(nameof(schema),
                    $"The {role} column '{name}' has item type {item}, which a network cannot take. Expected numbers, Booleans or keys " +
                    $"(e.g. Vector<Single>).");
            }
        }

        /// <summary>A reader of this column on a cursor, appending each row to per-batch buffers.</summary>
        public ColumnBuffer CreateBuffer(DataViewRow row)
            => IsIntegral ? new IntegralColumnBuffer(this, row) : new FloatColumnBuffer(this, row);
    }
}
