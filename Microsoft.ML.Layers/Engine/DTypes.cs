using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;

namespace Microsoft.ML.Layers
{
    /// <summary>Keras's dtype names (<c>"float32"</c>, <c>"int64"</c>, ...) and their TorchSharp scalar types.</summary>
    internal static class DTypes
    {
        private static readonly Dictionary<string, torch.ScalarType> ByName = new(StringComparer.Ordinal)
        {
            ["float32"] = torch.ScalarType.Float32,
            ["float64"] = torch.ScalarType.Float64,
            ["float16"] = torch.ScalarType.Float16,
            ["bfloat16"] = torch.ScalarType.BFloat16,
            ["int8"] = torch.ScalarType.Int8,
            ["uint8"] = torch.ScalarType.Byte,
            ["int16"] = torch.ScalarType.Int16,
            ["int32"] = torch.ScalarType.Int32,
            ["int64"] = torch.ScalarType.Int64,
            ["bool"] = torch.ScalarType.Bool,
            ["complex64"] = torch.ScalarType.ComplexFloat32,
            ["complex128"] = torch.ScalarType.ComplexFloat64,
        };

        private static readonly Dictionary<torch.ScalarType, string> ByType = ByName.ToDictionary(p => p.Value, p => p.Key);

        /// <summary>Keras's name for a scalar type (<c>Float32</c> is <c>"float32"</c>).</summary>
        public static string ToKerasName(torch.ScalarType type)
            => ByType.TryGetValue(type, out var name) ? name
               : throw new ArgumentOutOfRangeException(nameof(type), $"Scalar type {type} has no Keras dtype name.");

        /// <summary>The scalar type for a Keras dtype name; also accepts Keras 2's <c>"float"</c> and <c>"double"</c>.</summary>
        /// <exception cref="ArgumentException">The name is not a known dtype.</exception>
        public static torch.ScalarType Parse(string name)
        {
            ArgumentNullException.ThrowIfNull(name);
            string normalized = name switch { "float" => "float32", "double" => "float64", "half" => "float16", _ => name };
            return ByName.TryGetValue(normalized, out var type) ? type
                : throw new ArgumentException($"Unknown dtype. Received: dtype='{name}'. Expected one of: " +
                    $"{string.Join(", ", ByName.Keys)}.", nameof(name));
        }

        /// <summary>Whether the type is a floating-point type (the ones layers cast inputs to).</summary>
        public static bool IsFloating(torch.ScalarType type)
            => type is torch.ScalarType.Float32 or torch.ScalarType.Float64 or torch.ScalarType.Float16 or torch.ScalarType.BFloat16;
    }
}
