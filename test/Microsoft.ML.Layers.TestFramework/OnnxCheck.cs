using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace Microsoft.ML.Layers.TestFramework
{
    /// <summary>
    /// Runs exported ONNX models in ONNX Runtime (an engine independent of this library) and compares their outputs with what
    /// the model computes in TorchSharp.
    /// </summary>
    public static class OnnxCheck
    {
        /// <summary>The model's ONNX bytes.</summary>
        public static byte[] Export(Model model, int opset = OnnxOpset.Default)
        {
            using var stream = new MemoryStream();
            model.ExportOnnx(stream, opset);
            return stream.ToArray();
        }

        /// <summary>Runs <paramref name="onnx"/> in ONNX Runtime on named inputs (float32, float64, int32 or int64 tensors);
        /// returns every output as a float32 tensor, in the graph's output order.</summary>
        public static IReadOnlyList<(string Name, Tensor Value)> Run(byte[] onnx, IReadOnlyList<(string Name, Tensor Value)> inputs)
        {
            using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
            using var session = new InferenceSession(onnx, options);
            var values = inputs.Select(i => ToOrt(i.Name, i.Value)).ToList();
            using var results = session.Run(values);
            return results.Select(r => (r.Name, FromOrt(r))).ToList();
        }

        /// <summary>
        /// Exports <paramref name="model"/>, runs it in ONNX Runtime on <paramref name="inputs"/> and asserts every output equals
        /// <c>model.ApplyAll(inputs, training: false)</c> within <c>atol + rtol * |expected|</c>. Returns the ONNX bytes.
        /// </summary>
        public static byte[] MatchesModel(Model model, IReadOnlyList<Tensor> inputs, double rtol = 1e-4, double atol = 1e-5,
            int opset = OnnxOpset.Default)
        {
            var onnx = Export(model, opset);
            using var scope = NewDisposeScope();
            var expected = inputs.Count == 1 ? model.ApplyAll(inputs[0], training: false) : model.ApplyAll(inputs, training: false);
            var names = InputNames(onnx);
            var actual = Run(onnx, names.Zip(inputs, (n, t) => (n, t)).ToList());
            if (actual.Count != expected.Count)
                throw new Xunit.Sdk.XunitException($"ONNX has {actual.Count} outputs, the model {expected.Count}.");
            for (int i = 0; i < expected.Count; i++)
                TensorAssert.Close(expected[i], actual[i].Value, rtol, atol, $"ONNX output '{actual[i].Name}' (opset {opset})");
            return onnx;
        }

        /// <inheritdoc cref="MatchesModel(Model, IReadOnlyList{Tensor}, double, double, int)"/>
        public static byte[] MatchesModel(Model model, Tensor input, double rtol = 1e-4, double atol = 1e-5, int opset = OnnxOpset.Default)
            => MatchesModel(model, new[] { input }, rtol, atol, opset);

        /// <summary>The graph's input names, in order.</summary>
        public static IReadOnlyList<string> InputNames(byte[] onnx)
        {
            using var session = new InferenceSession(onnx);
            return session.InputNames.ToList();
        }

        /// <summary>The graph's output names, in order.</summary>
        public static IReadOnlyList<string> OutputNames(byte[] onnx)
        {
            using var session = new InferenceSession(onnx);
            return session.OutputNames.ToList();
        }

        private static NamedOnnxValue ToOrt(string name, Tensor tensor)
        {
            var dims = tensor.shape.Select(d => (int)d).ToArray();
            using var cpu = tensor.detach().cpu().contiguous();
            return cpu.dtype switch
            {
                ScalarType.Float32 => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(cpu.data<float>().ToArray(), dims)),
                ScalarType.Float64 => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<double>(cpu.data<double>().ToArray(), dims)),
                ScalarType.Int64 => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(cpu.data<long>().ToArray(), dims)),
                ScalarType.Int32 => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<int>(cpu.data<int>().ToArray(), dims)),
                _ => throw new ArgumentException($"Input '{name}' has dtype {cpu.dtype}, which OnnxCheck does not feed."),
            };
        }

        private static Tensor FromOrt(DisposableNamedOnnxValue value)
        {
            switch (value.Value)
            {
                case DenseTensor<float> floats:
                    return tensor(floats.Buffer.ToArray(), floats.Dimensions.ToArray().Select(d => (long)d).ToArray());
                case DenseTensor<long> longs:
                    return tensor(longs.Buffer.ToArray().Select(v => (float)v).ToArray(), longs.Dimensions.ToArray().Select(d => (long)d).ToArray());
                case DenseTensor<double> doubles:
                    return tensor(doubles.Buffer.ToArray().Select(v => (float)v).ToArray(), doubles.Dimensions.ToArray().Select(d => (long)d).ToArray());
                default:
                    throw new ArgumentException($"Output '{value.Name}' is a {value.Value?.GetType().Name}, which OnnxCheck does not read.");
            }
        }
    }
}
