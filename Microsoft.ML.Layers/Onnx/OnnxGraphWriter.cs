using System;
using System.Collections.Generic;
using System.Linq;
using Onnx;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Onnx
{
    /// <summary>
    /// Writes a model's inference computation as a bare ONNX graph fragment for a host that builds the rest of the graph
    /// (ML.NET's <c>ConvertToOnnx</c>): nodes and initializers only, no graph inputs or outputs. The model's inputs are read
    /// from values the host already defined.
    /// </summary>
    internal static class OnnxGraphWriter
    {
        /// <summary>The written fragment: its nodes and initializers, the value holding each model output and its shape.</summary>
        internal sealed record Fragment(GraphProto Graph, IReadOnlyList<string> Outputs, IReadOnlyList<Shape> OutputShapes);

        /// <summary>The model's inputs as the fragment expects them: name, shape (batch axis unknown) and dtype.</summary>
        public static IReadOnlyList<(string Name, Shape Shape, ScalarType DType)> Inputs(Model model) => OnnxExporter.InputsOf(model);

        /// <summary>
        /// Writes <paramref name="model"/> reading its inputs from <paramref name="inputNames"/> (one per model input, in order,
        /// float32 for floating inputs). Every name the fragment creates starts with <paramref name="prefix"/> and differs from
        /// <paramref name="reservedNames"/>.
        /// </summary>
        /// <exception cref="NotSupportedException">A layer cannot be exported (the message names it).</exception>
        public static Fragment Write(Model model, IReadOnlyList<string> inputNames, int opset, string prefix,
            IEnumerable<string> reservedNames)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(inputNames);
            if (opset is < OnnxOpset.Minimum or > OnnxOpset.Maximum)
                throw new ArgumentOutOfRangeException(nameof(opset), opset,
                    $"The ONNX opset must be between {OnnxOpset.Minimum} and {OnnxOpset.Maximum}.");
            var inputs = OnnxExporter.InputsOf(model);
            if (inputs.Count != inputNames.Count)
                throw new ArgumentException($"Model '{model.Name}' has {inputs.Count} inputs; {inputNames.Count} ONNX values were given.",
                    nameof(inputNames));
            var context = new OnnxExportContext(opset, prefix, reservedNames.Concat(inputNames));
            using var noGrad = no_grad();
            var entry = inputs.Select((input, i) => new OnnxValue(inputNames[i], input.Shape)).ToList();
            var outputs = OnnxExporter.ExportModel(context, model, entry);
            var shapes = OnnxExporter.OutputShapes(model, inputs.Select(i => i.Shape).ToList());
            return new Fragment(context.Graph, outputs, shapes);
        }
    }
}
