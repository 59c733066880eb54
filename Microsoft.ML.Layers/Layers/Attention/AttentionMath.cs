using System;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Onnx;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>The pieces the attention layers share: Keras's causal mask, softmax and dropout on the torch backend.</summary>
    internal static class AttentionMath
    {
        /// <summary>Keras's causal mask: <c>(1, queryLength, valueLength)</c>, true where the value position is not after the query
        /// position.</summary>
        public static Tensor CausalMask(long queryLength, long valueLength, Device device)
            => ones(queryLength, valueLength, ScalarType.Bool, device).tril().unsqueeze(0);

        /// <summary>
        /// The complement of the causal mask as ONNX: a boolean <c>(Tq, Tv)</c>, true where the value step is after the query step
        /// (<c>j &gt; i</c>), built from the steps' positions (<c>Range</c> over axis 1 of each input, <c>Greater</c>), so the step
        /// counts may be dynamic. It broadcasts against scores <c>(batch, [heads,] Tq, Tv)</c>.
        /// </summary>
        public static string ExportCausalFuture(OnnxExportContext context, string query, string value)
        {
            string Positions(string x)
            {
                var steps = context.Node("Gather", new[] { context.Node("Shape", x), context.Int64(1) },
                    new OnnxAttributes { { "axis", 0 } });
                return context.Node("Range", context.Int64(0), steps, context.Int64(1));
            }
            var queryPositions = context.Unsqueeze(Positions(query), 1);
            var valuePositions = context.Unsqueeze(Positions(value), 0);
            return context.Node("Greater", valuePositions, queryPositions);
        }

        /// <summary>A cast to float32 in ONNX.</summary>
        public static string ExportToFloat(OnnxExportContext context, string x)
            => context.Node("Cast", new[] { x }, new OnnxAttributes { { "to", (long)TensorProto.Types.DataType.Float } });

        /// <summary>Keras's softmax on the torch backend: float16 is computed in float32 (libtorch's CPU softmax lacks it) and cast
        /// back.</summary>
        public static Tensor Softmax(Tensor x, long dim)
            => x.dtype == ScalarType.Float16 ? x.to(ScalarType.Float32).softmax(dim).to(ScalarType.Float16) : x.softmax(dim);

        /// <summary>
        /// Keras's dropout in training: libtorch's dropout for an unseeded layer; for a seeded one, a keep mask drawn from the
        /// layer's own generator (kept values scaled by <c>1 / (1 - rate)</c>), so runs repeat.
        /// </summary>
        public static Tensor Dropout(Tensor x, double rate, Generator? generator)
        {
            if (generator is null)
                return nn.functional.dropout(x, rate, training: true);
            double keep = 1.0 - rate;
            var draw = rand(x.shape, x.dtype == ScalarType.Float16 || x.dtype == ScalarType.BFloat16 ? ScalarType.Float32 : x.dtype,
                x.device, generator: generator);
            return where(draw.LtScalar(keep), x.DivScalar(keep), zeros_like(x));
        }

        /// <summary>A generator for a layer's dropout seed, or null for an unseeded layer.</summary>
        public static Generator? GeneratorFor(int? seed) => Sampling.GeneratorFor(seed);

        /// <summary>An argument exception naming the layer.</summary>
        public static ArgumentException Error(Layer layer, string message)
            => new($"Layer '{layer.Name}' ({layer.GetType().Name}): {message}");
    }
}
