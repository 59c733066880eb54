using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Wraps a function of a tensor as a layer (Keras's <c>Lambda</c>), for quick expressions in a model. Prefer a
    /// <see cref="Layer"/> subclass for anything with state or that must be saved portably.
    /// </summary>
    /// <remarks>
    /// <para>Serialization follows Keras's safe mode: a Lambda built from an anonymous delegate cannot be serialized
    /// (<see cref="GetConfig"/> throws <see cref="NotSupportedException"/>), because code is never written to or read from a
    /// config. A Lambda built from a name registered with <see cref="Register"/> serializes that name, and a config is read
    /// back only when its name is registered in the reading process; a config holding Python code (Keras's
    /// <c>__lambda__</c>) is refused and never executed.</para>
    /// <para>No weights. Output: whatever the function returns; its shape is <c>output_shape</c> (after the batch dimension)
    /// when given, else found by running the function. Masks: with a <c>mask</c> function the layer supports masking and
    /// the output mask is its result; without one the layer drops masks, as in Keras.</para>
    /// <code>
    /// var square = new Lambda(x => x * x);                     // not serializable
    /// Lambda.Register("square", x => x * x);
    /// var named = new Lambda("square");                        // config: {"function": {"class_name": "function", "config": "square", ...}}
    /// Tensor y = named.Apply(torch.tensor(new[] { 1f, 2f }).reshape(1, 2));   // [[1, 4]]
    /// </code>
    /// </remarks>
    [RegisterLayer("Lambda")]
    public sealed class Lambda : Layer, IOnnxExportable
    {
        private static readonly ConcurrentDictionary<string, Func<Tensor, Tensor>> Functions = new(StringComparer.Ordinal);

        private readonly Func<Tensor, Tensor> _function;
        private readonly Func<Tensor, Tensor?, Tensor?>? _mask;

        /// <summary>Creates a Lambda layer from a delegate; such a layer cannot be serialized.</summary>
        /// <param name="function">The computation, called with the input batch.</param>
        /// <param name="outputShape">The output shape without the batch dimension, or <see langword="null"/> to infer it by running the
        /// function.</param>
        /// <param name="mask">Computes the output mask from the input and its mask; <see langword="null"/> for no masking support.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype floating inputs are cast to; the global policy by default.</param>
        public Lambda(Func<Tensor, Tensor> function, Shape? outputShape = null, Func<Tensor, Tensor?, Tensor?>? mask = null,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            _function = function ?? throw new ArgumentNullException(nameof(function));
            OutputShape = outputShape;
            _mask = mask;
            SupportsMasking = mask is not null;
        }

        /// <summary>Creates a Lambda layer from a function registered with <see cref="Register"/>; it serializes the name.</summary>
        /// <param name="function">The registered name.</param>
        /// <param name="outputShape">The output shape without the batch dimension, or <see langword="null"/> to infer it.</param>
        /// <param name="mask">Computes the output mask; a layer with one cannot be serialized.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype floating inputs are cast to; the global policy by default.</param>
        /// <exception cref="KeyNotFoundException">No function is registered under <paramref name="function"/>.</exception>
        public Lambda(string function, Shape? outputShape = null, Func<Tensor, Tensor?, Tensor?>? mask = null,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : this(Lookup(function), outputShape, mask, name, trainable, dtype)
            => FunctionName = function;

        /// <summary>
        /// Registers <paramref name="function"/> under <paramref name="name"/> (replacing an earlier one), so that
        /// <c>new Lambda(name)</c> serializes and configs naming it can be read.
        /// </summary>
        /// <exception cref="ArgumentException">The name is empty.</exception>
        public static void Register(string name, Func<Tensor, Tensor> function)
        {
            if (string.IsNullOrWhiteSpace(name))
                throw new ArgumentException($"A Lambda function needs a non-empty name. Received: name='{name}'.", nameof(name));
            Functions[name] = function ?? throw new ArgumentNullException(nameof(function));
        }

        /// <summary>The registered function name, or <see langword="null"/> for a layer built from a delegate.</summary>
        public string? FunctionName { get; }

        /// <summary>The output shape without the batch dimension, if given.</summary>
        public Shape? OutputShape { get; }

        private static Func<Tensor, Tensor> Lookup(string name)
        {
            ArgumentNullException.ThrowIfNull(name);
            if (Functions.TryGetValue(name, out var function))
                return function;
            throw new KeyNotFoundException(
                $"No Lambda function is registered under the name '{name}'. Register it first with Lambda.Register(\"{name}\", " +
                $"x => ...). Registered: " +
                $"{(Functions.IsEmpty ? "none" : string.Join(", ", Functions.Keys.OrderBy(k => k, StringComparer.Ordinal)))}.");
        }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            var output = _function(inputs)
                ?? throw new InvalidOperationException($"Layer '{Name}' (Lambda): the function returned null.");
            // The caller's tensor must not become the output object (its mask and dispose scope belong to the caller).
            return ReferenceEquals(output, inputs) ? inputs.alias() : output;
        }

        /// <summary>The mask function's result; only used when a mask function was given.</summary>
        public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => _mask?.Invoke(inputs, mask);

        /// <summary>Not exportable: the function is C# code, not a graph.</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
            => throw context.Unsupported("its function is C# code, which has no ONNX form; write a Layer subclass that implements " +
                "IOnnxExportable instead.");

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape)
        {
            ArgumentNullException.ThrowIfNull(inputShape);
            return OutputShape is null ? base.ComputeOutputShape(inputShape) : OutputShape.Prepend(inputShape[0]);
        }

        /// <summary>
        /// The config: the registered function name in Keras's form (<c>{"class_name": "function", "config": name}</c>),
        /// <c>output_shape</c> when given, and empty <c>arguments</c>.
        /// </summary>
        /// <exception cref="NotSupportedException">The layer was built from a delegate, or has a mask function.</exception>
        public override LayerConfig GetConfig()
        {
            if (FunctionName is null)
            {
                throw new NotSupportedException(
                    $"Lambda layer '{Name}' wraps an anonymous delegate and cannot be serialized: code is never written to a config. " +
                    "Register the function with Lambda.Register(\"name\", function) and create the layer with new Lambda(\"name\"), " +
                    "or write a Layer subclass.");
            }
            if (_mask is not null)
            {
                throw new NotSupportedException(
                    $"Lambda layer '{Name}' has a mask function, which cannot be serialized. Write a Layer subclass that overrides " +
                    $"ComputeMask.");
            }
            var config = base.GetConfig().With("function", new JsonObject
            {
                ["module"] = null,
                ["class_name"] = "function",
                ["config"] = FunctionName,
                ["registered_name"] = FunctionName,
            });
            if (OutputShape is not null)
                config.With("output_shape", OutputShape);
            return config.With("arguments", new JsonObject());
        }

        /// <summary>
        /// Reads a Lambda config: the function must be a registered name (a plain string or Keras's
        /// <c>{"class_name": "function", "config": name}</c>). Nothing from the config is ever executed.
        /// </summary>
        /// <exception cref="NotSupportedException">The config holds Python code, a function-valued <c>output_shape</c> or
        /// <c>mask</c>, or non-empty <c>arguments</c>.</exception>
        /// <exception cref="KeyNotFoundException">The function name is not registered.</exception>
        public static Lambda FromConfig(LayerConfig config)
        {
            ArgumentNullException.ThrowIfNull(config);
            string functionName = ReadFunctionName(config.Values["function"]);
            var outputShape = config.Values["output_shape"] is JsonObject
                ? throw new NotSupportedException("A Lambda config whose `output_shape` is a function cannot be read: functions are " +
                    "never loaded from configs.")
                : config.Get<Shape?>("output_shape", null);
            if (config.Values["mask"] is not null)
                throw new NotSupportedException("A Lambda config with a `mask` cannot be read: functions and tensors are never loaded " +
                    "from a Lambda config.");
            if (config.Values["arguments"] is JsonObject { Count: > 0 } arguments)
                throw new NotSupportedException($"A Lambda config with `arguments` cannot be read: registered functions take the input " +
                    $"only. Received: arguments={arguments.ToJsonString()}.");

            var known = new HashSet<string>(StringComparer.Ordinal) { "function", "output_shape", "mask", "arguments" };
            var unknown = config.Keys.Where(k => !known.Contains(k) && !BaseConfigKeys.Contains(k)).ToList();
            if (unknown.Count > 0)
                throw new FormatException($"The config of 'Lambda' has keys that Lambda does not take: {string.Join(", ", unknown)}.");

            var layer = new Lambda(functionName, outputShape, name: config.Name, trainable: config.Trainable);
            layer.ApplyBaseConfig(config, new HashSet<string>(StringComparer.Ordinal) { "name", "trainable" });
            return layer;
        }

        private static string ReadFunctionName(JsonNode? node)
        {
            switch (node)
            {
                case JsonValue value when value.TryGetValue<string>(out var name):
                    return name;
                case JsonObject obj when obj["class_name"] is JsonValue cls && cls.TryGetValue<string>(out var className):
                    if (className == "__lambda__")
                    {
                        throw new NotSupportedException(
                            "This Lambda config holds a Python lambda (class_name '__lambda__'): its code is never loaded or executed. " +
                            "Register an equivalent function with Lambda.Register(name, function) and write the config with that name, " +
                            "or use a Layer subclass.");
                    }
                    if (className == "function" && obj["config"] is JsonValue inner && inner.TryGetValue<string>(out var functionName))
                        return functionName;
                    break;
            }
            throw new FormatException(
                $"The `function` of a Lambda config must be a registered function name. Received: " +
                $"{ComponentConfig.Truncate(node?.ToJsonString() ?? "null")}");
        }
    }
}
