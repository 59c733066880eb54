using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PureHDF;
using PureHDF.VOL.Native;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Import
{
    /// <summary>
    /// The few HDF5 reads Keras files need, over PureHDF: string attributes (fixed-length in older files,
    /// variable-length in newer ones, scalars or lists), and numeric datasets as tensors. Every failure of the
    /// underlying reader becomes a <see cref="KerasImportException"/> naming the object read.
    /// </summary>
    internal static class Hdf5Reader
    {
        /// <summary>The HDF5 signature; it sits at offset 0, 512, 1024, 2048, ... (after an optional user block).</summary>
        private static readonly byte[] Signature = { 0x89, (byte)'H', (byte)'D', (byte)'F', (byte)'\r', (byte)'\n', 0x1a, (byte)'\n' };

        /// <summary>Whether the stream holds an HDF5 file (the stream position is restored).</summary>
        public static bool IsHdf5(Stream stream)
        {
            long start = stream.Position;
            try
            {
                var buffer = new byte[Signature.Length];
                for (long offset = 0; offset + Signature.Length <= stream.Length; offset = offset == 0 ? 512 : offset * 2)
                {
                    stream.Position = start + offset;
                    if (stream.Read(buffer, 0, buffer.Length) == buffer.Length && buffer.AsSpan().SequenceEqual(Signature))
                        return true;
                }
                return false;
            }
            finally
            {
                stream.Position = start;
            }
        }

        /// <summary>Opens an HDF5 file from a seekable stream (the caller keeps ownership of the stream).</summary>
        public static NativeFile Open(Stream stream, string file)
        {
            try
            {
                return H5File.Open(stream, leaveOpen: true);
            }
            catch (Exception e) when (e is not KerasImportException)
            {
                throw new KerasImportException($"the HDF5 structure cannot be read ({e.Message}). The file is corrupted or truncated.",
                    file, innerException: e);
            }
        }

        /// <summary>Whether <paramref name="group"/> has a child named <paramref name="name"/>.</summary>
        public static bool Has(IH5Group group, string name) => Guard(() => group.LinkExists(name), group.Name, null);

        /// <summary>A child group; fails naming the path when it is missing or not a group.</summary>
        public static IH5Group Group(IH5Group group, string path, string? file)
            => Guard(() => group.Get(path) as IH5Group, $"{group.Name}/{path}", file)
               ?? throw new KerasImportException($"'{path}' under '{group.Name}' is not a group.", file);

        /// <summary>The names of the child groups, in the file's order.</summary>
        public static IReadOnlyList<string> ChildGroupNames(IH5Group group, string? file)
            => Guard(() => group.Children().OfType<IH5Group>().Select(g => g.Name).ToList(), group.Name, file);

        /// <summary>Whether the object carries the attribute.</summary>
        public static bool HasAttribute(IH5Object obj, string name) => Guard(() => obj.AttributeExists(name), obj.Name, null);

        /// <summary>A string attribute (fixed or variable length; the first element of a list), or null when it is absent.</summary>
        public static string? StringAttribute(IH5Object obj, string name, string? file)
        {
            if (!HasAttribute(obj, name))
                return null;
            return Guard(() =>
            {
                var attribute = obj.Attribute(name);
                if (attribute.Type.Class is not (H5DataTypeClass.String or H5DataTypeClass.VariableLength))
                    throw new KerasImportException($"attribute '{name}' of '{obj.Name}' is not a string (HDF5 class " +
                        $"{attribute.Type.Class}).", file);
                return attribute.Space.Rank == 0 ? attribute.Read<string>() : attribute.Read<string[]>().FirstOrDefault();
            }, $"{obj.Name}@{name}", file);
        }

        /// <summary>
        /// A list-of-strings attribute (Keras's <c>layer_names</c>, <c>weight_names</c>); an empty numeric array, which
        /// Keras writes for layers without weights, reads as an empty list. Null when the attribute is absent.
        /// </summary>
        public static IReadOnlyList<string>? StringListAttribute(IH5Object obj, string name, string? file)
        {
            if (!HasAttribute(obj, name))
                return null;
            return Guard(() =>
            {
                var attribute = obj.Attribute(name);
                long count = attribute.Space.Dimensions.Aggregate(1UL, (a, b) => a * b) is var n ? (long)n : 0;
                if (attribute.Type.Class is not (H5DataTypeClass.String or H5DataTypeClass.VariableLength))
                {
                    return count == 0 ? Array.Empty<string>()
                        : throw new KerasImportException($"attribute '{name}' of '{obj.Name}' should list names but holds " +
                            $"{attribute.Type.Class} values.", file);
                }
                return attribute.Space.Rank == 0 ? new[] { attribute.Read<string>() } : (IReadOnlyList<string>)attribute.Read<string[]>();
            }, $"{obj.Name}@{name}", file);
        }

        /// <summary>A numeric dataset as a float32 tensor of the dataset's shape (float64 and integer data are converted).</summary>
        public static Tensor ReadTensor(IH5Group group, string path, string? file)
        {
            return Guard(() =>
            {
                if (group.Get(path) is not IH5Dataset dataset)
                    throw new KerasImportException($"'{path}' under '{group.Name}' is not a dataset.", file);
                var shape = dataset.Space.Dimensions.Select(d => (long)d).ToArray();
                var type = dataset.Type;
                using var scope = NewDisposeScope();
                Tensor flat = (type.Class, type.Size) switch
                {
                    (H5DataTypeClass.FloatingPoint, 4) => tensor(dataset.Read<float[]>()),
                    (H5DataTypeClass.FloatingPoint, 8) => tensor(dataset.Read<double[]>()),
                    (H5DataTypeClass.FloatingPoint, 2) => tensor(dataset.Read<Half[]>().Select(h => (float)h).ToArray()),
                    (H5DataTypeClass.FixedPoint, 8) => tensor(dataset.Read<long[]>()),
                    (H5DataTypeClass.FixedPoint, 4) => tensor(dataset.Read<int[]>()),
                    (H5DataTypeClass.FixedPoint, 1) => tensor(dataset.Read<byte[]>()),
                    _ => throw new KerasImportException($"dataset '{group.Name}/{path}' has HDF5 type {type.Class} of {type.Size} bytes, " +
                        $"which is not a weight type.", file),
                };
                long expected = shape.Aggregate(1L, (a, b) => a * b);
                if (flat.numel() != expected)
                    throw new KerasImportException($"dataset '{group.Name}/{path}' holds {flat.numel()} values for shape " +
                        $"({string.Join(", ", shape)}).", file);
                return flat.reshape(shape).to(ScalarType.Float32).contiguous().clone().MoveToOuterDisposeScope();
            }, $"{group.Name}/{path}", file);
        }

        /// <summary>Runs a PureHDF read, turning its failures into import errors that name the object.</summary>
        private static T Guard<T>(Func<T> read, string what, string? file)
        {
            try
            {
                return read();
            }
            catch (Exception e) when (e is not KerasImportException and not OutOfMemoryException)
            {
                throw new KerasImportException($"'{what}' cannot be read ({e.GetType().Name}: {e.Message}). The file is corrupted or " +
                    $"truncated.", file, innerException: e);
            }
        }
    }
}
