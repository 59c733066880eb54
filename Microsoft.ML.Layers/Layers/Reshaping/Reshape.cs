using System;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Reshapes each sample to <c>target_shape</c> (Keras's <c>Reshape</c>); one entry may be -1, inferred from the size.
    /// </summary>
    /// <remarks>
    /// No weights. Input: any shape whose per-sample size matches; output <c>(batch, *target_shape)</c>. Masks are dropped,
    /// as in Keras.
    /// <code>
    /// Tensor y = new Reshape((-1, 2, 2)).Apply(torch.randn(5, 12));   // (5, 3, 2, 2)
    /// </code>
    /// </remarks>
    [RegisterLayer("Reshape")]
    public sealed class Reshape : Layer, IOnnxExportable
    {
        /// <summary>Creates a reshape layer.</summary>
        /// <param name="targetShape">The shape of each sample, without the batch dimension; positive sizes and at most one -1.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype floating inputs are cast to; the global policy by default.</param>
        /// <exception cref="ArgumentException">More than one -1, or a size that is neither positive nor -1.</exception>
        public Reshape(IntTuple targetShape, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            var dims = targetShape.Values;
            if (dims.Count(d => d == -1) > 1)
                throw new ArgumentException($"The `target_shape` argument must not contain more than one `-1` value. Received: " +
                    $"target_shape={Format(dims)}", nameof(targetShape));
            if (dims.Any(d => d <= 0 && d != -1))
                throw new ArgumentException($"The `target_shape` argument must hold positive sizes and at most one `-1`. Received: " +
                    $"target_shape={Format(dims)}", nameof(targetShape));
            TargetShape = targetShape;
        }

        /// <summary>Creates a reshape layer from the sizes of each sample: <c>new Reshape(8, 8, 1)</c>.</summary>
        /// <exception cref="ArgumentException">More than one -1, or a size that is neither positive nor -1.</exception>
        public Reshape(params int[] targetShape) : this(new IntTuple(targetShape))
        {
        }

        /// <summary>The shape of each sample, with possibly one -1.</summary>
        public IntTuple TargetShape { get; }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            var resolved = Resolve(Shape.Of(inputs)[1..]);
            return inputs.reshape(resolved.Prepend(inputs.shape[0]).ToArray());
        }

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape)
        {
            ArgumentNullException.ThrowIfNull(inputShape);
            return Resolve(inputShape[1..]).Prepend(inputShape[0]);
        }

        /// <summary>ONNX: <c>Reshape</c> to <c>(0, *target_shape)</c> (0 keeps the batch size, a -1 is inferred as here).</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
            => context.Reshape(input.Name, TargetShape.Values.Select(d => (long)d).Prepend(0L).ToArray());

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig().With("target_shape", TargetShape);

        /// <summary>Keras's <c>compute_reshape_output_shape</c>: the target with its -1 resolved (unknown when the input is).</summary>
        private Shape Resolve(Shape sample)
        {
            var target = TargetShape.Values.Select(d => (long)d).ToArray();
            if (!sample.IsFullyDefined)
                return new Shape(target.Select(d => d == -1 ? Shape.Unknown : d));
            long size = sample.ElementCount!.Value;
            int unknownAt = Array.IndexOf(target, -1L);
            long known = target.Where(d => d != -1).Aggregate(1L, (a, b) => a * b);
            if (unknownAt < 0 ? known != size : known == 0 || size % known != 0)
            {
                throw new ArgumentException(
                    $"Layer '{Name}' (Reshape): the total size of the tensor must be unchanged. Received: input_shape={sample} " +
                    $"({size} values per sample), target_shape={Format(TargetShape.Values)}.");
            }
            if (unknownAt >= 0)
                target[unknownAt] = size / known;
            return new Shape(target);
        }

        private static string Format(int[] dims) => dims.Length == 1 ? $"({dims[0]},)" : "(" + string.Join(", ", dims) + ")";
    }
}
