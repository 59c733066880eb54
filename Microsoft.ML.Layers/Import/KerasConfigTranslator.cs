using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Infrastructure;

namespace Microsoft.ML.Layers.Import
{
    /// <summary>
    /// Turns a <c>model_config</c> written by Keras 1, Keras 2 (and tf.keras) or Keras 3 into the Keras 3 layout this
    /// library reads: class and argument renames, the defaults that changed between generations, arguments that only
    /// tune speed, and the refusals (code-carrying layers, TensorFlow graph ops). Each layer config is checked against its
    /// class here, so an unsupported layer or argument fails naming the layer, the argument and the file.
    /// </summary>
    internal sealed class KerasConfigTranslator
    {
        private readonly int _kerasMajor;
        private readonly string? _file;

        public KerasConfigTranslator(int kerasMajor, string? file)
        {
            _kerasMajor = kerasMajor;
            _file = file;
        }

        /// <summary>The Keras major version of a <c>keras_version</c> string (<c>"2.2.4-tf"</c> is 2); 3 when unknown.</summary>
        public static int MajorVersion(string? kerasVersion)
            => kerasVersion is not null && kerasVersion.Length > 0 && char.IsDigit(kerasVersion[0])
                && int.TryParse(kerasVersion.Split('.')[0], out int major) ? major : 3;

        /// <summary>Arguments only Keras 1 wrote; a config holding any of them comes from Keras 1.</summary>
        private static readonly HashSet<string> Keras1OnlyArguments = new(StringComparer.Ordinal)
        {
            "init", "inner_init", "nb_filter", "nb_row", "border_mode", "subsample", "dim_ordering", "input_dtype",
            "W_regularizer", "b_regularizer", "consume_less", "dropout_W", "filter_length", "pool_length",
        };

        /// <summary>
        /// The Keras generation of a config that does not say it (a bare JSON, or an HDF5 file without <c>keras_version</c>):
        /// 3 when objects carry a <c>module</c>, 1 when a layer uses Keras 1's argument names, otherwise 2.
        /// </summary>
        public static int GuessMajorVersion(JsonNode? config)
        {
            if (config is JsonObject root && root.ContainsKey("module"))
                return 3;
            bool keras1 = false;
            void Visit(JsonNode? node)
            {
                if (keras1 || node is null)
                    return;
                if (node is JsonObject obj)
                {
                    if (obj.Any(p => Keras1OnlyArguments.Contains(p.Key)))
                        keras1 = true;
                    foreach (var (_, value) in obj)
                        Visit(value);
                }
                else if (node is JsonArray array)
                {
                    foreach (var item in array)
                        Visit(item);
                }
            }
            Visit(config);
            return keras1 ? 1 : 2;
        }

        /// <summary>Translates a model (or single layer) config; the input is not modified (a translated copy is returned).</summary>
        public JsonObject Translate(JsonNode? modelConfig)
        {
            if (modelConfig is not JsonObject root)
                throw Error("the model config is not a JSON object with 'class_name' and 'config'.");
            return TranslateLayer((JsonObject)root.DeepClone(), path: null);
        }

        // ---------------------------------------------------------------------------------------------------------

        /// <summary>Layer classes renamed between Keras generations (old name → Keras 3 name).</summary>
        private static readonly Dictionary<string, string> ClassRenames = new(StringComparer.Ordinal)
        {
            ["Model"] = "Functional",
            // Keras 1.
            ["Convolution1D"] = "Conv1D",
            ["Convolution2D"] = "Conv2D",
            ["Convolution3D"] = "Conv3D",
            ["AtrousConvolution1D"] = "Conv1D",
            ["AtrousConvolution2D"] = "Conv2D",
            ["Deconvolution2D"] = "Conv2DTranspose",
            ["SeparableConvolution2D"] = "SeparableConv2D",
        };

        /// <summary>Keras 1's merge modes and the Keras 2 layers that replaced <c>Merge</c>.</summary>
        private static readonly Dictionary<string, string> MergeModes = new(StringComparer.Ordinal)
        {
            ["sum"] = "Add", ["mul"] = "Multiply", ["ave"] = "Average", ["max"] = "Maximum", ["concat"] = "Concatenate", ["dot"] = "Dot",
        };

