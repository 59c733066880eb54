using System;
using System.IO;
using Microsoft.ML.Data;

namespace Microsoft.ML.Layers.Estimators
{
    /// <summary>Writes and reads the column types a network's inputs can have (numbers, keys, and one-dimensional vectors of
    /// them).</summary>
    internal static class ColumnTypes
    {
        private const byte Primitive = 0;
        private const byte Key = 1;
        private const byte Vector = 2;

        public static void Write(BinaryWriter writer, DataViewType type)
        {
            switch (type)
            {
                case VectorDataViewType vector:
                    writer.Write(Vector);
                    writer.Write(vector.Size);
                    Write(writer, vector.ItemType);
                    break;
                case KeyDataViewType key:
                    writer.Write(Key);
                    writer.Write(key.Count);
                    break;
                default:
                    writer.Write(Primitive);
                    writer.Write(type.RawType.Name);
                    break;
            }
        }

        /// <exception cref="FormatException">An unknown or malformed type.</exception>
        public static DataViewType Read(BinaryReader reader)
        {
            byte kind = reader.ReadByte();
            switch (kind)
            {
                case Vector:
                    int size = reader.ReadInt32();
                    if (size < 0)
                        throw new FormatException($"Invalid vector size {size} in the model.");
                    var item = Read(reader) as PrimitiveDataViewType ?? throw new FormatException("A vector of vectors in the model.");
                    return new VectorDataViewType(item, size);
                case Key:
                    ulong count = reader.ReadUInt64();
                    return new KeyDataViewType(typeof(uint), count);
                case Primitive:
                    return reader.ReadString() switch
                    {
                        "Single" => NumberDataViewType.Single,
                        "Double" => NumberDataViewType.Double,
                        "Boolean" => BooleanDataViewType.Instance,
                        "Int32" => NumberDataViewType.Int32,
                        "Int64" => NumberDataViewType.Int64,
                        "UInt32" => NumberDataViewType.UInt32,
                        "UInt64" => NumberDataViewType.UInt64,
                        "Int16" => NumberDataViewType.Int16,
                        "UInt16" => NumberDataViewType.UInt16,
                        "SByte" => NumberDataViewType.SByte,
                        "Byte" => NumberDataViewType.Byte,
                        var other => throw new FormatException($"Unsupported column type '{other}' in the model."),
                    };
                default:
                    throw new FormatException($"Unknown column type tag {kind} in the model (the file is corrupted).");
            }
        }
    }
}
