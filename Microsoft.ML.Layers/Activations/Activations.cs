using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Keras's activation functions by name, with Keras's definitions and defaults, and the registry that resolves
    /// activation names in configs. Only registered names resolve.
    /// </summary>
    public static class Activations
    {
        private static readonly ConcurrentDictionary<string, Activation> Registered = new(StringComparer.Ordinal);

        // The built-in instances, by reference: a custom activation registered under a built-in name is not one of them.
        private static readonly HashSet<Activation> BuiltInSet = new(ReferenceEqualityComparer.Instance);

        static Activations()
        {
            foreach (var activation in BuiltIn())
            {
                Registered[activation.Name] = activation;
                BuiltInSet.Add(activation);
            }
        }

        /// <summary>Whether <paramref name="activation"/> is one of the library's own (not a registered custom function).</summary>
        internal static bool IsBuiltIn(Activation activation) => BuiltInSet.Contains(activation);

        private static IEnumerable<Activation> BuiltIn()
        {
            yield return Linear;
            yield return Relu;
            yield return new Activation("relu6", x => nn.functional.relu6(x));
            yield return new Activation("leaky_relu", x => x.LeakyRelu(0.2));
            yield return new Activation("elu", x => x.Elu(1.0));
            // SELU's constants are the same in Keras and libtorch: scale 1.0507009873554805, alpha 1.6732632423543772.
            yield return new Activation("selu", x => nn.functional.selu(x));
            yield return new Activation("sigmoid", x => x.sigmoid());
            yield return new Activation("tanh", x => x.tanh());
            yield return Softmax;
            yield return new Activation("log_softmax", x => LastAxis(x, t => t.log_softmax(-1)));
            // Exact log(1 + exp(x)): libtorch's softplus switches to x above its threshold, where the difference is below float32
            // precision.
            yield return new Activation("softplus", x => x.Softplus());
            yield return new Activation("softsign", x => x / x.abs().AddScalar(1));
            yield return new Activation("silu", x => nn.functional.silu(x));
            yield return new Activation("swish", x => nn.functional.silu(x));
            yield return new Activation("gelu", x => nn.functional.gelu(x));
            yield return new Activation("exponential", x => x.exp());
            // Keras 3's hard_sigmoid: relu6(x + 3) / 6, libtorch's hardsigmoid as in Keras's torch backend.
            // (Keras 2 used clip(0.2x + 0.5, 0, 1): see HardSigmoidKeras2.)
            yield return new Activation("hard_sigmoid", x => nn.functional.hardsigmoid(x));
            yield return HardSigmoidKeras2;
            // x * relu6(x + 3) / 6: libtorch's hardswish, as in Keras's torch backend.
            yield return new Activation("hard_silu", x => nn.functional.hardswish(x));
            yield return new Activation("hard_swish", x => nn.functional.hardswish(x));
            // Keras computes mish as x * tanh(softplus(x)) (not libtorch's fused mish kernel).
            yield return new Activation("mish", x => Mish(x));
            yield return new Activation("log_sigmoid", x => nn.functional.logsigmoid(x));
        }

        /// <summary>The identity (Keras's <c>linear</c>, also what <see langword="null"/> means).</summary>
        public static Activation Linear { get; } = new("linear", x => x.alias());

        /// <summary><c>max(x, 0)</c>.</summary>
        public static Activation Relu { get; } = new("relu", x => nn.functional.relu(x));

        /// <summary>Softmax over the last axis.</summary>
        public static Activation Softmax { get; } = new("softmax", x => LastAxis(x, t => t.softmax(-1)));

        /// <summary>
        /// Keras 1 and 2's hard sigmoid, <c>clip(0.2x + 0.5, 0, 1)</c>, registered as <c>"legacy_hard_sigmoid"</c>: models imported
        /// from Keras 1 and 2 files use it where their config says <c>"hard_sigmoid"</c>, so they compute what they computed there.
        /// </summary>
        public static Activation HardSigmoidKeras2 { get; } = new("legacy_hard_sigmoid",
            x => x.MulScalar(0.2).AddScalar(0.5).clamp(Scalars.IntZero, Scalars.IntOne));

        private static Tensor Mish(Tensor x)
        {
            using var softplus = x.Softplus();
            using var tanh = softplus.tanh();
            return x * tanh;
        }

        /// <summary>
        /// Keras's torch backend computes softmax and log_softmax of float16 in float32 on the CPU and casts the result
        /// back; the same is done here so that the values match.
        /// </summary>
        private static Tensor LastAxis(Tensor x, Func<Tensor, Tensor> function)
        {
            if (x.dtype != ScalarType.Float16 || x.device_type != DeviceType.CPU)
                return function(x);
            using var wide = x.to(ScalarType.Float32);
            using var result = function(wide);
            return result.to(ScalarType.Float16);
        }

        /// <summary>The registered names.</summary>
        public static IReadOnlyCollection<string> Names => Registered.Keys.OrderBy(n => n, StringComparer.Ordinal).ToList();

        /// <summary>
        /// The activation registered under <paramref name="name"/>; <see langword="null"/> or <c>"linear"</c> is the identity.
        /// </summary>
        /// <exception cref="ArgumentException">The name is not registered; the message lists the known names.</exception>
        public static Activation Get(string? name)
        {
            if (name is null)
                return Linear;
            if (Registered.TryGetValue(name, out var activation))
                return activation;
            throw new ArgumentException(
                $"Unknown activation. Received: activation='{name}'. Known activations: {string.Join(", ", Names)}. " +
                "Register a custom one with Activations.Register(new Activation(name, function)).", nameof(name));
        }

        /// <summary>Registers a custom activation under its name, replacing any earlier registration of that name.</summary>
        public static void Register(Activation activation)
        {
            ArgumentNullException.ThrowIfNull(activation);
            Registered[activation.Name] = activation;
        }

        /// <summary>Reads an activation from a config value: a name, or Keras 3's
        /// <c>{"class_name": "function", "config": "relu"}</c>.</summary>
        internal static Activation Deserialize(JsonNode? node)
        {
            if (node is null)
                return Linear;
            if (node is JsonValue value && value.TryGetValue<string>(out var name))
                return Get(name);
            if (node is JsonObject obj && obj["config"] is JsonValue configName && configName.TryGetValue<string>(out var functionName))
                return Get(functionName);
            if (node is JsonObject named && named["class_name"] is JsonValue className && className.TryGetValue<string>(out var cls))
                return Get(KerasJson.SnakeCase(cls));
            throw new FormatException($"An activation must be a name such as \"relu\". Received: " +
                $"{ComponentConfig.Truncate(node.ToJsonString())}");
        }
    }
}
