using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.ML.Layers.Optimizers;
using TorchSharp;

namespace Microsoft.ML.Layers
{
    /// <summary>Conversions between .NET values and the JSON values of Keras configs, in one place.</summary>
    internal static class KerasJson
    {
        private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 512 };

        /// <summary>Parses JSON text, turning syntax errors into a <see cref="FormatException"/>.</summary>
        public static JsonNode? ParseText(string json)
        {
            ArgumentNullException.ThrowIfNull(json);
            try
            {
                // Python's json module writes NaN and Infinity; accept them as numbers, as Keras does.
                return JsonNode.Parse(json, documentOptions: ParseOptions);
            }
            catch (JsonException e)
            {
                throw new FormatException($"Invalid JSON in a Keras config: {e.Message}", e);
            }
        }

        /// <summary>Converts a .NET value to its Keras JSON form.</summary>
        /// <exception cref="ArgumentException">The value's type has no Keras form.</exception>
        public static JsonNode? ToNode(object? value, string key)
        {
            switch (value)
            {
                case null:
                    return null;
                case JsonNode node:
                    return node.DeepClone();
                case string s:
                    return JsonValue.Create(s);
                case bool b:
                    return JsonValue.Create(b);
                case int i:
                    return JsonValue.Create(i);
                case long l:
                    return JsonValue.Create(l);
                case float f:
                    return float.IsFinite(f) ? JsonValue.Create(f) : JsonValue.Create(NonFinite(f));
                case double d:
                    return double.IsFinite(d) ? JsonValue.Create(d) : JsonValue.Create(NonFinite(d));
                case torch.ScalarType type:
                    return JsonValue.Create(DTypes.ToKerasName(type));
                case DTypePolicy policy:
                    return JsonValue.Create(policy.Name);
                case Shape shape:
                    return new JsonArray(shape.Select(d => d == Shape.Unknown ? null : (JsonNode)JsonValue.Create(d)).ToArray());
                case IntTuple tuple:
                    return new JsonArray(tuple.Values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
                case Activation activation:
                    return JsonValue.Create(activation.Name);
                case Layer layer:
                    return layer.GetConfig().ToJson();
                case IKerasSerializable serializable:
                    return serializable.GetConfig().ToJson();
                case Enum e:
                    return KerasEnum.ToKeras(e) is { } kerasName ? JsonValue.Create(kerasName) : null;
                case IEnumerable sequence:
                    return new JsonArray(sequence.Cast<object?>().Select(item => ToNode(item, key)).ToArray());
                default:
                    throw new ArgumentException($"Config key '{key}': values of type {value.GetType().Name} cannot be written to a Keras " +
                        $"config.", nameof(value));
            }
        }

        /// <summary>Converts a Keras JSON value to <paramref name="type"/>.</summary>
        /// <exception cref="FormatException">The value does not fit the type; the message names <paramref name="where"/>.</exception>
        public static object? FromNode(JsonNode? node, Type type, string where)
        {
            var underlying = Nullable.GetUnderlyingType(type);
            if (node is null)
            {
                // Keras's None may stand for a member of a fixed-choice enum (merge_mode=None, data_format=None).
                if ((underlying ?? type).IsEnum && KerasEnum.TryParse(underlying ?? type, null, out var none))
                    return none;
                if (!type.IsValueType || underlying is not null)
                    return null;
                throw new FormatException($"'{where}' is null, but a {type.Name} is required.");
            }
            var target = underlying ?? type;
            try
            {
                if (typeof(JsonNode).IsAssignableFrom(target))
                    return node.DeepClone();
                if (target == typeof(string))
                    return node is JsonValue v && v.TryGetValue<string>(out var s) ? s : Fail(node, target, where);
                if (target == typeof(bool))
                    return Element(node)
                        .ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => Fail(node, target, where) };
                if (target == typeof(int))
                    return checked((int)Integer(node, where));
                if (target == typeof(long))
                    return Integer(node, where);
                if (target == typeof(double))
                    return Number(node, where);
                if (target == typeof(float))
                    return (float)Number(node, where);
                if (target == typeof(torch.ScalarType))
                    return node is JsonObject ? PolicyFrom(node, where).VariableDType
                        : DTypes.Parse((string)FromNode(node, typeof(string), where)!);
                if (target == typeof(DTypePolicy))
                    return PolicyFrom(node, where);
                if (target == typeof(Shape))
                    return node is JsonArray dims ? new Shape(dims.Select(d => d is null ? Shape.Unknown : Integer(d, where)))
                        : Fail(node, target, where);
                if (target == typeof(LearningRate))
                    return node is JsonObject schedule ? (LearningRate)LearningRateSchedules.FromConfig(ComponentConfig.FromJson(schedule))
                        : (LearningRate)Number(node, where);
                if (target == typeof(IntTuple))
                    return node is JsonArray values
                        ? new IntTuple(values.Select((v, i) => checked((int)Integer(v!, $"{where}[{i}]"))).ToArray())
                        : new IntTuple(checked((int)Integer(node, where)));
                if (target == typeof(Activation))
                    return Activations.Deserialize(node);
                if (typeof(Layer).IsAssignableFrom(target))
                    return ComponentRegistry.DeserializeLayer(LayerConfig.FromJson(node), target);
                if (typeof(IKerasSerializable).IsAssignableFrom(target))
                    return ComponentRegistry.Deserialize(node, target);
                if (target.IsEnum)
                    return KerasEnum.Parse(target, (string)FromNode(node, typeof(string), where)!, where);
                if (target.IsArray)
                {
                    var elementType = target.GetElementType()!;
                    if (node is not JsonArray items)
                        return Fail(node, target, where);
                    var array = Array.CreateInstance(elementType, items.Count);
                    for (int i = 0; i < items.Count; i++)
                        array.SetValue(FromNode(items[i], elementType, $"{where}[{i}]"), i);
                    return array;
                }
                if (target.IsGenericType && target.GetGenericTypeDefinition() is var definition
                    && (definition == typeof(IReadOnlyList<>) || definition == typeof(List<>) || definition == typeof(IList<>)
                        || definition == typeof(IEnumerable<>)))
                {
                    var elementType = target.GetGenericArguments()[0];
                    if (node is not JsonArray items)
                        return Fail(node, target, where);
                    var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
                    for (int i = 0; i < items.Count; i++)
                        list.Add(FromNode(items[i], elementType, $"{where}[{i}]"));
                    return list;
                }
            }
            catch (Exception e) when (e is InvalidOperationException or OverflowException)
            {
                throw new FormatException($"'{where}' cannot be read as {target.Name}: {e.Message} Received: " +
                    $"{ComponentConfig.Truncate(node.ToJsonString())}", e);
            }
            throw new FormatException($"'{where}': values of type {target.Name} cannot be read from a Keras config.");
        }

