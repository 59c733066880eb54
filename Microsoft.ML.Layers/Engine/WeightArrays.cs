using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Weights as plain .NET arrays: a weight of shape (3, 4) is a <c>float[3, 4]</c> (the element type follows the dtype:
    /// float, double, <see cref="Half"/>, <see cref="BFloat16"/>, int, long, ...). A scalar weight is a one-element array.
    /// </summary>
    internal static class WeightArrays
    {
        public static Array ToArray(Tensor weight)
        {
            using var scope = NewDisposeScope();
            var value = weight.detach().cpu().contiguous();
            if (value.ndim == 0)
                value = value.reshape(1);
            return value.dtype switch
            {
                ScalarType.Float32 => value.data<float>().ToNDArray(),
                ScalarType.Float64 => value.data<double>().ToNDArray(),
                ScalarType.Float16 => value.data<Half>().ToNDArray(),
                ScalarType.BFloat16 => value.data<BFloat16>().ToNDArray(),
                ScalarType.Int64 => value.data<long>().ToNDArray(),
                ScalarType.Int32 => value.data<int>().ToNDArray(),
                ScalarType.Int16 => value.data<short>().ToNDArray(),
                ScalarType.Int8 => value.data<sbyte>().ToNDArray(),
                ScalarType.Byte => value.data<byte>().ToNDArray(),
                ScalarType.Bool => value.data<bool>().ToNDArray(),
                _ => throw new NotSupportedException($"Weights of dtype {value.dtype} cannot be read as .NET arrays."),
            };
        }

        /// <summary>The shape an array describes; a one-element vector stands for a scalar when the target is a scalar.</summary>
        public static Shape ShapeOf(Array array, Shape target)
        {
            var dims = Enumerable.Range(0, array.Rank).Select(i => (long)array.GetLength(i)).ToArray();
            if (target.Rank == 0 && dims.Length == 1 && dims[0] == 1)
                return Shape.Scalar;
            return new Shape(dims);
        }

        /// <summary>A tensor of the target's shape and dtype holding the array's values.</summary>
        public static Tensor ToTensor(Array array, Parameter target)
        {
            using var scope = NewDisposeScope();
            var tensor = array.GetType().GetElementType() switch
            {
                Type t when t == typeof(float) || t == typeof(double) || t == typeof(long) || t == typeof(int) || t == typeof(short)
                    || t == typeof(sbyte) || t == typeof(byte) || t == typeof(bool) || t == typeof(Half) || t == typeof(BFloat16)
                    => from_array(array),
                var t => throw new ArgumentException($"Weight '{target.Path}': arrays of {t?.Name} cannot be set as weights."),
            };
            var result = tensor.reshape(target.shape).to(target.dtype, target.device).clone();
            return result.MoveToOuterDisposeScope();
        }
    }
}
