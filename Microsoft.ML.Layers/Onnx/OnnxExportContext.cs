using System;
using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Onnx
{
    /// <summary>
    /// The ONNX graph a model is being exported into: what a layer's <see cref="IOnnxExportable.ExportOnnx"/> writes with.
    /// Every name it returns is unique in the graph. Helpers such as <see cref="Squeeze"/> and <see cref="Reduce"/> write the
    /// form the target <see cref="OpsetVersion"/> defines (several operators moved attributes to inputs in opsets 13 and 18).
    /// </summary>
    public sealed class OnnxExportContext
    {
        private readonly HashSet<string> _names;
        private readonly string _prefix;
        private readonly List<Layer> _layers = new();

        internal OnnxExportContext(int opsetVersion, string prefix = "", IEnumerable<string>? reservedNames = null)
        {
            OpsetVersion = opsetVersion;
            _prefix = prefix;
            _names = new HashSet<string>(reservedNames ?? Array.Empty<string>(), StringComparer.Ordinal);
        }

        /// <summary>The opset of the default ONNX domain the graph is written for.</summary>
        public int OpsetVersion { get; }

        /// <summary>The layer being exported (null between layers).</summary>
        public Layer? Layer => _layers.Count == 0 ? null : _layers[^1];

        internal GraphProto Graph { get; } = new();

        internal IDisposable EnterLayer(Layer layer)
        {
            _layers.Add(layer);
            return new ScopeExit(() => _layers.RemoveAt(_layers.Count - 1));
        }

        /// <summary>A new unique value name: <paramref name="hint"/>, qualified by the current layer's name.</summary>
        public string NewName(string hint)
        {
            var scope = string.Join("/", _layers.Select(l => l.Name));
            var baseName = _prefix + (scope.Length == 0 ? hint : scope + "/" + hint);
            var name = baseName;
            for (int i = 1; !_names.Add(name); i++)
                name = baseName + "_" + i;
            return name;
        }

        internal void Reserve(string name)
        {
            if (!_names.Add(name))
                throw new InvalidOperationException($"The ONNX value name '{name}' is used twice.");
        }

        /// <summary>Adds a node with one output; returns the output's name. An empty input name is an omitted optional input.</summary>
        public string Node(string opType, params string[] inputs) => Node(opType, inputs, null);

        /// <summary>Adds a node with one output and attributes; returns the output's name.</summary>
        public string Node(string opType, IReadOnlyList<string> inputs, OnnxAttributes? attributes)
            => Nodes(opType, inputs, 1, attributes)[0];

        /// <summary>Adds a node with <paramref name="outputCount"/> outputs; returns their names.</summary>
        public IReadOnlyList<string> Nodes(string opType, IReadOnlyList<string> inputs, int outputCount, OnnxAttributes? attributes = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(opType);
            ArgumentNullException.ThrowIfNull(inputs);
            if (outputCount < 1)
                throw new ArgumentOutOfRangeException(nameof(outputCount), outputCount, "A node has at least one output.");
            var outputs = Enumerable.Range(0, outputCount).Select(_ => NewName(opType)).ToArray();
            var node = new NodeProto { OpType = opType, Name = outputs[0] };
            node.Input.AddRange(inputs);
            node.Output.AddRange(outputs);
            if (attributes is not null)
                node.Attribute.AddRange(attributes);
            Graph.Node.Add(node);
            return outputs;
        }

        /// <summary>A float32 initializer holding a copy of <paramref name="tensor"/> (any floating dtype, any device).</summary>
        public string Weight(Tensor tensor, string? hint = null)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            using var scope = NewDisposeScope();
            var values = tensor.detach().cpu().to(ScalarType.Float32).contiguous().data<float>().ToArray();
            return Constant(values, tensor.shape, hint ?? "weight");
        }

        /// <summary>A float32 constant of shape <paramref name="dimensions"/>.</summary>
        public string Constant(float[] values, long[] dimensions, string hint = "const")
        {
            ArgumentNullException.ThrowIfNull(values);
            ArgumentNullException.ThrowIfNull(dimensions);
            if (dimensions.Aggregate(1L, (a, b) => a * b) != values.LongLength)
                throw new ArgumentException($"The constant has {values.Length} values, its shape ({string.Join(", ", dimensions)}) holds " +
                    $"{dimensions.Aggregate(1L, (a, b) => a * b)}.", nameof(values));
            var tensor = new TensorProto { Name = NewName(hint), DataType = (int)TensorProto.Types.DataType.Float };
            tensor.Dims.AddRange(dimensions);
            var bytes = new byte[values.Length * sizeof(float)];
            Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
            tensor.RawData = ByteString.CopyFrom(bytes);
            Graph.Initializer.Add(tensor);
            return tensor.Name;
        }

        /// <summary>A float32 scalar constant.</summary>
        public string Constant(float value) => Constant(new[] { value }, Array.Empty<long>(), "scalar");

        /// <summary>A one-dimensional int64 constant (shapes, axes, sizes).</summary>
        public string Int64s(params long[] values) => Int64Constant(values, new[] { (long)values.Length });

        /// <summary>An int64 scalar constant.</summary>
        public string Int64(long value) => Int64Constant(new[] { value }, Array.Empty<long>());

        private string Int64Constant(long[] values, long[] dimensions)
        {
            var tensor = new TensorProto { Name = NewName("ints"), DataType = (int)TensorProto.Types.DataType.Int64 };
            tensor.Dims.AddRange(dimensions);
            tensor.Int64Data.AddRange(values);
            Graph.Initializer.Add(tensor);
            return tensor.Name;
        }

        /// <summary><c>Reshape</c> to <paramref name="shape"/> (0 keeps that axis's size, -1 is inferred).</summary>
        public string Reshape(string input, params long[] shape) => Node("Reshape", input, Int64s(shape));

        /// <summary><c>Transpose</c> with the permutation <paramref name="permutation"/>.</summary>
        public string Transpose(string input, params long[] permutation)
            => Node("Transpose", new[] { input }, new OnnxAttributes { { "perm", permutation } });

        /// <summary><c>Squeeze</c> of <paramref name="axes"/> (an attribute before opset 13, an input since).</summary>
        public string Squeeze(string input, params long[] axes) => AxesNode("Squeeze", input, axes, 13, null);

        /// <summary><c>Unsqueeze</c> at <paramref name="axes"/> (an attribute before opset 13, an input since).</summary>
        public string Unsqueeze(string input, params long[] axes) => AxesNode("Unsqueeze", input, axes, 13, null);

        /// <summary>
        /// A reduction (<c>ReduceSum</c>, <c>ReduceMean</c>, <c>ReduceMax</c>, <c>ReduceMin</c>, <c>ReduceProd</c>, ...) over
        /// <paramref name="axes"/>; <c>ReduceSum</c> takes its axes as an input since opset 13, the others since opset 18.
        /// </summary>
        public string Reduce(string opType, string input, long[] axes, bool keepDims)
        {
            if (!opType.StartsWith("Reduce", StringComparison.Ordinal))
                throw new ArgumentException($"'{opType}' is not a reduction.", nameof(opType));
            int axesAsInputSince = opType == "ReduceSum" ? 13 : 18;
            return AxesNode(opType, input, axes, axesAsInputSince, new OnnxAttributes { { "keepdims", keepDims ? 1 : 0 } });
        }

        private string AxesNode(string opType, string input, long[] axes, int axesAsInputSince, OnnxAttributes? attributes)
        {
            if (OpsetVersion >= axesAsInputSince)
                return Node(opType, new[] { input, Int64s(axes) }, attributes);
            var withAxes = new OnnxAttributes { { "axes", axes } };
            foreach (var attribute in attributes ?? new OnnxAttributes())
                withAxes.Add(attribute);
            return Node(opType, new[] { input }, withAxes);
        }

        /// <summary><c>Split</c> along <paramref name="axis"/> into parts of <paramref name="sizes"/> (an attribute before
        /// opset 13, an input since).</summary>
        public IReadOnlyList<string> Split(string input, long axis, params long[] sizes)
        {
            var attributes = new OnnxAttributes { { "axis", axis } };
            if (OpsetVersion >= 13)
                return Nodes("Split", new[] { input, Int64s(sizes) }, sizes.Length, attributes);
            attributes.Add("split", sizes);
            return Nodes("Split", new[] { input }, sizes.Length, attributes);
        }

        /// <summary>Writes <paramref name="activation"/> applied to <paramref name="input"/>; returns the output.</summary>
        /// <exception cref="NotSupportedException">A custom activation (only the built-in ones have an ONNX form).</exception>
        public string Activation(string input, Activation activation) => ActivationOnnx.Export(this, input, activation);

        /// <summary>The exception to throw when the current layer's configuration cannot be written as ONNX.</summary>
        public NotSupportedException Unsupported(string reason)
        {
            var layer = Layer;
            return new NotSupportedException(layer is null
                ? $"Cannot export to ONNX: {reason}"
                : $"Layer '{layer.Name}' ({layer.GetType().Name}) cannot be exported to ONNX: {reason}");
        }
    }
}
