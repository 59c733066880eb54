using System.Collections.Generic;

namespace Microsoft.ML.Layers.Onnx
{
    /// <summary>
    /// A layer with one input and one output that can write itself into an ONNX graph (<see cref="Model.ExportOnnx(string, int)"/>).
    /// Built-in layers implement it; a user layer implements it to take part in the export.
    /// </summary>
    /// <remarks>
    /// The implementation writes the inference computation (what <c>Call</c> computes with <c>training: false</c>) with the
    /// context's node and weight helpers and returns the name of its output value:
    /// <code>
    /// string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
    ///     => context.Node("Mul", input.Name, context.Constant(Factor));
    /// </code>
    /// Throw <see cref="System.NotSupportedException"/> (naming the layer and the reason) for a configuration that ONNX cannot
    /// express.
    /// </remarks>
    public interface IOnnxExportable
    {
        /// <summary>Writes the layer's inference computation of <paramref name="input"/>; returns the output value's name.</summary>
        string ExportOnnx(OnnxExportContext context, OnnxValue input);
    }

    /// <summary>
    /// A layer with several inputs or outputs (merge layers, attention, recurrent layers returning states) that can write
    /// itself into an ONNX graph. Layers with one input and one output implement <see cref="IOnnxExportable"/> instead.
    /// </summary>
    public interface IOnnxMultiExportable
    {
        /// <summary>Writes the layer's inference computation of <paramref name="inputs"/> (in call order); returns the output
        /// values' names in the order the layer returns its outputs.</summary>
        IReadOnlyList<string> ExportOnnx(OnnxExportContext context, IReadOnlyList<OnnxValue> inputs);
    }
}