        /// <summary>Keras 1 argument names and their Keras 2 replacements (applied to Keras 1 configs only).</summary>
        private static readonly Dictionary<string, string> Keras1ArgumentRenames = new(StringComparer.Ordinal)
        {
            ["output_dim"] = "units", ["init"] = "kernel_initializer", ["inner_init"] = "recurrent_initializer",
            ["inner_activation"] = "recurrent_activation", ["W_regularizer"] = "kernel_regularizer",
            ["U_regularizer"] = "recurrent_regularizer",
            ["b_regularizer"] = "bias_regularizer", ["W_constraint"] = "kernel_constraint", ["U_constraint"] = "recurrent_constraint",
            ["b_constraint"] = "bias_constraint", ["bias"] = "use_bias", ["nb_filter"] = "filters", ["border_mode"] = "padding",
            ["subsample"] = "strides", ["subsample_length"] = "strides", ["filter_length"] = "kernel_size", ["pool_length"] = "pool_size",
            ["stride"] = "strides", ["atrous_rate"] = "dilation_rate", ["dropout_W"] = "dropout", ["dropout_U"] = "recurrent_dropout",
            ["p"] = "rate", ["beta_init"] = "beta_initializer", ["gamma_init"] = "gamma_initializer",
            ["forget_bias_init"] = "unit_forget_bias",
            ["input_dtype"] = "dtype", ["dim_ordering"] = "data_format", ["length"] = "size",
        };

        /// <summary>
        /// Arguments Keras wrote that change only speed or bookkeeping, never the result, when they hold the listed value
        /// (null: any value). They are dropped; any other value is reported as unsupported.
        /// </summary>
        private static readonly (string Key, Func<JsonNode?, bool> Harmless)[] DroppedArguments =
        {
            ("implementation", _ => true),
            ("unroll", _ => true),
            ("consume_less", _ => true),
            ("time_major", v => IsFalse(v)),
            ("fused", _ => true),
            ("renorm", v => IsFalse(v)),
            ("renorm_clipping", v => IsNullOrEmpty(v)),
            ("renorm_momentum", _ => true),
            ("virtual_batch_size", v => v is null),
            ("adjustment", v => v is null),
            ("synchronized", v => IsFalse(v)),
            ("ragged", v => IsFalse(v)),
            ("sparse", v => IsFalse(v)),
            ("quantization_config", v => v is null),
            ("lora_rank", v => v is null),
            ("lora_alpha", v => v is null),
            ("input_length", _ => true),
        };

        /// <summary>Translates one layer config in place (and what it holds); returns it.</summary>
        private JsonObject TranslateLayer(JsonObject layer, string? path)
        {
            string className = layer["class_name"] is JsonValue c && c.TryGetValue<string>(out var name) ? name
                : throw Error($"a layer config has no string 'class_name': {ComponentConfig.Truncate(layer.ToJsonString())}", path);
            var config = layer["config"];
            // Keras 2.0-2.1 wrote a Sequential model's config as the bare list of its layers.
            if (className == "Sequential" && config is JsonArray list)
            {
                layer["config"] = config = new JsonObject { ["name"] = "sequential", ["layers"] = list.DeepClone() };
            }
            if (config is not JsonObject values)
                throw Error($"the config of a '{className}' layer is not an object.", path);
            string layerName = values["name"] is JsonValue n && n.TryGetValue<string>(out var s) ? s
                : layer["name"] is JsonValue outer && outer.TryGetValue<string>(out var o) ? o : className;

            Refuse(className, values, layerName);
            if (className == "Merge")
                className = MergeToLayer(values, layerName);
            if (ClassRenames.TryGetValue(className, out var renamed))
                className = renamed;
            // tf.keras named classes registered with register_keras_serializable "Package>Class"; the .NET class registers "Class".
            if (className.IndexOf('>', StringComparison.Ordinal) is int cut and > 0
                && ComponentRegistry.TryResolveRegistered(typeof(Layer), className) is null)
                className = className[(cut + 1)..];
            layer["class_name"] = className;

            if (_kerasMajor <= 1)
                RenameKeras1Arguments(className, values, layerName);
            DropHarmlessArguments(values, layerName);
            DropInheritedGroups(className, values, layerName);
            if (_kerasMajor < 3)
                ApplyKeras2Defaults(className, values);
            TranslateValues(values, layerName);
            ReadNullBooleansAsFalse(className, values);
            if (className == "Functional")
            {
                CheckCallArguments(values, layerName);
                MapKeras3EndpointNodeIndices(values);
            }

            // Containers and wrappers: translate what they hold.
            if (values["layers"] is JsonArray layers)
            {
                for (int i = 0; i < layers.Count; i++)
                {
                    if (layers[i] is JsonObject inner)
                        TranslateLayer(inner, layerName);
                }
            }
            foreach (var key in new[] { "layer", "backward_layer", "cell" })
            {
                if (values[key] is JsonObject wrapped)
                    TranslateLayer(wrapped, layerName);
            }
            if (values["cells"] is JsonArray cells) // StackedRNNCells
            {
                foreach (var cell in cells.OfType<JsonObject>())
                    TranslateLayer(cell, layerName);
            }
            if (className is not ("Sequential" or "Functional"))
                Validate(layer, layerName);
            return layer;
        }

