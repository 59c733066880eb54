using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using TorchSharp;

namespace Microsoft.ML.Layers.Constraints
{
    /// <summary>
    /// The <c>axis</c> argument of the norm constraints (an integer, or a list such as <c>[0, 1, 2]</c> for a convolution
    /// kernel) and their shared arithmetic.
    /// </summary>
    internal static class NormAxes
    {
        /// <summary>Keras's <c>backend.epsilon()</c> default, added to the norms before dividing.</summary>
        public const double Epsilon = 1e-7;

        /// <summary>Checks a list of axes: not empty, no axis twice.</summary>
        /// <exception cref="ArgumentException">The list is empty or repeats an axis.</exception>
        public static int[] Validate(int[] axis, string parameterName)
        {
            ArgumentNullException.ThrowIfNull(axis, parameterName);
            if (axis.Length == 0)
                throw new ArgumentException("Invalid value for argument `axis`: expected an integer or a non-empty list of integers. " +
                    "Received: axis=[].", parameterName);
            if (axis.Distinct().Count() != axis.Length)
                throw new ArgumentException($"Invalid value for argument `axis`: an axis appears twice. Received: " +
                    $"axis=[{string.Join(", ", axis)}].", parameterName);
            return (int[])axis.Clone();
        }

        /// <summary>The config value: an integer when the axis was given as one, else the list.</summary>
        public static object ConfigValue(IReadOnlyList<int> axes, bool isList) => isList ? axes.ToArray() : axes[0];

        /// <summary>Reads <c>axis</c> from a config: missing means 0; an integer or a list of integers.</summary>
        /// <exception cref="FormatException">The value is neither.</exception>
        public static (int[] Axes, bool IsList) Read(ComponentConfig config)
        {
            if (!config.Values.TryGetPropertyValue("axis", out var node))
                return (new[] { 0 }, false);
            return node is JsonArray ? (config.Get<int[]>("axis"), true) : (new[] { config.Get<int>("axis") }, false);
        }

        /// <summary>Rejects config keys the constraint does not take, as the constructor binding does.</summary>
        /// <exception cref="FormatException">An unknown key is present.</exception>
        public static void RequireKeys(ComponentConfig config, string className, params string[] allowed)
        {
            var unknown = config.Keys.Where(k => !allowed.Contains(k)).ToList();
            if (unknown.Count > 0)
            {
                throw new FormatException(
                    $"The config of '{config.ClassName}' has keys that {className} does not take: {string.Join(", ", unknown)}. " +
                    $"Expected: {string.Join(", ", allowed)}.");
            }
        }

        /// <summary>Keras's norms: <c>sqrt(sum(square(w), axis, keepdims=True))</c>.</summary>
        /// <exception cref="ArgumentException">An axis is out of range for the weight's rank.</exception>
        public static torch.Tensor Norms(torch.Tensor weight, IReadOnlyList<int> axes, string className)
        {
            ArgumentNullException.ThrowIfNull(weight);
            long rank = weight.dim();
            foreach (int axis in axes)
            {
                if (axis < -rank || axis >= rank)
                {
                    throw new ArgumentException(
                        $"{className}: axis {axis} is out of range for a weight of shape {Shape.Of(weight)} (rank {rank}). Received: " +
                        $"axis=[{string.Join(", ", axes)}].",
                        nameof(weight));
                }
            }
            return weight.Squared().sum(axes.Select(a => (long)a).ToArray(), keepdim: true).sqrt();
        }
    }
}
