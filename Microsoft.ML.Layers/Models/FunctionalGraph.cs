using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The graph of a functional model: its input layers, the nodes (layer calls) between inputs and outputs in an order
    /// where every node comes after the nodes it depends on, and the Keras config layout of that graph.
    /// </summary>
    internal sealed class FunctionalGraph
    {
        private FunctionalGraph(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<InputLayer> inputLayers,
            IReadOnlyList<Node> nodes)
        {
            Inputs = inputs;
            Outputs = outputs;
            InputLayers = inputLayers;
            Nodes = nodes;
            var layers = new List<Layer>(inputLayers);
            var seen = new HashSet<Layer>(inputLayers, ReferenceEqualityComparer.Instance);
            _nodesByLayer = new Dictionary<Layer, List<Node>>(ReferenceEqualityComparer.Instance);
            foreach (var node in nodes)
            {
                if (seen.Add(node.Layer))
                    layers.Add(node.Layer);
                if (!_nodesByLayer.TryGetValue(node.Layer, out var own))
                    _nodesByLayer[node.Layer] = own = new List<Node>();
                own.Add(node);
            }
            _nodeSet = new HashSet<Node>(nodes);
            _inputLayerSet = new HashSet<Layer>(inputLayers, ReferenceEqualityComparer.Instance);
            Layers = layers;
        }

        // Lookups that keep writing a config linear in the number of layers.
        private readonly Dictionary<Layer, List<Node>> _nodesByLayer;
        private readonly HashSet<Node> _nodeSet;
        private readonly HashSet<Layer> _inputLayerSet;

        public IReadOnlyList<Tensor> Inputs { get; }

        public IReadOnlyList<Tensor> Outputs { get; }

        public IReadOnlyList<InputLayer> InputLayers { get; }

        /// <summary>The layer calls, dependencies first; input layers' nodes are not included.</summary>
        public IReadOnlyList<Node> Nodes { get; }

        /// <summary>Every layer once: the input layers, then the others in the order of their first node.</summary>
        public IReadOnlyList<Layer> Layers { get; }

        /// <summary>Builds the graph between <paramref name="inputs"/> and <paramref name="outputs"/>, checking it is connected.</summary>
        public static FunctionalGraph Build(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, string modelName)
        {
            if (inputs.Count == 0 || outputs.Count == 0)
                throw new ArgumentException($"Model '{modelName}' needs at least one input and one output.");
            var inputLayers = new List<InputLayer>();
            foreach (var (input, i) in inputs.Select((t, i) => (t, i)))
            {
                if (!KerasTensor.TryInfo(input, out var info) || info.Node?.Layer is not InputLayer inputLayer)
                {
                    throw new ArgumentException(
                        $"Model '{modelName}': input {i} must be a tensor from Input.Create(...). " +
                        (KerasTensor.IsSymbolic(input) ? $"It was produced by layer '{KerasTensor.Info(input).Node?.Layer.Name}'."
                            : "It is a concrete tensor."));
                }
                if (inputLayers.Contains(inputLayer))
                    throw new ArgumentException($"Model '{modelName}': input '{inputLayer.Name}' is listed twice.");
                inputLayers.Add(inputLayer);
            }

            var ordered = new List<Node>();
            var done = new HashSet<Node>();
            var visiting = new HashSet<Node>();
            // The node that produced `tensor` when it still has to be visited; null for inputs and visited nodes.
            Node? Enter(Tensor tensor, Layer? consumer)
            {
                if (!KerasTensor.TryInfo(tensor, out var info) || info.Node is null)
                    throw new ArgumentException($"Model '{modelName}': layer '{consumer?.Name}' received a tensor that is not part of a " +
                        $"functional graph.");
                var node = info.Node;
                if (node.Layer is InputLayer inputLayer)
                {
                    if (!inputLayers.Contains(inputLayer))
                    {
                        throw new ArgumentException(
                            $"Graph disconnected in model '{modelName}': cannot obtain the value of input '{inputLayer.Name}' needed by " +
                            $"layer '{consumer?.Name}'. Add it to the model's inputs. Model inputs: " +
                            $"{string.Join(", ", inputLayers.Select(l => l.Name))}.");
                    }
                    return null;
                }
                if (done.Contains(node))
                    return null;
                if (!visiting.Add(node))
                    throw new InvalidOperationException($"Model '{modelName}': the graph has a cycle through layer '{node.Layer.Name}'.");
                return node;
            }

            // Depth-first, dependencies first, with an explicit stack: a chain of many thousand layers must not overflow the
            // call stack.
            void Visit(Tensor tensor, Layer? consumer)
            {
                var stack = new Stack<(Node Node, int Next)>();
                if (Enter(tensor, consumer) is Node first)
                    stack.Push((first, 0));
                while (stack.Count > 0)
                {
                    var (node, next) = stack.Pop();
                    if (next < node.Inputs.Length)
                    {
                        stack.Push((node, next + 1));
                        if (Enter(node.Inputs[next], node.Layer) is Node child)
                            stack.Push((child, 0));
                        continue;
                    }
                    visiting.Remove(node);
                    done.Add(node);
                    ordered.Add(node);
                }
            }

            foreach (var output in outputs)
                Visit(output, null);
            return new FunctionalGraph(inputs.ToList(), outputs.ToList(), inputLayers, ordered);
        }

        /// <summary>Runs the graph on concrete inputs; returns the outputs with their masks.</summary>
        public (IReadOnlyList<Tensor> Outputs, IReadOnlyList<Tensor?> Masks) Run(IReadOnlyList<Tensor> inputs, bool? training,
            IReadOnlyList<Tensor?> masks, string modelName)
        {
            if (inputs.Count != Inputs.Count)
            {
                throw new ArgumentException(
                    $"Model '{modelName}' expects {Inputs.Count} input(s) " +
                    $"({string.Join(", ", InputLayers.Select(l => $"'{l.Name}' {l.BatchShape}"))}), but received {inputs.Count}.");
            }
            var values = new Dictionary<Tensor, (Tensor Value, Tensor? Mask)>(ReferenceEqualityComparer.Instance);
            for (int i = 0; i < inputs.Count; i++)
            {
                var inputLayer = InputLayers[i];
                var value = inputs[i];
                var shape = Shape.Of(value);
                if (!inputLayer.BatchShape.IsCompatibleWith(shape))
                {
                    throw new ArgumentException(
                        $"Input {i} of model '{modelName}' ('{inputLayer.Name}') is incompatible with the model: expected shape " +
                        $"{inputLayer.BatchShape}, found shape {shape}.");
                }
                if (value.dtype != inputLayer.DType && (DTypes.IsFloating(value.dtype) || DTypes.IsFloating(inputLayer.DType)))
                    value = value.to(inputLayer.DType);
                values[Inputs[i]] = (value, masks[i] ?? KerasMask.Get(inputs[i]));
            }

            foreach (var node in Nodes)
            {
                var nodeInputs = node.Inputs.Select(t => values[t]).ToList();
                // A call recorded with training=false (Keras's base_model(x, training=False)) stays in inference, as in Keras.
                bool? nodeTraining = node.Training ?? training;
                var outputs = node.SingleInput
                    ? node.Layer.ApplyAll(nodeInputs[0].Value, nodeTraining, nodeInputs[0].Mask)
                    : node.Layer.ApplyAll(nodeInputs.Select(v => v.Value).ToList(), nodeTraining, nodeInputs.Select(v => v.Mask).ToList());
                for (int i = 0; i < node.Outputs.Length; i++)
                    values[node.Outputs[i]] = (outputs[i], KerasMask.Get(outputs[i]));
            }
            var results = Outputs.Select(t => values[t]).ToList();
            return (results.Select(r => r.Value).ToList(), results.Select(r => r.Mask).ToList());
        }

        // ---------------------------------------------------------------------------------------------------------
        // Keras's functional config: "layers" (each with "inbound_nodes"), "input_layers", "output_layers".

        /// <summary>The node index of <paramref name="node"/> among its layer's nodes that belong to this graph.</summary>
        private int LocalNodeIndex(Node node)
        {
            var ownNodes = node.Layer.InboundNodes
                .Where(n => n.Layer is InputLayer ? _inputLayerSet.Contains(n.Layer) : _nodeSet.Contains(n))
                .ToList();
            return ownNodes.IndexOf(node);
        }

        private JsonArray History(Tensor tensor)
        {
            var info = KerasTensor.Info(tensor);
            return new JsonArray(info.Node!.Layer.Name, LocalNodeIndex(info.Node), info.OutputIndex);
        }

        private JsonObject KerasTensorJson(Tensor tensor)
        {
            var info = KerasTensor.Info(tensor);
            return new JsonObject
            {
                ["class_name"] = "__keras_tensor__",
                ["config"] = new JsonObject
                {
                    ["shape"] = KerasJson.ToNode(info.Shape, "shape"),
                    ["dtype"] = DTypes.ToKerasName(info.DType),
                    ["keras_history"] = History(tensor),
                },
            };
        }

        /// <summary>Writes the graph into <paramref name="config"/> in Keras 3's layout.</summary>
        public void WriteConfig(LayerConfig config)
        {
            var layers = new JsonArray();
            foreach (var layer in Layers)
            {
                var layerJson = layer.GetConfig().ToJson();
                layerJson["name"] = layer.Name;
                var inbound = new JsonArray();
                foreach (var node in _nodesByLayer.GetValueOrDefault(layer) ?? new List<Node>())
                {
                    JsonNode args = node.SingleInput
                        ? new JsonArray(KerasTensorJson(node.Inputs[0]))
                        : new JsonArray(new JsonArray(node.Inputs.Select(t => (JsonNode)KerasTensorJson(t)).ToArray()));
                    var kwargs = new JsonObject();
                    if (node.Training is bool recorded)
                        kwargs["training"] = recorded;
                    inbound.Add(new JsonObject { ["args"] = args, ["kwargs"] = kwargs });
                }
                layerJson["inbound_nodes"] = inbound;
                layers.Add(layerJson);
            }
            config.With("layers", layers);
            config.With("input_layers", new JsonArray(Inputs.Select(t => (JsonNode)History(t)).ToArray()));
            config.With("output_layers", new JsonArray(Outputs.Select(t => (JsonNode)History(t)).ToArray()));
        }

        /// <summary>
        /// Rebuilds the symbolic graph described by a functional config (Keras 3's <c>args</c>/<c>keras_history</c> layout
        /// or Keras 2's nested-list layout): creates each layer, then calls layers on their inputs as those become available.
        /// </summary>
        public static (IReadOnlyList<Tensor> Inputs, IReadOnlyList<Tensor> Outputs) ReadConfig(LayerConfig config)
        {
            var layers = new Dictionary<string, Layer>(StringComparer.Ordinal);
            try
            {
                return ReadConfig(config, layers);
            }
            catch
            {
                // A failed load leaves no weights behind: dispose the layers built so far.
                foreach (var layer in layers.Values)
                    layer.Dispose();
                throw;
            }
        }

        private static (IReadOnlyList<Tensor> Inputs, IReadOnlyList<Tensor> Outputs) ReadConfig(LayerConfig config,
            Dictionary<string, Layer> layers)
        {
            string modelName = config.Name ?? "model";
            var layersJson = config.Get<JsonArray>("layers");
            var pending = new List<(Layer Layer, string Name, Queue<InboundCall> Calls)>();
            foreach (var (item, i) in layersJson.Select((n, i) => (n, i)))
            {
                if (item is not JsonObject layerJson)
                    throw new FormatException($"Model '{modelName}': layers[{i}] must be an object.");
                var layerConfig = LayerConfig.FromJson(layerJson);
                // A layer in a graph is built by its calls; its own build_config would only duplicate that work.
                layerConfig.BuildConfig = null;
                var layer = Layer.Deserialize(layerConfig);
                string name = layerJson["name"] is JsonValue n && n.TryGetValue<string>(out var s) ? s : layer.Name;
                if (!layers.TryAdd(name, layer))
                {
                    layer.Dispose();
                    throw new FormatException($"Model '{modelName}': two layers are named '{name}'.");
                }
                pending.Add((layer, name, new Queue<InboundCall>(InboundCall.Parse(layerJson["inbound_nodes"], layer, name, modelName))));
            }

            var created = new Dictionary<(string Layer, int Node, int Tensor), Tensor>();
            // Keras 2 (tf.keras, TensorFlow.js) numbers the calls of a nested graph network (a functional model, or a Sequential
            // model with its own input) from 1: its node 0 is the model's own input-to-output node, never written
            // (_should_skip_first_node in tf.keras's functional.py). Keras 3's layout numbers every call from 0.
            bool keras2Layout = layersJson.OfType<JsonObject>().Any(l => l["inbound_nodes"] is JsonArray nodes
                && nodes.Any(n => n is JsonArray));
            var nodeCounts = layers.ToDictionary(p => p.Key, p => keras2Layout && IsGraphNetwork(p.Value) ? 1 : 0);
            foreach (var (name, layer) in layers)
            {
                if (layer is InputLayer inputLayer)
                {
                    created[(name, 0, 0)] = inputLayer.Output;
                    nodeCounts[name] = 1;
                }
            }

            // Call layers whose inputs exist, until every call is made (Keras processes nodes the same way). A layer whose
            // next call lacks a tensor waits for that tensor, so each call is looked at a bounded number of times.
            var ready = new Queue<int>(Enumerable.Range(0, pending.Count));
            var waiting = new Dictionary<(string Layer, int Node, int Tensor), List<int>>();
            while (ready.Count > 0)
            {
                int index = ready.Dequeue();
                var (layer, name, calls) = pending[index];
                while (calls.Count > 0)
                {
                    var missingKey = calls.Peek().Tensors.FirstOrDefault(k => !created.ContainsKey(k));
                    if (missingKey.Layer is not null)
                    {
                        if (!waiting.TryGetValue(missingKey, out var waiters))
                            waiting[missingKey] = waiters = new List<int>();
                        waiters.Add(index);
                        break;
                    }
                    var call = calls.Dequeue();
                    var inputs = call.Tensors.Select(k => created[k]).ToList();
                    var outputs = call.SingleInput ? layer.ApplyAll(inputs[0]) : layer.ApplyAll(inputs);
                    if (call.Training is bool recorded && KerasTensor.TryInfo(outputs[0], out var produced) && produced.Node is not null)
                        produced.Node.Training = recorded;
                    int nodeIndex = nodeCounts[name]++;
                    for (int t = 0; t < outputs.Count; t++)
                    {
                        created[(name, nodeIndex, t)] = outputs[t];
                        if (waiting.Remove((name, nodeIndex, t), out var woken))
                            woken.ForEach(ready.Enqueue);
                    }
                }
            }
            var stuck = pending.FirstOrDefault(q => q.Calls.Count > 0);
            if (stuck.Layer is not null)
            {
                var missing = stuck.Calls.Peek().Tensors.First(k => !created.ContainsKey(k));
                throw new FormatException($"Model '{modelName}': layer '{stuck.Name}' needs the output {missing.Tensor} of node " +
                    $"{missing.Node} of layer '{missing.Layer}', which the config never produces.");
            }

            IReadOnlyList<Tensor> Endpoints(string key)
            {
                var node = config.Get<JsonNode>(key);
                var triples = node is JsonArray array && array.Count > 0 && array[0] is JsonValue ? new JsonArray(array.DeepClone())
                    : node as JsonArray
                    ?? throw new FormatException($"Model '{modelName}': '{key}' must be a list.");
                return triples.Select((t, i) =>
                {
                    var k = InboundCall.Triple(t, $"{modelName}.{key}[{i}]");
                    return created.TryGetValue(k, out var tensor) ? tensor
                        : throw new FormatException($"Model '{modelName}': '{key}' names output {k.Tensor} of node {k.Node} of layer " +
                            $"'{k.Layer}', which does not exist.");
                }).ToList();
            }

            return (Endpoints("input_layers"), Endpoints("output_layers"));
        }

        /// <summary>Whether Keras 2 numbers this nested layer's calls from 1 (tf.keras's <c>_should_skip_first_node</c>).</summary>
        private static bool IsGraphNetwork(Layer layer) => layer is Sequential sequential ? sequential.Built : layer is Model;

        /// <summary>One inbound node of a layer in a config: the tensors it is called on, and its recorded <c>training</c>.</summary>
        private sealed record InboundCall(IReadOnlyList<(string Layer, int Node, int Tensor)> Tensors, bool SingleInput)
        {
            /// <summary><see langword="false"/> when the call was recorded with <c>training: false</c>; otherwise null.</summary>
            public bool? Training { get; init; }

            /// <summary>
            /// Applies a node's call keyword arguments: <c>use_causal_mask</c> becomes the attention layer's property (every node of
            /// the layer must agree); <c>training</c> and <c>mask</c> as null are Keras's defaults, and <c>training: false</c> (returned)
            /// is replayed as inference. Anything else cannot be replayed from a config and is refused rather than ignored.
            /// </summary>
            private static bool? ApplyCallArguments(Layer layer, JsonObject? kwargs, string where, ref bool? causalSeen)
            {
                bool? training = null;
                if (kwargs is null)
                    return training;
                foreach (var (key, value) in kwargs)
                {
                    switch (key)
                    {
                        case "training" or "mask" or "attention_mask" when value is null:
                            break;
                        // Keras 3 records training=False (a call-signature default, or base_model(x, training=False)): inference.
                        case "training" when value is JsonValue flag && flag.TryGetValue<bool>(out bool recorded) && !recorded:
                            training = false;
                            break;
                        case "use_causal_mask" when value is JsonValue flag && flag.TryGetValue<bool>(out bool causal):
                            if (layer is not ICausalMasking attention)
                                throw new FormatException($"{where}: layer '{layer.Name}' ({layer.GetType().Name}) has no call argument " +
                                    $"'use_causal_mask'.");
                            if (causalSeen is bool seen && seen != causal)
                                throw new FormatException($"{where}: the calls of layer '{layer.Name}' disagree on 'use_causal_mask', " +
                                    $"which this library sets per layer.");
                            attention.UseCausalMask = causal;
                            causalSeen = causal;
                            break;
                        default:
                            throw new FormatException(
                                $"{where}: the call argument '{key}' (value {value?.ToJsonString() ?? "null"}) of layer '{layer.Name}' " +
                                $"is not supported in a saved graph; this library replays only tensors, use_causal_mask, " +
                                $"training false or null, and null masks.");
                    }
                }
                return training;
            }

            public static List<InboundCall> Parse(JsonNode? inboundNodes, Layer layer, string layerName, string modelName)
            {
                var calls = new List<InboundCall>();
                bool? causalSeen = null;
                if (inboundNodes is null)
                    return calls;
                if (inboundNodes is not JsonArray nodes)
                    throw new FormatException($"Model '{modelName}': 'inbound_nodes' of layer '{layerName}' must be a list.");
                foreach (var (node, i) in nodes.Select((n, i) => (n, i)))
                {
                    string where = $"{modelName}.{layerName}.inbound_nodes[{i}]";
                    switch (node)
                    {
                        // Keras 3: {"args": [tensor] or [[tensor, ...]], "kwargs": {...}}.
                        case JsonObject keras3:
                            var args = keras3["args"] as JsonArray ?? throw new FormatException($"{where}: 'args' must be a list.");
                            if (args.Count == 0)
                                throw new FormatException($"{where}: a node needs at least one input tensor.");
                            bool? training = ApplyCallArguments(layer, keras3["kwargs"] as JsonObject, where, ref causalSeen);
                            if (args[0] is JsonArray list)
                                calls.Add(new InboundCall(list.Select((t, j) => KerasTensorHistory(t, $"{where}.args[0][{j}]")).ToList(),
                                    SingleInput: false) { Training = training });
                            else
                            {
                                // Several positional tensors (MultiHeadAttention's query, value, key) make one list input.
                                var positional = args.Select((t, j) => KerasTensorHistory(t, $"{where}.args[{j}]")).ToList();
                                calls.Add(new InboundCall(positional, SingleInput: positional.Count == 1) { Training = training });
                            }
                            break;
                        // Keras 2: [[layer, node, tensor, kwargs], ...].
                        case JsonArray keras2:
                            bool? recordedTraining = null;
                            foreach (var (entry, j) in keras2.Select((t, j) => (t, j)))
                            {
                                var entryKwargs = entry is JsonArray { Count: > 3 } e ? e[3] as JsonObject : null;
                                bool? entryTraining = ApplyCallArguments(layer, entryKwargs, $"{where}[{j}]", ref causalSeen);
                                recordedTraining ??= entryTraining;
                            }
                            var tensors = keras2.Select((t, j) => Triple(t, $"{where}[{j}]")).ToList();
                            calls.Add(new InboundCall(tensors, SingleInput: tensors.Count == 1) { Training = recordedTraining });
                            break;
                        default:
                            throw new FormatException($"{where}: expected a node description.");
                    }
                }
                return calls;
            }

            private static (string, int, int) KerasTensorHistory(JsonNode? tensor, string where)
            {
                if (tensor is JsonObject obj && obj["config"]?["keras_history"] is JsonNode history)
                    return Triple(history, where + ".keras_history");
                throw new FormatException($"{where}: expected a __keras_tensor__ with a keras_history.");
            }

            public static (string Layer, int Node, int Tensor) Triple(JsonNode? node, string where)
            {
                if (node is JsonArray array && array.Count >= 3)
                {
                    string layer = (string)KerasJson.FromNode(array[0], typeof(string), where + "[0]")!;
                    int nodeIndex = (int)KerasJson.FromNode(array[1], typeof(int), where + "[1]")!;
                    int tensorIndex = (int)KerasJson.FromNode(array[2], typeof(int), where + "[2]")!;
                    return (layer, nodeIndex, tensorIndex);
                }
                throw new FormatException($"{where}: expected [layer_name, node_index, tensor_index]. Received: " +
                    $"{node?.ToJsonString() ?? "null"}");
            }
        }
    }
}