        /// <summary>Keras layer classes this library does not implement, and why.</summary>
        private static readonly Dictionary<string, string> UnsupportedClasses = new(StringComparer.Ordinal)
        {
            ["LocallyConnected1D"] = "it was removed from Keras 3 and is not implemented here",
            ["LocallyConnected2D"] = "it was removed from Keras 3 and is not implemented here",
            ["CuDNNLSTM"] = "it is the cuDNN-only variant of LSTM; save the model with a plain LSTM layer",
            ["CuDNNGRU"] = "it is the cuDNN-only variant of GRU; save the model with a plain GRU layer (reset_after=True)",
        };

        /// <summary>Layers that carry code or TensorFlow graph ops, and Keras layers not implemented here: never imported.</summary>
        private void Refuse(string className, JsonObject values, string layerName)
        {
            if (UnsupportedClasses.TryGetValue(className, out var reason))
                throw Error($"the Keras layer class '{className}' is not supported: {reason}.", layerName);
            switch (className)
            {
                case "Lambda":
                    throw Error(
                        "a Lambda layer holds Python code (marshalled bytecode or a function name), and importing never executes code. " +
                        "Replace it with built-in layers, or write the computation as a .NET layer registered with [RegisterLayer] and " +
                        "edit the config to use it.", layerName, "function");
                case "TensorFlowOpLayer" or "TFOpLambda" or "SlicingOpLambda":
                    string op = values["node_def"]?["op"]?.ToString() ?? values["function"]?.ToString() ?? "?";
                    throw Error(
                        $"it is a {className} (TensorFlow operation '{op}' recorded from Python code), which is not a Keras layer and " +
                        $"cannot be imported. Express the operation with Keras layers before saving.", layerName,
                        className == "TensorFlowOpLayer" ? "node_def" : "function");
            }
        }

        /// <summary>Keras 1's <c>Merge(mode=...)</c> becomes the merge layer of that mode.</summary>
        private string MergeToLayer(JsonObject values, string layerName)
        {
            string mode = values["mode"]?.ToString() ?? "sum";
            if (!MergeModes.TryGetValue(mode, out var className))
                throw Error($"Merge mode '{mode}' is not supported (only {string.Join(", ", MergeModes.Keys)}; a Python function as mode " +
                    $"would be code).", layerName, "mode");
            if (values["concat_axis"] is JsonNode axis)
                values["axis"] = axis.DeepClone();
            if (values["dot_axes"] is JsonNode axes)
                values["axes"] = axes.DeepClone();
            foreach (var key in new[] { "mode", "mode_type", "concat_axis", "dot_axes", "output_shape", "output_shape_type", "output_mask",
                "output_mask_type", "arguments", "layers" })
                values.Remove(key);
            return className;
        }