        private static object Fail(JsonNode node, Type type, string where)
            => throw new FormatException($"'{where}' must be {Describe(type)}. Received: {ComponentConfig.Truncate(node.ToJsonString())}");

        private static string Describe(Type type)
            => type == typeof(string) ? "a string" : type == typeof(bool) ? "true or false" : type.IsArray || type == typeof(Shape)
                ? "a list" : $"a {type.Name}";

        private static JsonElement Element(JsonNode node) => JsonSerializer.SerializeToElement(node);

        private static long Integer(JsonNode node, string where)
        {
            var element = Element(node);
            if (element.ValueKind == JsonValueKind.Number)
            {
                if (element.TryGetInt64(out long l))
                    return l;
                // Python writes whole floats as 3.0; accept them where an integer is expected.
                double d = element.GetDouble();
                if (Math.Floor(d) == d && Math.Abs(d) < long.MaxValue)
                    return (long)d;
            }
            throw new FormatException($"'{where}' must be an integer. Received: {ComponentConfig.Truncate(node.ToJsonString())}");
        }

        private static double Number(JsonNode node, string where)
        {
            var element = Element(node);
            if (element.ValueKind == JsonValueKind.Number)
                return element.GetDouble();
            if (element.ValueKind == JsonValueKind.String)
            {
                switch (element.GetString())
                {
                    case "NaN": return double.NaN;
                    case "Infinity": case "inf": return double.PositiveInfinity;
                    case "-Infinity": case "-inf": return double.NegativeInfinity;
                }
            }
            throw new FormatException($"'{where}' must be a number. Received: {ComponentConfig.Truncate(node.ToJsonString())}");
        }

        private static string NonFinite(double value) => double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";

        private static DTypePolicy PolicyFrom(JsonNode node, string where)
        {
            if (node is JsonValue value && value.TryGetValue<string>(out var name))
                return new DTypePolicy(name);
            // Keras 3: {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}}; Keras 2: {"class_name": "Policy",
            // ...}.
            if (node is JsonObject obj && obj["config"] is JsonObject config && config["name"] is JsonValue policyName
                && policyName.TryGetValue<string>(out var n))
            {
                return new DTypePolicy(n);
            }
            throw new FormatException($"'{where}' must be a dtype name or a dtype policy. Received: " +
                $"{ComponentConfig.Truncate(node.ToJsonString())}");
        }

        /// <summary>
        /// Keras's <c>to_snake_case</c>: <c>kernelInitializer</c> becomes <c>kernel_initializer</c>, <c>SimpleRNN</c>
        /// becomes <c>simple_rnn</c>, <c>Conv2DTranspose</c> becomes <c>conv2d_transpose</c>.
        /// </summary>
        public static string SnakeCase(string name)
        {
            name = NonWord.Replace(name, "");
            name = WordStart.Replace(name, "$1_$2");
            return LowerUpper.Replace(name, "$1_$2").ToLowerInvariant();
        }

        private static readonly Regex NonWord = new(@"\W+", RegexOptions.CultureInvariant);
        private static readonly Regex WordStart = new("(.)([A-Z][a-z]+)", RegexOptions.CultureInvariant);
        private static readonly Regex LowerUpper = new("([a-z])([A-Z])", RegexOptions.CultureInvariant);

        internal static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
    }
}
