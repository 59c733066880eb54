using System.Collections.Generic;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Additive attention, a.k.a. Bahdanau-style attention (Keras's <c>AdditiveAttention</c>): the scores are
    /// <c>sum(scale * tanh(query + key))</c> over the features, then as <see cref="Attention"/>.
    /// </summary>
    /// <remarks>
    /// Inputs, masks, outputs, <see cref="Attention.UseCausalMask"/> and <see cref="Attention.ReturnAttentionScores"/>
    /// as <see cref="Attention"/>. Weights: <c>scale</c> <c>(dim,)</c>, Glorot-uniform, when <c>use_scale</c> (the
    /// default).
    /// <code>
    /// Tensor context = new AdditiveAttention().Apply(new[] { query, value });
    /// </code>
    /// </remarks>
    [RegisterLayer("AdditiveAttention")]
    public sealed class AdditiveAttention : Attention
    {
        /// <summary>Creates an additive attention layer.</summary>
        /// <param name="useScale">Whether to learn a per-feature scale of the scores.</param>
        /// <param name="dropout">The fraction of attention weights dropped in training, in [0, 1).</param>
        /// <param name="seed">Seeds the dropout; none by default.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        public AdditiveAttention(bool useScale = true, double dropout = 0.0, int? seed = null, string? name = null, bool trainable = true,
            ScalarType? dtype = null)
            : base(useScale, AttentionScoreMode.Dot, dropout, seed, name, trainable, dtype)
        {
        }

        private protected override void BuildScores(IReadOnlyList<Shape> inputShapes)
        {
            if (UseScale)
                ScaleParameter = AddWeight("scale", new Shape(inputShapes[0][-1]), Initializer.GlorotUniform());
        }

        private protected override Tensor CalculateScores(Tensor query, Tensor key)
        {
            var sum = query.unsqueeze(-2).Plus(key.unsqueeze(-3)).tanh();
            return (ScaleParameter is null ? sum : ScaleParameter * sum).sum(-1);
        }

        private protected override string ExportScores(OnnxExportContext context, string query, string key)
        {
            var sum = context.Node("Tanh", context.Node("Add", context.Unsqueeze(query, -2), context.Unsqueeze(key, -3)));
            if (ScaleParameter is not null)
                sum = context.Node("Mul", context.Weight(ScaleParameter, "scale"), sum);
            return context.Reduce("ReduceSum", sum, new[] { -1L }, keepDims: false);
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig()
        {
            var config = base.GetConfig();
            config.Values.Remove("score_mode");
            return config;
        }
    }
}
