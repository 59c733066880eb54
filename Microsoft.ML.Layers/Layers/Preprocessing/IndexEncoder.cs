using System;
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
