using System;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Keras's <c>numerical_utils.encode_categorical_inputs</c>: turns integer indices into one-hot, multi-hot or count
    /// vectors of a given depth. Indices outside <c>[0, depth)</c> contribute nothing (TensorFlow's one-hot and bincount drop
    /// them; <see cref="IntegerLookup"/> relies on it to drop masked elements).
    /// </summary>
    internal static class IndexEncoder
    {
        /// <summary>The output shape of <see cref="Encode"/> for an input shape.</summary>
        public static Shape OutputShape(Shape input, EncodingMode mode, long depth)
        {
            if (mode == EncodingMode.Int)
                return input;
            if (input.Rank == 0)
                return new Shape(depth);
            if (mode == EncodingMode.OneHot && (input[^1] != 1 || input.Rank == 1))
                return input.Append(depth);
            return input.With(input.Rank - 1, depth);
        }

        /// <summary>ONNX's float32 element type, for <c>Cast</c>.</summary>
        public const long OnnxFloat = (long)global::Onnx.TensorProto.Types.DataType.Float;

        /// <summary>ONNX's int64 element type, for <c>Cast</c>.</summary>
        public const long OnnxInt64 = (long)global::Onnx.TensorProto.Types.DataType.Int64;

        /// <summary>An ONNX <c>Cast</c> of <paramref name="x"/> to <paramref name="type"/>.</summary>
        public static string OnnxCast(OnnxExportContext context, string x, long type)
            => context.Node("Cast", new[] { x }, new OnnxAttributes { { "to", type } });

        /// <summary>
        /// The ONNX form of <see cref="Encode"/> for an int64 value of static shape <paramref name="shape"/> (batch included):
        /// <c>Equal</c> with <c>0..depth-1</c> (indices outside contribute nothing, as in <see cref="Encode"/>), then the maximum
        /// (multi-hot) or sum (count) over the tokens axis; float32. Int mode gives the indices as float32, since the exported
        /// graph's outputs are float32 (the values are exact integers below 2^24).
        /// </summary>
        public static string ExportOnnx(OnnxExportContext context, string indices, Shape shape, EncodingMode mode, long depth)
        {
            if (mode == EncodingMode.Int)
                return OnnxCast(context, indices, OnnxFloat);
            var x = indices;
            int rank = shape.Rank;
            if (mode == EncodingMode.OneHot && rank >= 2 && shape[^1] == 1)
            {
                x = context.Squeeze(x, -1);
                rank--;
            }
            if (mode == EncodingMode.Count && rank > 2)
                throw context.Unsupported($"output_mode 'count' takes inputs of rank 2 or less. Received input shape {shape}.");
            var tokens = context.Int64s(Enumerable.Range(0, checked((int)depth)).Select(i => (long)i).ToArray());
            var hot = OnnxCast(context, context.Node("Equal", context.Unsqueeze(x, -1), tokens), OnnxFloat);
            return mode switch
            {
                EncodingMode.OneHot => hot,
                EncodingMode.MultiHot => context.Reduce("ReduceMax", hot, new[] { -2L }, keepDims: false),
                _ => context.Reduce("ReduceSum", hot, new[] { -2L }, keepDims: false),
            };
        }

        /// <summary>Encodes <paramref name="indices"/> (an integer tensor) as <paramref name="mode"/> says, in
        /// <paramref name="dtype"/>.</summary>
        /// <exception cref="ArgumentException">Count mode on inputs of rank above 2, as in Keras.</exception>
        public static Tensor Encode(Tensor indices, EncodingMode mode, long depth, ScalarType dtype, string layer)
        {
            if (mode == EncodingMode.Int)
                return indices.to(dtype);
            var x = indices.to(ScalarType.Int64);
            if (x.dim() == 0)
                x = x.unsqueeze(0);
            else if (mode == EncodingMode.OneHot && x.dim() >= 2 && x.shape[^1] == 1)
                x = x.squeeze(-1);
            if (mode == EncodingMode.Count && x.dim() > 2)
            {
                throw new ArgumentException($"{layer}: when output_mode is 'count', the input rank must be 2 or less. Received input " +
                    $"shape {Shape.Of(indices)}.");
            }
            var valid = x.ge(Scalars.IntZero).logical_and(x.lt(tensor(depth)));
            var hot = nn.functional.one_hot(where(valid, x, zeros_like(x)), depth).mul(valid.unsqueeze(-1));
            if (mode == EncodingMode.OneHot)
            {
                // A scalar input encodes to (depth,), as Keras's compute_output_shape says.
                return (indices.dim() == 0 ? hot.squeeze(0) : hot).to(dtype);
            }
            var summed = hot.sum(-2);
            return (mode == EncodingMode.MultiHot ? summed.gt(Scalars.IntZero) : summed).to(dtype);
        }
    }
}
