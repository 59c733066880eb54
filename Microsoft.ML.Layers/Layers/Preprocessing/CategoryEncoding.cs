using System;
using Microsoft.ML.Layers.Onnx;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Encodes integer category indices in <c>[0, num_tokens)</c> as one-hot, multi-hot or count vectors (Keras's
    /// <c>CategoryEncoding</c>). No weights.
    /// </summary>
    /// <remarks>
    /// <para><c>one_hot</c>: each element becomes a vector of <c>num_tokens</c> values with a 1 at its index; a last axis of size 1
    /// is replaced by the encoding, otherwise a new last axis is added. <c>multi_hot</c> (the default): each sample (the last
    /// axis) becomes one vector with a 1 at every index present. <c>count</c>: as multi-hot, with the number of occurrences
    /// (inputs of rank 2 at most).</para>
    /// <para>Input: integer indices (floating inputs are truncated toward zero, as a cast does); an index outside
    /// <c>[0, num_tokens)</c> fails with an <see cref="ArgumentException"/> naming the layer, where Keras's docs promise an error.
    /// Output: the compute dtype (float32 by default).</para>
    /// <code>
    /// var encode = new CategoryEncoding(numTokens: 4, outputMode: EncodingMode.OneHot);
    /// Tensor y = encode.Apply(tensor(new long[] { 3, 2, 0, 1 }));   // (4, 4): one row per index
    /// </code>
    /// </remarks>
    [RegisterLayer("CategoryEncoding")]
    public sealed class CategoryEncoding : Layer, IOnnxExportable
    {
        /// <summary>Creates the layer.</summary>
        /// <param name="numTokens">The number of categories; indices must lie in <c>[0, numTokens)</c>.</param>
        /// <param name="outputMode">One-hot, multi-hot (default) or count; <see cref="EncodingMode.Int"/> is refused.</param>
        /// <param name="sparse">Keras's sparse output; only <see langword="false"/> is supported.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Keras's base argument (the layer has no weights).</param>
        /// <param name="dtype">The output dtype; the global policy by default.</param>
        /// <exception cref="ArgumentException">An argument Keras refuses, or <c>sparse</c>.</exception>
        public CategoryEncoding(int? numTokens = null, EncodingMode outputMode = EncodingMode.MultiHot, bool sparse = false,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            if (outputMode == EncodingMode.Int)
                throw new ArgumentException($"CategoryEncoding: unknown arg for output_mode: int. Expected \"one_hot\", \"multi_hot\" or " +
                    "\"count\".", nameof(outputMode));
            if (numTokens is null)
                throw new ArgumentException("CategoryEncoding: num_tokens must be set to use this layer. If the number of tokens is not " +
                    "known beforehand, use the IntegerLookup layer instead.", nameof(numTokens));
            if (numTokens < 1)
                throw new ArgumentException($"CategoryEncoding: `num_tokens` must be >= 1. Received: num_tokens={numTokens}.",
                    nameof(numTokens));
            if (sparse)
                throw new ArgumentException("CategoryEncoding: sparse=True (a sparse output tensor) is not supported; use sparse=False.",
                    nameof(sparse));
            NumTokens = numTokens.Value;
            OutputMode = outputMode;
            Autocast = false;
        }

        /// <summary>The number of categories (the output's last axis).</summary>
        public int NumTokens { get; }

        /// <summary>One-hot, multi-hot or count.</summary>
        public EncodingMode OutputMode { get; }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            var indices = inputs.to(ScalarType.Int64);
            if (!ShapeInference.Active && indices.numel() > 0)
            {
                long min = indices.min().item<long>(), max = indices.max().item<long>();
                if (min < 0 || max >= NumTokens)
                {
                    throw new ArgumentException($"Layer '{Name}' (CategoryEncoding): input values must be in the range 0 <= values < " +
                        $"num_tokens with num_tokens={NumTokens}. Received: values from {min} to {max}.");
                }
            }
            return IndexEncoder.Encode(indices, OutputMode, NumTokens, ComputeDType, $"Layer '{Name}' (CategoryEncoding)");
        }

        /// <summary>One-hot, multi-hot or count vectors of the input cast to int64 (see <see cref="IndexEncoder.ExportOnnx"/>).
        /// </summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
            => IndexEncoder.ExportOnnx(context, IndexEncoder.OnnxCast(context, input.Name, IndexEncoder.OnnxInt64), input.Shape, OutputMode,
                NumTokens);

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => IndexEncoder.OutputShape(inputShape, OutputMode, NumTokens);

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("num_tokens", NumTokens)
            .With("output_mode", OutputMode);
    }
}
