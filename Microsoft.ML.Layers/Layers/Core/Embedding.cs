using System;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Onnx;
using Microsoft.ML.Layers.Regularizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Turns non-negative integer indices into dense vectors of a fixed size (Keras's <c>Embedding</c>): each index
    /// <c>i</c> becomes row <c>i</c> of the <c>embeddings</c> matrix.
    /// </summary>
    /// <remarks>
    /// <para>Weight: <c>embeddings</c> of shape <c>(input_dim, output_dim)</c>. Input: indices of any shape and any integer
    /// dtype (floating inputs holding whole numbers are accepted and truncated to integers, as Keras casts them); every index
    /// must be in <c>[0, input_dim)</c>. Output: the input shape followed by <c>output_dim</c>, in the compute dtype.</para>
    /// <para>With <c>mask_zero</c>, index 0 is padding: the output mask is <c>inputs != 0</c> and the layer supports masking;
    /// without it the layer produces no mask (and drops an incoming one).</para>
    /// <para>Floating inputs are not cast to the compute dtype (Keras's <c>autocast=False</c>), so an index such as 301
    /// survives a bfloat16 policy.</para>
    /// <code>
    /// var embedding = new Embedding(inputDim: 1000, outputDim: 64, maskZero: true);
    /// Tensor y = embedding.Apply(torch.tensor(new long[,] { { 4, 20, 0 } }));   // (1, 3, 64); mask [[true, true, false]]
    /// </code>
    /// </remarks>
    [RegisterLayer("Embedding")]
    public class Embedding : Layer, IOnnxExportable
    {
        private Parameter? _embeddings;

        /// <summary>Creates an embedding layer.</summary>
        /// <param name="inputDim">The vocabulary size: the largest index plus one; positive.</param>
        /// <param name="outputDim">The size of each vector; positive.</param>
        /// <param name="embeddingsInitializer">Default <c>uniform</c>: <c>RandomUniform(-0.05, 0.05)</c>.</param>
        /// <param name="embeddingsRegularizer">Penalty on the embeddings.</param>
        /// <param name="activityRegularizer">Penalty on the output.</param>
        /// <param name="embeddingsConstraint">Projection of the embeddings after each optimizer step.</param>
        /// <param name="maskZero">Whether index 0 is padding to be masked.</param>
        /// <param name="inputLength">Keras 2's deprecated argument; accepted so Keras 2 configs load, and ignored, as Keras 3 does.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the embeddings are trained.</param>
        /// <param name="dtype">The dtype of the embeddings and the output; the global policy by default.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputDim"/> or <paramref name="outputDim"/> is not
        /// positive.</exception>
        public Embedding(int inputDim, int outputDim, Initializer? embeddingsInitializer = null, Regularizer? embeddingsRegularizer = null,
            Regularizer? activityRegularizer = null, Constraint? embeddingsConstraint = null, bool maskZero = false,
            int? inputLength = null,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            InputDim = Arguments.Positive(inputDim, "input_dim");
            OutputDim = Arguments.Positive(outputDim, "output_dim");
            EmbeddingsInitializer = embeddingsInitializer ?? Initializer.RandomUniform();
            EmbeddingsRegularizer = embeddingsRegularizer;
            ActivityRegularizer = activityRegularizer;
            EmbeddingsConstraint = embeddingsConstraint;
            MaskZero = maskZero;
            SupportsMasking = maskZero;
            Autocast = false;
            _ = inputLength;
        }

        /// <summary>The vocabulary size.</summary>
        public int InputDim { get; }

        /// <summary>The size of each embedding vector.</summary>
        public int OutputDim { get; }

        /// <summary>The embeddings' initializer.</summary>
        public Initializer EmbeddingsInitializer { get; }

        /// <summary>The embeddings' regularizer, if any.</summary>
        public Regularizer? EmbeddingsRegularizer { get; }

        /// <summary>The embeddings' constraint, if any.</summary>
        public Constraint? EmbeddingsConstraint { get; }

        /// <summary>Whether index 0 is masked.</summary>
        public bool MaskZero { get; }

        /// <summary>The embeddings, <c>(input_dim, output_dim)</c>; null before build.</summary>
        public Parameter? Embeddings => _embeddings;

        /// <summary>Indices of any sequence length are accepted after build: the last axis is not the features.</summary>
        protected override bool DerivesInputSpecFromBuildShape => false;

        /// <inheritdoc />
        protected override void Build(Shape inputShape)
            => _embeddings = AddWeight("embeddings", new Shape(InputDim, OutputDim), EmbeddingsInitializer,
                regularizer: EmbeddingsRegularizer, constraint: EmbeddingsConstraint);

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            // Keras casts other dtypes to integers (floats are truncated); libtorch's index_select takes int64 here.
            var indices = inputs.dtype == ScalarType.Int64 ? inputs : inputs.to(ScalarType.Int64);
            if (indices.numel() > 0)
            {
                long lowest = indices.min().item<long>();
                long highest = indices.max().item<long>();
                if (lowest < 0 || highest >= InputDim)
                {
                    long bad = lowest < 0 ? lowest : highest;
                    throw new ArgumentException(
                        $"Layer '{Name}' (Embedding): index {bad} is out of range; indices must be in [0, {InputDim}) " +
                        $"(input_dim={InputDim}). Received inputs of shape {Shape.Of(inputs)} with values from {lowest} to {highest}.",
                        nameof(inputs));
                }
            }
            var rows = _embeddings!.index_select(0, indices.flatten());
            var outputShape = new long[inputs.ndim + 1];
            Array.Copy(inputs.shape, outputShape, inputs.ndim);
            outputShape[^1] = OutputDim;
            return rows.reshape(outputShape).to(ComputeDType);
        }

        /// <summary>Keras's mask: <c>inputs != 0</c> with <c>mask_zero</c>, else none.</summary>
        public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => MaskZero ? inputs.ne(Scalars.IntZero) : null;

        /// <summary><c>Gather</c> of the embedding rows at the input cast to int64 (floats truncated, as in <see cref="Call"/>).
        /// </summary>
        /// <exception cref="NotSupportedException"><see cref="MaskZero"/>: masks are not exported.</exception>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
        {
            if (MaskZero)
                throw context.Unsupported("mask_zero=true produces a mask, and masks are not exported.");
            var indices = IndexEncoder.OnnxCast(context, input.Name, IndexEncoder.OnnxInt64);
            return context.Node("Gather", new[] { context.Weight(_embeddings!, "embeddings"), indices },
                new OnnxAttributes { { "axis", 0L } });
        }

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape)
        {
            ArgumentNullException.ThrowIfNull(inputShape);
            return inputShape.Append(OutputDim);
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("input_dim", InputDim)
            .With("output_dim", OutputDim)
            .With("embeddings_initializer", EmbeddingsInitializer)
            .With("embeddings_regularizer", EmbeddingsRegularizer)
            .With("activity_regularizer", ActivityRegularizer)
            .With("embeddings_constraint", EmbeddingsConstraint)
            .With("mask_zero", MaskZero);
    }
}
