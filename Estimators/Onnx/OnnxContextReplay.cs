using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Model.OnnxConverter;
using Onnx;

namespace Microsoft.ML.Layers.Estimators
{
    /// <summary>
    /// Copies an ONNX graph fragment written by the core exporter into ML.NET's <see cref="OnnxContext"/>: initializers through
    /// <c>AddInitializer</c>, nodes through <c>CreateNode</c> with their attributes, every value renamed to a name the context
    /// hands out (so nothing collides with the values of the pipeline's other steps).
    /// </summary>
    internal static class OnnxContextReplay
    {
        /// <summary>
        /// Replays <paramref name="graph"/>; its values named in <paramref name="bound"/> (the fragment's inputs) keep the context
        /// variables given there. Returns the context's name of every value of the fragment.
        /// </summary>
        /// <exception cref="NotSupportedException">An initializer type or attribute type ML.NET's context cannot write.</exception>
        public static IReadOnlyDictionary<string, string> Replay(OnnxContext ctx, GraphProto graph,
            IReadOnlyDictionary<string, string> bound)
        {
            var names = new Dictionary<string, string>(bound, StringComparer.Ordinal) { [""] = "" };
            foreach (var initializer in graph.Initializer)
                names[initializer.Name] = AddInitializer(ctx, initializer);
            foreach (var node in graph.Node)
            {
                var inputs = node.Input.Select(name => names.TryGetValue(name, out var mapped) ? mapped
                    : throw new InvalidOperationException($"ONNX node '{node.Name}' ({node.OpType}) reads '{name}', which no " +
                        "earlier node or initializer of the network writes.")).ToList();
                var outputs = new List<string>(node.Output.Count);
                foreach (var output in node.Output)
                {
                    var mapped = output.Length == 0 ? "" : ctx.AddIntermediateVariable(null, output, skip: true);
                    names[output] = mapped;
                    outputs.Add(mapped);
                }
                var created = ctx.CreateNode(node.OpType, inputs, outputs, ctx.GetNodeName(node.OpType), node.Domain ?? "");
                foreach (var attribute in node.Attribute)
                    AddAttribute(created, node, attribute);
            }
            return names;
        }

        /// <summary>Adds a constant; ML.NET's context writes rank-0 tensors only through its single-value overloads.</summary>
        private static string AddInitializer(OnnxContext ctx, TensorProto tensor)
        {
            var dims = tensor.Dims.ToArray();
            switch ((TensorProto.Types.DataType)tensor.DataType)
            {
                case TensorProto.Types.DataType.Float:
                {
                    float[] values = tensor.RawData.Length > 0
                        ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray()
                        : tensor.FloatData.ToArray();
                    return dims.Length == 0 ? ctx.AddInitializer(values.Single(), tensor.Name)
                        : ctx.AddInitializer(values, dims, tensor.Name);
                }
                case TensorProto.Types.DataType.Int64:
                {
                    long[] values = tensor.RawData.Length > 0
                        ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(tensor.RawData.Span).ToArray()
                        : tensor.Int64Data.ToArray();
                    return dims.Length == 0 ? ctx.AddInitializer(values.Single(), tensor.Name)
                        : ctx.AddInitializer(values, dims, tensor.Name);
                }
                default:
                    throw new NotSupportedException($"The network's ONNX constant '{tensor.Name}' has element type " +
                        $"{(TensorProto.Types.DataType)tensor.DataType}; ML.NET's ONNX converter takes float and int64 constants from it.");
            }
        }

        private static void AddAttribute(OnnxNode created, NodeProto node, AttributeProto attribute)
        {
            switch (attribute.Type)
            {
                case AttributeProto.Types.AttributeType.Int:
                    created.AddAttribute(attribute.Name, attribute.I);
                    break;
                case AttributeProto.Types.AttributeType.Ints:
                    created.AddAttribute(attribute.Name, attribute.Ints.ToArray());
                    break;
                case AttributeProto.Types.AttributeType.Float:
                    created.AddAttribute(attribute.Name, (double)attribute.F);
                    break;
                case AttributeProto.Types.AttributeType.Floats:
                    created.AddAttribute(attribute.Name, attribute.Floats.ToArray());
                    break;
                case AttributeProto.Types.AttributeType.String:
                    created.AddAttribute(attribute.Name, attribute.S.ToStringUtf8());
                    break;
                case AttributeProto.Types.AttributeType.Strings:
                    created.AddAttribute(attribute.Name, attribute.Strings.Select(s => s.ToStringUtf8()).ToArray());
                    break;
                default:
                    throw new NotSupportedException($"ONNX node '{node.Name}' ({node.OpType}) of the network has attribute " +
                        $"'{attribute.Name}' of type {attribute.Type}; ML.NET's ONNX converter writes int, float and string attributes " +
                        "and lists of them.");
            }
        }
    }
}
