using System;
using TorchSharp;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Keras's dtype policy: the dtype a layer keeps its weights in (<see cref="VariableDType"/>) and the dtype it
    /// computes in (<see cref="ComputeDType"/>). A plain policy such as <c>"float64"</c> uses one dtype for both;
    /// <c>"mixed_float16"</c> and <c>"mixed_bfloat16"</c> keep float32 weights and compute in half precision.
    /// </summary>
    public sealed class DTypePolicy : IEquatable<DTypePolicy>
    {
        private static DTypePolicy _global = new("float32");

        /// <summary>Creates a policy from its Keras name: a dtype name or <c>mixed_float16</c> / <c>mixed_bfloat16</c>.</summary>
        /// <exception cref="ArgumentException">The name is neither a floating dtype nor a mixed policy.</exception>
        public DTypePolicy(string name)
        {
            ArgumentNullException.ThrowIfNull(name);
            if (name.StartsWith("mixed_", StringComparison.Ordinal))
            {
                var compute = DTypes.Parse(name.Substring("mixed_".Length));
                if (compute is not (torch.ScalarType.Float16 or torch.ScalarType.BFloat16))
                    throw new ArgumentException($"Mixed policies are 'mixed_float16' and 'mixed_bfloat16'. Received: dtype='{name}'.",
                        nameof(name));
                VariableDType = torch.ScalarType.Float32;
                ComputeDType = compute;
            }
            else
            {
                VariableDType = ComputeDType = DTypes.Parse(name);
            }
            Name = name == "float" ? "float32" : name == "double" ? "float64" : name;
        }

        /// <summary>A plain policy for one dtype.</summary>
        public DTypePolicy(torch.ScalarType dtype) : this(DTypes.ToKerasName(dtype))
        {
        }

        /// <summary>The Keras name: <c>"float32"</c>, <c>"mixed_float16"</c>, ...</summary>
        public string Name { get; }

        /// <summary>The dtype of the weights.</summary>
        public torch.ScalarType VariableDType { get; }

        /// <summary>The dtype floating inputs are cast to and computations run in.</summary>
        public torch.ScalarType ComputeDType { get; }

        /// <summary>Whether compute and variable dtypes differ.</summary>
        public bool IsMixed => VariableDType != ComputeDType;

        /// <summary>
        /// The policy of layers created without a dtype (Keras's <c>set_global_policy</c>); <c>float32</c> by default.
        /// Changing it affects layers created afterwards only.
        /// </summary>
        public static DTypePolicy Global
        {
            get => _global;
            set => _global = value ?? throw new ArgumentNullException(nameof(value));
        }

        /// <inheritdoc />
        public bool Equals(DTypePolicy? other) => other is not null && other.Name == Name;

        /// <inheritdoc />
        public override bool Equals(object? obj) => Equals(obj as DTypePolicy);

        /// <inheritdoc />
        public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);

        /// <inheritdoc />
        public override string ToString() => Name;
    }
}
