using System;
using System.IO;
using Google.Protobuf;
using Microsoft.ML.Layers.Onnx;

namespace Microsoft.ML.Layers
{
    public partial class Model
    {
        /// <summary>
        /// Writes the model for inference as an ONNX file (what <c>Apply(x, training: false)</c> computes), runnable in ONNX
        /// Runtime and other engines. Inputs are named after the model's input layers, outputs after its output layers; the
        /// batch axis is dynamic. Weights are written in float32. The file is written to a temporary name first.
        /// </summary>
        /// <param name="path">The <c>.onnx</c> file to write.</param>
        /// <param name="opset">The ONNX opset, from <see cref="OnnxOpset.Minimum"/> to <see cref="OnnxOpset.Maximum"/>.</param>
        /// <exception cref="NotSupportedException">A layer cannot be exported (the message names it and says why; see
        /// docs/onnx.md for the exportable layers).</exception>
        /// <exception cref="InvalidOperationException">A Sequential model that was never built (its input shape is unknown).</exception>
        public void ExportOnnx(string path, int opset = OnnxOpset.Default)
        {
            ArgumentNullException.ThrowIfNull(path);
            var proto = OnnxExporter.Export(this, opset);
            WriteAtomically(path, stream => proto.WriteTo(stream));
        }

        /// <summary>Writes the ONNX model of <see cref="ExportOnnx(string, int)"/> to a stream.</summary>
        public void ExportOnnx(Stream stream, int opset = OnnxOpset.Default)
        {
            ArgumentNullException.ThrowIfNull(stream);
            OnnxExporter.Export(this, opset).WriteTo(stream);
        }
    }
}
