using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using Onnx;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Onnx
{
    /// <summary>
    /// Writes models into an <see cref="OnnxExportContext"/>: Sequential models layer by layer, functional models node by node
    /// (dependencies first), nested models inline; each layer through its <see cref="IOnnxExportable"/> or
    /// <see cref="IOnnxMultiExportable"/>.
    /// </summary>
    internal static class OnnxExporter
    {
        /// <summary>The whole ONNX model of <paramref name="model"/>: named inputs with a dynamic batch axis, named outputs.</summary>
        public static ModelProto Export(Model model, int opset)
        {
            ArgumentNullException.ThrowIfNull(model);
            if (opset is < OnnxOpset.Minimum or > OnnxOpset.Maximum)
                throw new ArgumentOutOfRangeException(nameof(opset), opset,
                    $"The ONNX opset must be between {OnnxOpset.Minimum} and {OnnxOpset.Maximum} (default {OnnxOpset.Default}).");
            var inputs = InputsOf(model);
            var outputNames = UniqueNames(OutputLayerNames(model), inputs.Select(i => i.Name));
            var context = new OnnxExportContext(opset, reservedNames: inputs.Select(i => i.Name).Concat(outputNames));
            var graph = context.Graph;
            graph.Name = model.Name;
            using var noGrad = no_grad();
            foreach (var (name, shape, dtype) in inputs)
                graph.Input.Add(ValueInfo(name, shape, ElementType(dtype, $"input '{name}'"), name));

            var entry = inputs.Select(i => new OnnxValue(EntryCast(context, i.Name, i.DType), i.Shape)).ToList();
            var results = ExportModel(context, model, entry);
            var outputShapes = OutputShapes(model, inputs.Select(i => i.Shape).ToList());
            for (int i = 0; i < results.Count; i++)
            {
                var node = new NodeProto { OpType = "Identity", Name = outputNames[i] + "/identity" };
                node.Input.Add(results[i]);
                node.Output.Add(outputNames[i]);
                graph.Node.Add(node);
                graph.Output.Add(ValueInfo(outputNames[i], outputShapes[i], TensorProto.Types.DataType.Float, outputNames[i]));
            }

            var proto = new ModelProto
            {
                IrVersion = OnnxOpset.IrVersion(opset),
                ProducerName = "Microsoft.ML.Layers",
                ProducerVersion = typeof(Model).Assembly.GetName().Version?.ToString() ?? "",
                Graph = graph,
            };
            proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
            return proto;
        }

        /// <summary>Writes <paramref name="model"/>'s computation of <paramref name="inputs"/> (one value per model input);
        /// returns its outputs' value names.</summary>
        public static IReadOnlyList<string> ExportModel(OnnxExportContext context, Model model, IReadOnlyList<OnnxValue> inputs)
        {
            if (model is Sequential sequential)
            {
                var x = inputs.Single();
                RefuseMasks(context, sequential, x.Shape);
                foreach (var layer in sequential.Layers)
                {
                    var output = ExportLayer(context, layer, new[] { x }, singleInput: true).Single();
                    x = new OnnxValue(output, layer.ComputeOutputShape(x.Shape));
                }
                return new[] { x.Name };
            }
            var graph = model.Graph ?? throw SubclassedModel(model);
            var values = new Dictionary<Tensor, OnnxValue>(ReferenceEqualityComparer.Instance);
            for (int i = 0; i < graph.Inputs.Count; i++)
                values[graph.Inputs[i]] = inputs[i];
            foreach (var node in graph.Nodes)
            {
                if (node.Inputs.Any(t => KerasMask.Get(t) is not null))
                {
                    using var entered = context.EnterLayer(node.Layer);
                    throw context.Unsupported("its input carries a mask (from Masking, Embedding(maskZero: true) or a layer's " +
                        "ComputeMask), and masks are not exported to ONNX. Export a model without masking.");
                }
                var nodeInputs = node.Inputs.Select(t => values[t]).ToList();
                var outputs = ExportLayer(context, node.Layer, nodeInputs, node.SingleInput);
                if (outputs.Count != node.Outputs.Length)
                    throw new InvalidOperationException($"Layer '{node.Layer.Name}' wrote {outputs.Count} ONNX outputs for its " +
                        $"{node.Outputs.Length} outputs.");
                for (int i = 0; i < outputs.Count; i++)
                    values[node.Outputs[i]] = new OnnxValue(outputs[i], KerasTensor.ShapeOf(node.Outputs[i]));
            }
            return graph.Outputs.Select(t => values[t].Name).ToList();
        }

        /// <summary>
        /// A Sequential model records no graph, so whether a layer attaches a mask (a custom layer's <c>ComputeMask</c>) shows
        /// only when it runs: the model runs once on a one-row batch of zeros, and a mask reaching a next layer fails the export
        /// naming that layer. A probe that cannot run (a shape the zeros do not suit) decides nothing.
        /// </summary>
        private static void RefuseMasks(OnnxExportContext context, Sequential sequential, Shape inputShape)
        {
            Layer? producer = null, consumer = null;
            try
            {
                using var scope = NewDisposeScope();
                var dims = inputShape.Select((d, i) => d >= 0 ? d : i == 0 ? 1 : 2).ToArray();
                var x = zeros(dims, sequential.InputLayerOrNull?.DType ?? ScalarType.Float32);
                foreach (var layer in sequential.Layers)
                {
                    if (KerasMask.Get(x) is not null)
                    {
                        consumer = layer;
                        break;
                    }
                    x = layer.Apply(x, training: false, mask: null);
                    producer = layer;
                }
            }
            catch (Exception error) when (error is ArgumentException or InvalidOperationException or ExternalException)
            {
                return;
            }
            if (consumer is not null)
            {
                using var entered = context.EnterLayer(consumer);
                throw context.Unsupported($"its input carries the mask layer '{producer!.Name}' ({producer.GetType().Name}) attaches, " +
                    "and masks are not exported to ONNX. Export a model without masking.");
            }
        }

        /// <summary>Writes one layer call (a nested model inline).</summary>
        public static IReadOnlyList<string> ExportLayer(OnnxExportContext context, Layer layer, IReadOnlyList<OnnxValue> inputs,
            bool singleInput)
        {
            using var entered = context.EnterLayer(layer);
            switch (layer)
            {
                case IOnnxMultiExportable multi:
                    return multi.ExportOnnx(context, inputs);
                case IOnnxExportable single when inputs.Count == 1:
                    return new[] { single.ExportOnnx(context, inputs[0]) };
                case Model nested:
                    return ExportModel(context, nested, inputs);
                case InputLayer:
                    return new[] { inputs.Single().Name };
                default:
                    throw context.Unsupported(layer is IOnnxExportable
                        ? $"it takes one input and was called with {inputs.Count}."
                        : "it has no ONNX form. A custom layer takes part in the export by implementing " +
                          "Microsoft.ML.Layers.Onnx.IOnnxExportable (see docs/onnx.md).");
            }
        }

        internal static List<(string Name, Shape Shape, ScalarType DType)> InputsOf(Model model)
        {
            if (model is Sequential sequential)
            {
                var shape = sequential.BuildShapes?.FirstOrDefault() ?? throw new InvalidOperationException(
                    $"Sequential model '{model.Name}' is not built, so the shape of its input is unknown: start it with an Input " +
                    "(new Sequential(Input.Create(...), ...)) or call it on data once before exporting.");
                var dtype = sequential.InputLayerOrNull?.DType ?? ScalarType.Float32;
                var name = sequential.InputLayerOrNull?.Name ?? "input";
                return new() { (name, shape.With(0, Shape.Unknown), dtype) };
            }
            if (model.Graph is null)
                throw SubclassedModel(model);
            return model.Graph.InputLayers.Select(l => (l.Name, l.BatchShape.With(0, Shape.Unknown), l.DType)).ToList();
        }

        private static NotSupportedException SubclassedModel(Model model) => new(
            $"Model '{model.Name}' ({model.GetType().Name}) cannot be exported to ONNX: it is a subclassed model (its computation " +
            "is C# code, not a graph). Implement IOnnxExportable on it, or build it as a Sequential or functional model.");

        private static List<string> OutputLayerNames(Model model)
        {
            if (model is Sequential sequential)
                return new() { sequential.Layers[^1].Name };
            return model.Graph!.Outputs.Select(t => KerasTensor.TryInfo(t, out var info) && info.Node is { } node ? node.Layer.Name
                : "output").ToList();
        }

        internal static List<Shape> OutputShapes(Model model, List<Shape> inputShapes)
        {
            if (model is Sequential sequential)
                return new() { sequential.ComputeOutputShape(inputShapes[0]) };
            return model.Graph!.Outputs.Select(KerasTensor.ShapeOf).ToList();
        }

        private static List<string> UniqueNames(List<string> names, IEnumerable<string> taken)
        {
            var used = new HashSet<string>(taken, StringComparer.Ordinal);
            return names.Select(name =>
            {
                var unique = name;
                for (int i = 1; !used.Add(unique); i++)
                    unique = $"{name}_{i}";
                return unique;
            }).ToList();
        }

        /// <summary>Floating inputs other than float32 are cast to it (the exported weights are float32).</summary>
        private static string EntryCast(OnnxExportContext context, string input, ScalarType dtype)
            => dtype is ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16
                ? context.Node("Cast", new[] { input }, new OnnxAttributes { { "to", (long)TensorProto.Types.DataType.Float } })
                : input;

        internal static TensorProto.Types.DataType ElementType(ScalarType dtype, string what) => dtype switch
        {
            ScalarType.Float32 => TensorProto.Types.DataType.Float,
            ScalarType.Float64 => TensorProto.Types.DataType.Double,
            ScalarType.Float16 => TensorProto.Types.DataType.Float16,
            ScalarType.BFloat16 => TensorProto.Types.DataType.Bfloat16,
            ScalarType.Int32 => TensorProto.Types.DataType.Int32,
            ScalarType.Int64 => TensorProto.Types.DataType.Int64,
            ScalarType.Bool => TensorProto.Types.DataType.Bool,
            ScalarType.Byte => TensorProto.Types.DataType.Uint8,
            _ => throw new NotSupportedException($"The {what} has dtype {dtype}, which the ONNX export does not support."),
        };

        private static ValueInfoProto ValueInfo(string name, Shape shape, TensorProto.Types.DataType type, string dimensionPrefix)
        {
            var tensorShape = new TensorShapeProto();
            for (int i = 0; i < shape.Rank; i++)
            {
                tensorShape.Dim.Add(shape[i] >= 0
                    ? new TensorShapeProto.Types.Dimension { DimValue = shape[i] }
                    : new TensorShapeProto.Types.Dimension { DimParam = i == 0 ? "batch" : $"{dimensionPrefix}_dim{i}" });
            }
            return new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = tensorShape } },
            };
        }
    }
}
