using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.Layers.Samples
{
    /// <summary>
    /// The ONNX round trip every sample pipeline ends with: <c>mlContext.Model.ConvertToOnnx</c> writes the whole trained
    /// pipeline (ML.NET's transforms and the network) as <c>&lt;sample&gt;.onnx</c>, ONNX Runtime scores the held-out rows
    /// from their raw input columns, and the score column must equal ML.NET's <c>Transform</c> within 1e-5 (relative above 1).
    /// </summary>
    public static class OnnxRoundTrip
    {
        private const double Tolerance = 1e-5;

        /// <summary>Converts, scores, compares and prints one line; false when a score differs or the conversion failed.</summary>
        public static bool Check(SampleRun run, ITransformer model, IDataView test, string scoreColumn)
        {
            string path = Path.Combine(run.OutputDirectory, $"{run.Name}.onnx");
            using (var file = File.Create(path))
                run.ML.Model.ConvertToOnnx(model, test, file);
            var expected = SampleRun.Scores(model.Transform(test), scoreColumn);
            using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
            using var session = new InferenceSession(path, options);
            int rows = expected.Length / Math.Max(1, ScoreWidth(test, model, scoreColumn));
            var inputs = session.InputMetadata.Keys.Select(name => Input(test, name, rows)).ToList();
            string output = scoreColumn + ".output";
            using var results = session.Run(inputs, new[] { output });
            var actual = results[0].AsTensor<float>().ToArray();
            double worst = actual.Length == expected.Length
                ? expected.Zip(actual, (e, a) => Math.Abs(e - a) / Math.Max(1, Math.Abs(e))).DefaultIfEmpty(0).Max()
                : double.PositiveInfinity;
            bool same = worst <= Tolerance;
            Console.WriteLine($"ONNX: the pipeline converted to {path} ({new FileInfo(path).Length / 1024} KB); ONNX Runtime scores the " +
                $"{expected.Length} held-out '{scoreColumn}' values as ML.NET does: {same} (largest difference " +
                $"{worst.ToString("0.0E+0", CultureInfo.InvariantCulture)})");
            return same;
        }

        /// <summary>
        /// For a network ONNX cannot express (here: masks), prints the error its export gives, the one a user gets. (ML.NET's
        /// ConvertToOnnx of the whole detox pipeline stops earlier, at its text transforms, with an error of its own.)
        /// </summary>
        public static void ShowRefusal(Model network)
        {
            try
            {
                using var stream = new MemoryStream();
                network.ExportOnnx(stream);
                Console.WriteLine("ONNX: the network exported (it was expected to be refused).");
            }
            catch (NotSupportedException error)
            {
                Console.WriteLine($"ONNX: this network is not exportable: {error.Message}");
            }
        }

        private static int ScoreWidth(IDataView test, ITransformer model, string scoreColumn)
            => model.GetOutputSchema(test.Schema)[scoreColumn].Type is VectorDataViewType { Size: > 0 } vector ? vector.Size : 1;

        /// <summary>One graph input: the column of that name, all rows ([rows, width]: ML.NET's ONNX layout).</summary>
        private static NamedOnnxValue Input(IDataView data, string name, int rows)
        {
            var column = data.Schema.GetColumnOrNull(name) ?? throw new ArgumentException(
                $"The ONNX graph's input '{name}' is not a column of the data; columns: {string.Join(", ", data.Schema.Select(c => c.Name))}.");
            var type = column.Type is VectorDataViewType vector ? vector.ItemType : column.Type;
            int width = column.Type is VectorDataViewType { Size: > 0 } sized ? sized.Size : 1;
            int[] shape = { rows, width };
            return type switch
            {
                _ when type == NumberDataViewType.Single && width == 1 && column.Type is not VectorDataViewType
                    => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(data.GetColumn<float>(name).ToArray(), shape)),
                _ when type == NumberDataViewType.Single
                    => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(data.GetColumn<float[]>(name).SelectMany(v => v).ToArray(), shape)),
                TextDataViewType => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<string>(
                    data.GetColumn<string>(name).ToArray(), shape)),
                BooleanDataViewType => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<bool>(data.GetColumn<bool>(name).ToArray(), shape)),
                _ => throw new NotSupportedException($"The sample does not feed column '{name}' of type {column.Type} to ONNX Runtime."),
            };
        }
    }
}
