using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.Layers.Samples
{
    /// <summary>
    /// The taxi pipeline converted to ONNX (<c>mlContext.Model.ConvertToOnnx</c>) and scored by ONNX Runtime: one
    /// <see cref="InferenceSession"/> shared by every request (its <c>Run</c> is thread-safe). The graph's inputs are the
    /// pipeline's input columns, one row of shape [1, 1] each; the answer is the graph's <c>Score</c> output.
    /// </summary>
    public sealed class OnnxFareScorer : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly (string Name, int[] Shape, Func<TaxiTrip, object> Value)[] _inputs;
        private readonly string[] _outputs;

        public OnnxFareScorer(byte[] onnxModel)
        {
            // One thread per run: a server's parallelism comes from concurrent requests, not from inside one tiny graph.
            // Errors only: ONNX Runtime warns that ML.NET's one-hot outputs declare [-1, 1, n] where it infers [-1, n] (it
            // merges them leniently; those intermediate outputs are not read here).
            using var options = new SessionOptions
            {
                IntraOpNumThreads = 1, InterOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
            };
            _session = new InferenceSession(onnxModel, options);
            _inputs = _session.InputMetadata.Select(input => (input.Key, input.Value.Dimensions.Select(d => d < 0 ? 1 : d).ToArray(),
                Getter(input.Key))).ToArray();
            // ML.NET names a column's final value "<column>.output" (older converters: the column's own name).
            string score = _session.OutputMetadata.Keys.FirstOrDefault(k => k == "Score.output")
                ?? _session.OutputMetadata.Keys.FirstOrDefault(k => k == "Score")
                ?? throw new ArgumentException("The ONNX model has no Score output. Expected 'Score.output' or 'Score'; received: " +
                    string.Join(", ", _session.OutputMetadata.Keys));
            _outputs = new[] { score };
        }

        /// <summary>The graph's inputs as <c>name type[shape]</c>, for the console.</summary>
        public IReadOnlyList<string> Inputs => _session.InputMetadata
            .Select(i => $"{i.Key} {i.Value.ElementType.Name}[{string.Join(",", i.Value.Dimensions)}]").ToArray();

        /// <summary>The graph's output read as the score.</summary>
        public string ScoreOutput => _outputs[0];

        public float Score(TaxiTrip trip)
        {
            var inputs = _inputs.Select(input => input.Value(trip) switch
            {
                string text => NamedOnnxValue.CreateFromTensor(input.Name, new DenseTensor<string>(new[] { text }, input.Shape)),
                float number => NamedOnnxValue.CreateFromTensor(input.Name, new DenseTensor<float>(new[] { number }, input.Shape)),
                var other => throw new NotSupportedException(
                    $"Input '{input.Name}': expected a string or float, received {other.GetType()}."),
            }).ToList();
            using var results = _session.Run(inputs, _outputs);
            return results[0].AsTensor<float>().GetValue(0);
        }

        /// <summary>The trip's property of the same name as the graph input (the pipeline's input columns are its properties).</summary>
        private static Func<TaxiTrip, object> Getter(string inputName)
        {
            var property = typeof(TaxiTrip).GetProperty(inputName)
                ?? throw new ArgumentException($"The ONNX model's input '{inputName}' is not a column of {nameof(TaxiTrip)}. " +
                    "Expected one of: " +
                    string.Join(", ", typeof(TaxiTrip).GetProperties().Select(p => p.Name)));
            return trip => property.GetValue(trip)!;
        }

        public void Dispose() => _session.Dispose();
    }
}