        private void RenameKeras1Arguments(string className, JsonObject values, string layerName)
        {
            // Keras 1 recurrent and embedding layers called the input weights W; Embedding's are its embeddings.
            if (className == "Embedding")
            {
                Rename(values, "init", "embeddings_initializer");
                Rename(values, "W_regularizer", "embeddings_regularizer");
                Rename(values, "W_constraint", "embeddings_constraint");
                if (values["dropout"] is JsonValue dropout && dropout.GetValue<double>() != 0)
                    throw Error($"Keras 1's Embedding dropout ({dropout}) has no Keras 2 or 3 equivalent.", layerName, "dropout");
                values.Remove("dropout");
            }
            if (className is "Conv2D" or "Conv2DTranspose" or "SeparableConv2D" && values.ContainsKey("nb_row"))
            {
                values["kernel_size"] = new JsonArray(values["nb_row"]!.DeepClone(), values["nb_col"]!.DeepClone());
                values.Remove("nb_row");
                values.Remove("nb_col");
            }
            if (className == "Conv3D" && values.ContainsKey("kernel_dim1"))
            {
                values["kernel_size"] = new JsonArray(values["kernel_dim1"]!.DeepClone(), values["kernel_dim2"]!.DeepClone(),
                    values["kernel_dim3"]!.DeepClone());
                foreach (var k in new[] { "kernel_dim1", "kernel_dim2", "kernel_dim3" })
                    values.Remove(k);
            }
            foreach (var (oldKey, newKey) in Keras1ArgumentRenames)
                Rename(values, oldKey, newKey);
            if (values["data_format"] is JsonValue ordering && ordering.TryGetValue<string>(out var order))
            {
                values["data_format"] = order switch
                {
                    "th" => "channels_first",
                    "tf" or "default" => "channels_last",
                    _ => order,
                };
                if (order == "th" && className.StartsWith("Conv", StringComparison.Ordinal))
                {
                    throw Error(
                        "Keras 1 convolutions in Theano ordering ('dim_ordering': 'th') store flipped kernels in another layout; they " +
                        "are not supported. Convert the model with Keras 2's legacy converter, or save it with 'tf' ordering.", layerName,
                        "dim_ordering");
                }
            }
            if (values["unit_forget_bias"] is JsonValue forget && forget.TryGetValue<string>(out var forgetInit))
                values["unit_forget_bias"] = forgetInit == "one";
            if (className == "BatchNormalization")
            {
                if (values["mode"] is JsonValue mode && mode.GetValue<int>() != 0)
                    throw Error($"Keras 1 BatchNormalization mode {mode} (per-sample statistics) is not supported; only mode 0 is.",
                        layerName, "mode");
                values.Remove("mode");
            }
        }

        private void DropHarmlessArguments(JsonObject values, string layerName)
        {
            foreach (var (key, harmless) in DroppedArguments)
            {
                if (!values.TryGetPropertyValue(key, out var value))
                    continue;
                if (!harmless(value))
                    throw Error($"the value {value?.ToJsonString() ?? "null"} is not supported (this library computes only the default).",
                        layerName, key);
                values.Remove(key);
            }
        }

        /// <summary>Defaults that differ between Keras 2 and Keras 3, made explicit for configs that relied on them.</summary>
        private static void ApplyKeras2Defaults(string className, JsonObject values)
        {
            // Keras 2's GRU defaulted to reset_after=False (tf.keras 2 writes the key; Keras 2.0-2.1 did not have it).
            if (className is "GRU" or "GRUCell" && !values.ContainsKey("reset_after"))
                values["reset_after"] = false;
            // tf.keras's separable convolutions inherited the plain kernel's arguments from their base class and never used them.
            if (className.StartsWith("SeparableConv", StringComparison.Ordinal))
            {
                values.Remove("kernel_initializer");
                if (values["kernel_regularizer"] is null)
                    values.Remove("kernel_regularizer");
                if (values["kernel_constraint"] is null)
                    values.Remove("kernel_constraint");
            }
            // Keras 2 accepted a one-element list as BatchNormalization's axis.
            if (className == "BatchNormalization" && values["axis"] is JsonArray { Count: 1 } axis)
                values["axis"] = axis[0]!.DeepClone();
            // Unsigned integer inputs (token ids) are read as the signed type that holds every value; libtorch has no uint16/uint32.
            if (className == "InputLayer" && values["dtype"] is JsonValue inputType && inputType.TryGetValue<string>(out var dtype))
                values["dtype"] = dtype switch { "uint16" => "int32", "uint32" or "uint64" => "int64", _ => dtype };
            // tf.keras's spatial dropouts inherited Dropout's config and wrote noise_shape: null; they never used it.
            if (className.StartsWith("SpatialDropout", StringComparison.Ordinal)
                && values.TryGetPropertyValue("noise_shape", out var noiseShape) && noiseShape is null)
                values.Remove("noise_shape");
        }

