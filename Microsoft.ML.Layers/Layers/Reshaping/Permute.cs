using System;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Permutes the non-batch axes of the input (Keras's <c>Permute</c>); <c>dims</c> counts from 1, so <c>(2, 1)</c> swaps
    /// the two axes after the batch.
    /// </summary>
    /// <remarks>
    /// No weights. Input of rank <c>len(dims) + 1</c>; output axis <c>i</c> (after the batch) is input axis <c>dims[i]</c>.
    /// Masks are dropped, as in Keras.
    /// <code>
    /// Tensor y = new Permute((2, 1)).Apply(torch.randn(4, 10, 64));   // (4, 64, 10)
    /// </code>
    /// </remarks>
    [RegisterLayer("Permute")]
    public sealed class Permute : Layer, IOnnxExportable
    {
        /// <summary>Creates a permute layer.</summary>
        /// <param name="dims">A permutation of 1..n (the batch axis is 0 and stays first).</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype floating inputs are cast to; the global policy by default.</param>
        /// <exception cref="ArgumentException"><paramref name="dims"/> is not a permutation of 1..n.</exception>
        public Permute(IntTuple dims, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            var values = dims.Values;
            if (!values.OrderBy(d => d).SequenceEqual(Enumerable.Range(1, values.Length)))
            {
                throw new ArgumentException(
                    "Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` must be consecutive and start " +
                    "from 1. " +
                    $"Received dims={dims}", nameof(dims));
            }
            Dims = dims;
            InputSpec = new InputSpec { NDim = values.Length + 1 };
        }

        /// <summary>The permutation, counting from 1.</summary>
        public IntTuple Dims { get; }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
            => inputs.permute(Dims.Values.Select(d => (long)d).Prepend(0L).ToArray());

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape)
        {
            ArgumentNullException.ThrowIfNull(inputShape);
            return new Shape(Dims.Values.Select(d => inputShape[d]).Prepend(inputShape[0]));
        }

        /// <summary>ONNX: <c>Transpose</c> with <c>(0, *dims)</c>.</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
            => context.Transpose(input.Name, Dims.Values.Select(d => (long)d).Prepend(0L).ToArray());

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig().With("dims", Dims);
    }
}
