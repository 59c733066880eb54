using System;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Regularizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// An <see cref="Embedding"/> that can also project back from the embedding space to the vocabulary (Keras's
    /// <c>ReversibleEmbedding</c>, for language models with tied input and output embeddings).
    /// </summary>
    /// <remarks>
    /// <para>Called forwards (<see cref="Layer.Apply(Tensor, bool?, Tensor?)"/>) it is an <see cref="Embedding"/>: indices
    /// to vectors, with the mask of <c>mask_zero</c>. Called in reverse (<see cref="Reverse"/>, Keras's
    /// <c>call(inputs, reverse=True)</c>) it maps hidden states <c>(..., output_dim)</c> to logits <c>(..., input_dim)</c>:
    /// <c>logits = inputs · embeddingsᵀ</c> with <c>tie_weights</c> (the default), else
    /// <c>inputs · reverse_embeddings</c>; with <c>logit_soft_cap</c> <c>c</c>, <c>logits = tanh(logits / c) · c</c>. The
    /// reverse call computes in <c>reverse_dtype</c> when given (and returns that dtype), else in the compute dtype; it
    /// carries no mask and has no bias.</para>
    /// <para>Weights: <c>embeddings</c> <c>(input_dim, output_dim)</c>; without <c>tie_weights</c> also the trainable
    /// <c>reverse_embeddings</c> <c>(output_dim, input_dim)</c>, drawn from the embeddings' initializer.</para>
    /// <para>The reverse call is a per-call argument: a model (functional graph or <see cref="Sequential"/>) records no
    /// per-call arguments, so <see cref="Reverse"/> takes concrete tensors only (call it from a subclassed model's
    /// <c>Call</c>), and a Keras model file whose graph calls the layer with <c>reverse=True</c> is refused when read.</para>
    /// <code>
    /// var embedding = new ReversibleEmbedding(inputDim: 100, outputDim: 32);
    /// Tensor hidden = embedding.Apply(tokenIds);    // (batch, steps, 32)
    /// Tensor logits = embedding.Reverse(hidden);    // (batch, steps, 100)
    /// </code>
    /// </remarks>
    [RegisterLayer("ReversibleEmbedding")]
    public sealed class ReversibleEmbedding : Embedding
    {
        [ThreadStatic]
        private static ReversibleEmbedding? _reversing;

        private Parameter? _reverseEmbeddings;

        /// <summary>Creates a reversible embedding layer; the arguments and defaults are Keras 3's.</summary>
        /// <param name="inputDim">The vocabulary size: the largest index plus one; positive.</param>
        /// <param name="outputDim">The size of each vector; positive.</param>
        /// <param name="tieWeights">Whether the reverse projection uses the transposed embeddings (default) rather than a weight of
        /// its own.</param>
        /// <param name="embeddingsInitializer">Default <c>uniform</c>: <c>RandomUniform(-0.05, 0.05)</c>; also initializes
        /// <c>reverse_embeddings</c>.</param>
        /// <param name="embeddingsRegularizer">Penalty on the embeddings.</param>
        /// <param name="embeddingsConstraint">Projection of the embeddings after each optimizer step.</param>
        /// <param name="maskZero">Whether index 0 is padding to be masked (forward calls).</param>
        /// <param name="reverseDtype">The dtype of the reverse projection; the compute dtype by default.</param>
        /// <param name="logitSoftCap">When given, reverse logits become <c>tanh(logits / cap) * cap</c>; positive.</param>
        /// <param name="activityRegularizer">Penalty on the output.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype of the weights and the output; the global policy by default.</param>
        /// <exception cref="ArgumentOutOfRangeException">A size or <paramref name="logitSoftCap"/> is not positive.</exception>
        public ReversibleEmbedding(int inputDim, int outputDim, bool tieWeights = true, Initializer? embeddingsInitializer = null,
            Regularizer? embeddingsRegularizer = null, Constraint? embeddingsConstraint = null, bool maskZero = false,
            ScalarType? reverseDtype = null, double? logitSoftCap = null, Regularizer? activityRegularizer = null,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(inputDim, outputDim, embeddingsInitializer, embeddingsRegularizer, activityRegularizer, embeddingsConstraint, maskZero,
                null, name, trainable, dtype)
        {
            if (logitSoftCap is double cap && !(cap > 0))
                throw new ArgumentOutOfRangeException(nameof(logitSoftCap), cap,
                    $"Layer '{Name}' (ReversibleEmbedding): `logit_soft_cap` must be positive when given. Received: logit_soft_cap={cap}");
            TieWeights = tieWeights;
            ReverseDtype = reverseDtype;
            LogitSoftCap = logitSoftCap;
        }

        /// <summary>Whether the reverse projection uses the transposed embeddings.</summary>
        public bool TieWeights { get; }

        /// <summary>The dtype of the reverse projection, or null for the compute dtype.</summary>
        public ScalarType? ReverseDtype { get; }

        /// <summary>The soft cap of the reverse logits, if any.</summary>
        public double? LogitSoftCap { get; }

        /// <summary>The reverse projection's own weight <c>(output_dim, input_dim)</c> without <see cref="TieWeights"/>; else
        /// null.</summary>
        public Parameter? ReverseEmbeddings => _reverseEmbeddings;

        /// <summary>
        /// Projects hidden states <c>(..., output_dim)</c> to logits <c>(..., input_dim)</c> (Keras's
        /// <c>call(inputs, reverse=True)</c>), through <see cref="Layer.Apply(Tensor, bool?, Tensor?)"/> (build, dtype policy and
        /// the other checks of a call).
        /// </summary>
        /// <param name="inputs">The hidden states; the last axis must be <see cref="Embedding.OutputDim"/>.</param>
        /// <exception cref="ArgumentException">The inputs are symbolic (a model records no per-call arguments), or their last axis
        /// is not <see cref="Embedding.OutputDim"/>.</exception>
        public Tensor Reverse(Tensor inputs)
        {
            ArgumentNullException.ThrowIfNull(inputs);
            if (KerasTensor.IsSymbolic(inputs))
                throw new ArgumentException($"Layer '{Name}' (ReversibleEmbedding): the reverse call cannot be recorded in a model (a " +
                    "model records no per-call arguments such as reverse=True). Call Reverse on tensors, e.g. in a subclassed " +
                    "model's Call. " +
                    $"Received: a symbolic input of shape {Shape.Of(inputs)}.", nameof(inputs));
            if (inputs.ndim < 1 || inputs.shape[^1] != OutputDim)
                throw new ArgumentException($"Layer '{Name}' (ReversibleEmbedding): the reverse call takes hidden states whose last axis " +
                    $"is output_dim={OutputDim}. Received: inputs.shape={Shape.Of(inputs)}.", nameof(inputs));
            var previous = _reversing;
            _reversing = this;
            try
            {
                return Apply(inputs);
            }
            finally
            {
                _reversing = previous;
            }
        }

        private bool Reversing => ReferenceEquals(_reversing, this);

        /// <inheritdoc />
        protected override void Build(Shape inputShape)
        {
            base.Build(inputShape);
            if (!TieWeights)
                _reverseEmbeddings = AddWeight("reverse_embeddings", new Shape(OutputDim, InputDim), EmbeddingsInitializer);
        }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            if (!Reversing)
                return base.Call(inputs, training, mask);
            var type = ReverseDtype ?? ComputeDType;
            var kernel = TieWeights ? Embeddings!.t() : (Tensor)_reverseEmbeddings!;
            var logits = inputs.to(type).matmul(kernel.to(type));
            if (LogitSoftCap is double cap)
                logits = logits.DivScalar(cap).tanh().MulScalar(cap);
            return logits;
        }

        /// <summary>The forward call's mask (<c>inputs != 0</c> with <c>mask_zero</c>); none for the reverse call.</summary>
        public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => Reversing ? null : base.ComputeMask(inputs, mask);

        /// <summary>The forward call's output shape, or, during <see cref="Reverse"/>, the input shape with
        /// <see cref="Embedding.InputDim"/> as its last dimension.</summary>
        public override Shape ComputeOutputShape(Shape inputShape)
        {
            ArgumentNullException.ThrowIfNull(inputShape);
            return Reversing ? inputShape.With(-1, InputDim) : base.ComputeOutputShape(inputShape);
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("tie_weights", TieWeights)
            .With("reverse_dtype", ReverseDtype)
            .With("logit_soft_cap", LogitSoftCap);
    }
}