        /// <summary>
        /// Convolutions whose Keras 3 class has no <c>groups</c> argument; tf.keras wrote <c>groups: 1</c> on them because they
        /// inherited it from <c>Conv</c>, which is the only value they compute.
        /// </summary>
        private static readonly HashSet<string> InheritedGroupsClasses = new(StringComparer.Ordinal)
        {
            "DepthwiseConv1D", "DepthwiseConv2D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "SeparableConv1D",
            "SeparableConv2D",
        };

        private void DropInheritedGroups(string className, JsonObject values, string layerName)
        {
            if (!InheritedGroupsClasses.Contains(className) || !values.TryGetPropertyValue("groups", out var groups))
                return;
            if (groups is not JsonValue v || !v.TryGetValue<double>(out double n) || n != 1)
                throw Error($"{className} computes one group only (Keras 3's {className} has no 'groups' argument); expected groups=1, " +
                    $"received groups={groups?.ToJsonString() ?? "null"}.", layerName, "groups");
            values.Remove("groups");
        }

        /// <summary>
        /// An optional boolean written as <c>null</c> (<c>mask_zero</c>, <c>unit_forget_bias</c>, ...) is false, as Keras's
        /// <c>if mask_zero:</c> reads it: null becomes <see langword="false"/> where the layer's constructor takes a plain bool.
        /// </summary>
        private static void ReadNullBooleansAsFalse(string className, JsonObject values)
        {
            var type = ComponentRegistry.TryResolveRegistered(typeof(Layer), className);
            if (type is null)
                return;
            static string Normalize(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
            var booleans = type.GetConstructors()
                .SelectMany(c => c.GetParameters())
                .Where(p => p.ParameterType == typeof(bool) && p.Name is not null)
                .Select(p => Normalize(p.Name!))
                .ToHashSet(StringComparer.Ordinal);
            foreach (var key in values.Where(p => p.Value is null && booleans.Contains(Normalize(p.Key))).Select(p => p.Key).ToList())
                values[key] = false;
        }

        /// <summary>
        /// The keyword arguments recorded with each call in a functional config that replaying the graph can honour: a
        /// <c>training</c> of null or false (false is what inference does), null masks, and attention's <c>use_causal_mask</c>.
        /// Anything else would change what the call computes, so it is refused naming the layer and the argument.
        /// </summary>
        private void CheckCallArguments(JsonObject values, string modelName)
        {
            if (values["layers"] is not JsonArray layers)
                return;
            foreach (var layer in layers.OfType<JsonObject>())
            {
                string name = layer["name"] is JsonValue n && n.TryGetValue<string>(out var s) ? s
                    : layer["config"]?["name"] is JsonValue c && c.TryGetValue<string>(out var t) ? t : modelName;
                if (layer["inbound_nodes"] is not JsonArray nodes)
                    continue;
                foreach (var node in nodes)
                {
                    var kwargsList = node switch
                    {
                        JsonObject keras3 => new[] { keras3["kwargs"] },
                        JsonArray keras2 => keras2.Select(e => e is JsonArray { Count: > 3 } entry ? entry[3] : null).ToArray(),
                        _ => Array.Empty<JsonNode?>(),
                    };
                    foreach (var kwargs in kwargsList.OfType<JsonObject>())
                    {
                        foreach (var (key, value) in kwargs)
                        {
                            bool replayable = key switch
                            {
                                "training" => value is null || value is JsonValue b && b.TryGetValue<bool>(out bool training) && !training,
                                "mask" or "attention_mask" => value is null,
                                "use_causal_mask" => value is JsonValue b && b.TryGetValue<bool>(out _),
                                _ => false,
                            };
                            if (!replayable)
                            {
                                throw Error(
                                    $"the call argument '{key}' (value {value?.ToJsonString() ?? "null"}) recorded in model " +
                                    $"'{modelName}' cannot be replayed: a saved graph is replayed with its tensors, training false or " +
                                    $"null, null masks and use_causal_mask only.", name, key);
                            }
                        }
                    }
                }
            }
        }

        /// <summary>
        /// Keras 3 writes a nested functional model's outputs in <c>input_layers</c>/<c>output_layers</c> with node index
        /// 1 for its first call (its <c>get_config</c> counts a built-in node first; its <c>from_config</c> subtracts 1 again),
        /// while the calls' own <c>keras_history</c> count from 0. This library counts from 0 everywhere.
        /// </summary>
        private static void MapKeras3EndpointNodeIndices(JsonObject values)
        {
            if (values["layers"] is not JsonArray layers
                || !layers.OfType<JsonObject>().Any(l => l["inbound_nodes"] is JsonArray nodes && nodes.Any(n => n is JsonObject)))
                return;
            var functional = layers.OfType<JsonObject>()
                .Where(l => l["class_name"]?.ToString() is "Functional" or "Model")
                .Select(l => l["name"]?.ToString() ?? l["config"]?["name"]?.ToString())
                .Where(n => n is not null)
                .ToHashSet(StringComparer.Ordinal);
            if (functional.Count == 0)
                return;
            void Map(JsonNode? endpoints)
            {
                if (endpoints is not JsonArray list)
                    return;
                if (list.Count >= 3 && list[0] is JsonValue name && name.TryGetValue<string>(out var layer))
                {
                    if (functional.Contains(layer) && list[1] is JsonValue index && index.TryGetValue<int>(out int i) && i >= 1)
                        list[1] = i - 1;
                    return;
                }
                foreach (var item in list)
                    Map(item);
            }
            Map(values["input_layers"]);
            Map(values["output_layers"]);
        }

        /// <summary>Translates argument values: activations, initializers, dtype policies (recursively).</summary>
        private void TranslateValues(JsonObject values, string layerName)
        {
            foreach (var key in values.Select(p => p.Key).ToList())
            {
                var value = values[key];
                if (_kerasMajor < 3 && key is "activation" or "recurrent_activation" && value is JsonValue v
                    && v.TryGetValue<string>(out var activation))
                {
                    // Keras 1 and 2 defined hard_sigmoid as clip(0.2x + 0.5, 0, 1); Keras 3 changed it to relu6(x + 3) / 6.
                    if (activation == "hard_sigmoid")
                        values[key] = Activations.HardSigmoidKeras2.Name;
                }
                else if (key.EndsWith("_initializer", StringComparison.Ordinal) && value is JsonObject initializer)
                {
                    TranslateInitializer(initializer, key, layerName);
                }
                else if (key == "dtype" && value is JsonObject policy && policy["class_name"]?.ToString() == "Policy")
                {
                    // tf.keras 2.4+ wrote mixed-precision policies as {"class_name": "Policy", "config": {"name": "float32"}}.
                    values[key] = policy["config"]?["name"]?.DeepClone();
                }
            }
        }

        /// <summary>
        /// The values of Keras 3.15's <c>input_axes</c>/<c>output_axes</c> that mean the usual fans (the kernel's second-to-last
        /// axis in, last axis out, the others a receptive field): null, or those axes spelled out.
        /// </summary>
        private static bool IsDefaultAxes(JsonNode? value, int axis)
            => value is null
                || value is JsonValue v && v.TryGetValue<int>(out int single) && single == axis
                || value is JsonArray { Count: 1 } list && list[0] is JsonValue item && item.TryGetValue<int>(out int only) && only == axis;

        private void TranslateInitializer(JsonObject initializer, string key, string layerName)
        {
            string className = initializer["class_name"]?.ToString() ?? "?";
            if (initializer["config"] is JsonObject config)
            {
                // Keras 2's VarianceScaling 'normal' was a truncated normal; Keras 3 names it so.
                if (_kerasMajor < 3 && className == "VarianceScaling" && config["distribution"]?.ToString() == "normal")
                    config["distribution"] = "truncated_normal";
                config.Remove("dtype");
                foreach (var (axesKey, axis) in new[] { ("input_axes", -2), ("output_axes", -1) })
                {
                    if (config.TryGetPropertyValue(axesKey, out var axes) && IsDefaultAxes(axes, axis))
                        config.Remove(axesKey);
                }
            }
            // Read it alone, so that a problem is reported against the initializer rather than the layer's own arguments.
            try
            {
                ComponentRegistry.Deserialize(initializer, typeof(global::Microsoft.ML.Layers.Initializers.Initializer));
            }
            catch (FormatException e) when (e.Data[ComponentRegistry.UnknownKeysData] is string[] keys && keys.Length > 0)
            {
                var value = initializer["config"]?[keys[0]];
                throw Error(
                    $"the {className} initializer's argument '{keys[0]}' (value {value?.ToJsonString() ?? "null"}) is not supported by " +
                    $"this library" + (keys.Length > 1 ? $" (nor are {string.Join(", ", keys.Skip(1))})." : ".") +
                    (keys[0] is "input_axes" or "output_axes" ? " Only the usual fans (null) are." : ""),
                    layerName, $"{key}.{keys[0]}", e);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or KeyNotFoundException or NotSupportedException
                && e is not KerasImportException)
            {
                throw Error($"the {className} initializer cannot be read: {LoadErrors.Describe(e)}", layerName, key, e);
            }
        }

        /// <summary>Instantiates the layer alone (no weights are created) so an unknown class or argument fails here, named.</summary>
        private void Validate(JsonObject layer, string layerName)
        {
            try
            {
                var config = LayerConfig.FromJson(layer);
                config.BuildConfig = null;
                using var probe = Layer.Deserialize(config);
            }
            catch (FormatException e) when (e.Data[ComponentRegistry.UnknownKeysData] is string[] keys && keys.Length > 0)
            {
                var value = layer["config"]?[keys[0]];
                throw Error(
                    $"{layer["class_name"]} argument '{keys[0]}' (value {value?.ToJsonString() ?? "null"}) is not supported by this " +
                    $"library" +
                    (keys.Length > 1 ? $" (nor are {string.Join(", ", keys.Skip(1))})." : "."), layerName, keys[0], e);
            }
            catch (KeyNotFoundException e)
            {
                throw Error(e.Message, layerName, innerException: e);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException && e is not KerasImportException)
            {
                throw Error(e.Message, layerName, ArgumentOf(e), e);
            }
        }

        /// <summary>The config argument a constructor refused (<see cref="ArgumentException.ParamName"/> in snake_case), if any.</summary>
        private static string? ArgumentOf(Exception e)
        {
            for (Exception? inner = e; inner is not null; inner = inner.InnerException)
            {
                if (inner is ArgumentException { ParamName: { Length: > 0 } parameter })
                    return KerasJson.SnakeCase(parameter);
            }
            return null;
        }

        private static void Rename(JsonObject values, string oldKey, string newKey)
        {
            if (values.TryGetPropertyValue(oldKey, out var value) && !values.ContainsKey(newKey))
            {
                values.Remove(oldKey);
                values[newKey] = value;
            }
        }

        private static bool IsFalse(JsonNode? value) => value is null || value is JsonValue v && v.TryGetValue<bool>(out var b) && !b;

        private static bool IsNullOrEmpty(JsonNode? value) => value is null || value is JsonObject { Count: 0 };

        private KerasImportException Error(string message, string? layer = null, string? argument = null, Exception? innerException = null)
            => new(message, _file, layer, argument, innerException);
    }
}
