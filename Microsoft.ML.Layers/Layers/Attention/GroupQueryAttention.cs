using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Infrastructure;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Onnx;
using Microsoft.ML.Layers.Regularizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Grouped-query attention (Keras's <c>GroupQueryAttention</c>, class name <c>GroupedQueryAttention</c>; Ainslie et al.
    /// 2023): the query is projected into <see cref="NumQueryHeads"/> heads and the key and value into
    /// <see cref="NumKeyValueHeads"/> heads, each key/value head shared by <c>num_query_heads / num_key_value_heads</c>
    /// consecutive query heads. One key/value head is multi-query attention; as many as query heads is multi-head attention.
    /// </summary>
    /// <remarks>
    /// <para>Inputs: a list <c>[query, value]</c> or <c>[query, value, key]</c> of shapes <c>(batch, T, dim)</c>,
    /// <c>(batch, S, dim_v)</c>, <c>(batch, S, dim_k)</c>. Output <c>(batch, T, dim)</c>; with
    /// <see cref="BaseMultiHeadAttention.ReturnAttentionScores"/> also the scores <c>(batch, num_query_heads, T, S)</c>.
    /// <c>q = einsum("bqm,muh->bquh")</c>, <c>k, v = einsum("bkm,mvh->bkvh")</c>, each key/value head repeated
    /// for its group of query heads, <c>softmax(q · k / sqrt(head_dim))</c> over the source steps, the weighted values, and
    /// <c>einsum("bquh,uhm->bqm")</c>.</para>
    /// <para>Weights, in Keras's order and layouts (its <c>EinsumDense</c> sublayers): <c>query/kernel</c>
    /// <c>(dim, num_query_heads, head_dim)</c>, <c>query/bias</c> <c>(num_query_heads, head_dim)</c>, <c>key/kernel</c>
    /// <c>(dim_k, num_key_value_heads, head_dim)</c>, <c>key/bias</c>, <c>value/kernel</c>
    /// <c>(dim_v, num_key_value_heads, head_dim)</c>, <c>value/bias</c>, <c>attention_output/kernel</c>
    /// <c>(num_query_heads, head_dim, dim)</c>, <c>attention_output/bias</c> <c>(dim,)</c> (no biases without
    /// <c>use_bias</c>).</para>
    /// <para>Masks, the causal mask, per-call arguments (<see cref="BaseMultiHeadAttention.Attend"/>) and the choice between
    /// libtorch's fused attention and the explicit softmax are <see cref="MultiHeadAttention"/>'s. <c>flash_attention</c> is
    /// accepted as Keras's: when true, dropout and returned scores are refused; libtorch picks its kernel itself. It is not
    /// part of the config, as in Keras. ONNX export writes the inference computation (masks are not exported, as for
    /// <see cref="MultiHeadAttention"/>).</para>
    /// <code>
    /// var gqa = new GroupQueryAttention(headDim: 16, numQueryHeads: 8, numKeyValueHeads: 2) { UseCausalMask = true };
    /// Tensor y = gqa.Apply(new[] { x, x });   // causal self-attention, (batch, T, dim)
    /// </code>
    /// </remarks>
    [RegisterLayer("GroupedQueryAttention", Aliases = new[] { "GroupQueryAttention" })]
    public sealed class GroupQueryAttention : BaseMultiHeadAttention, IOnnxMultiExportable
    {
        // Keras's equations (b batch, q query steps, k source steps, m features, u query heads, v key/value heads, h head size);
        // the scores take the key first, as the shared attention does.
        private const string QueryEquation = "bqm,muh->bquh";
        private const string KeyValueEquation = "bkm,mvh->bkvh";
        private const string OutputEquation = "bquh,uhm->bqm";
        private const string DotProductEquation = "bkuh,bquh->buqk";
        private const string CombineEquation = "buqk,bkuh->bquh";
        private static readonly int[] NormAxes = { 3 };

        private Parameter? _queryKernel, _queryBias, _keyKernel, _keyBias, _valueKernel, _valueBias, _outputKernel, _outputBias;

        /// <summary>Creates a grouped-query attention layer; the arguments and defaults are Keras 3's.</summary>
        /// <param name="headDim">The size of each head; positive.</param>
        /// <param name="numQueryHeads">The number of query heads; positive, a multiple of <paramref name="numKeyValueHeads"/>.</param>
        /// <param name="numKeyValueHeads">The number of key and value heads; positive.</param>
        /// <param name="dropout">The fraction of attention probabilities dropped in training, in [0, 1).</param>
        /// <param name="useBias">Whether the projections add biases.</param>
        /// <param name="flashAttention">Keras's flash-attention switch: true refuses dropout and returned scores; otherwise no
        /// effect here.</param>
        /// <param name="kernelInitializer">Default <c>glorot_uniform</c>.</param>
        /// <param name="biasInitializer">Default <c>zeros</c>.</param>
        /// <param name="kernelRegularizer">Penalty on the four kernels.</param>
        /// <param name="biasRegularizer">Penalty on the four biases.</param>
        /// <param name="activityRegularizer">Penalty on the outputs of the four projections.</param>
        /// <param name="kernelConstraint">Projection of the kernels after each optimizer step.</param>
        /// <param name="biasConstraint">Projection of the biases after each optimizer step.</param>
        /// <param name="seed">Seeds the dropout; none by default.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or <paramref name="dropout"/> is out of range.</exception>
        /// <exception cref="ArgumentException">The query heads are not a multiple of the key/value heads, or flash attention is asked
        /// for with dropout.</exception>
        public GroupQueryAttention(int headDim, int numQueryHeads, int numKeyValueHeads, double dropout = 0.0, bool useBias = true,
            bool? flashAttention = null,
            Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
            Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
            Constraint? kernelConstraint = null, Constraint? biasConstraint = null, int? seed = null,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(dropout, useBias, kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, activityRegularizer,
                kernelConstraint, biasConstraint, seed, name, trainable, dtype)
        {
            HeadDim = Arguments.Positive(headDim, "head_dim");
            NumQueryHeads = Arguments.Positive(numQueryHeads, "num_query_heads");
            NumKeyValueHeads = Arguments.Positive(numKeyValueHeads, "num_key_value_heads");
            if (numQueryHeads % numKeyValueHeads != 0)
                throw AttentionMath.Error(this, "`num_query_heads` must be divisible by `num_key_value_heads`. Received: " +
                    $"num_query_heads={numQueryHeads}, num_key_value_heads={numKeyValueHeads}");
            FlashAttention = flashAttention == true;
            if (FlashAttention && dropout > 0)
                throw AttentionMath.Error(this, "Dropout is not supported when flash attention is enabled. Please set dropout to 0.0 to " +
                    $"use flash attention. Received: dropout={dropout}, flash_attention=True");
        }

        /// <summary>Default names follow Keras's class name: <c>grouped_query_attention</c>, <c>grouped_query_attention_1</c>,
        /// ...</summary>
        protected override string DefaultNameBase => "GroupedQueryAttention";

        /// <summary>The size of each head.</summary>
        public int HeadDim { get; }

        /// <summary>The number of query heads.</summary>
        public int NumQueryHeads { get; }

        /// <summary>The number of key and value heads (groups of query heads).</summary>
        public int NumKeyValueHeads { get; }

        /// <summary>Whether Keras's flash attention was asked for (dropout and returned scores are then refused).</summary>
        public bool FlashAttention { get; }

        /// <inheritdoc />
        protected override void Build(IReadOnlyList<Shape> inputShapes)
        {
            var (query, value, key) = ValidateShapes(inputShapes);
            foreach (var (shape, what) in new[] { (query, "query"), (value, "value"), (key, "key") })
            {
                if (shape[-1] == Shape.Unknown)
                    throw AttentionMath.Error(this, $"the last dimension of the {what} must be known. Received: {what}_shape={shape}.");
            }
            long features = query[-1];
            (_queryKernel, _queryBias) = AddProjection("query", new Shape(features, NumQueryHeads, HeadDim),
                new Shape(NumQueryHeads, HeadDim));
            (_keyKernel, _keyBias) = AddProjection("key", new Shape(key[-1], NumKeyValueHeads, HeadDim),
                new Shape(NumKeyValueHeads, HeadDim));
            (_valueKernel, _valueBias) = AddProjection("value", new Shape(value[-1], NumKeyValueHeads, HeadDim),
                new Shape(NumKeyValueHeads, HeadDim));
            (_outputKernel, _outputBias) = AddProjection("attention_output", new Shape(NumQueryHeads, HeadDim, features),
                new Shape(features));
        }

        /// <inheritdoc />
        private protected override (Shape Query, Shape Value, Shape Key) ValidateShapes(IReadOnlyList<Shape> shapes)
        {
            if (shapes.Count is < 2 or > 3)
                throw AttentionMath.Error(this,
                    $"accepts a list of 2 or 3 inputs, namely [query, value] or [query, value, key]. Received: {shapes.Count} inputs.");
            var (query, value) = (shapes[0], shapes[1]);
            var key = shapes.Count > 2 ? shapes[2] : value;
            if (query.Rank != 3 || value.Rank != 3 || key.Rank != 3)
                throw AttentionMath.Error(this,
                    $"query, value and key must have rank 3 (batch, steps, features). Received: query_shape={query}, " +
                    $"value_shape={value}, key_shape={key}.");
            if (!value[1..^1].IsCompatibleWith(key[1..^1]))
                throw AttentionMath.Error(this,
                    $"All dimensions of `value` and `key`, except the last one, must be equal. Received: value_shape={value} and " +
                    $"key_shape={key}");
            if (new[] { query[0], value[0], key[0] }.Where(b => b != Shape.Unknown).Distinct().Count() > 1)
                throw AttentionMath.Error(this,
                    $"query, value and key must have the same batch size. Received: query_shape={query}, value_shape={value}, " +
                    $"key_shape={key}.");
            if (Built)
            {
                foreach (var (shape, kernel, what) in new[] { (query, _queryKernel!, "query"), (value, _valueKernel!, "value"),
                    (key, _keyKernel!, "key") })
                {
                    if (shape[-1] != kernel.shape[0])
                        throw AttentionMath.Error(this, $"the layer was built for a {what} with {kernel.shape[0]} features. Received: " +
                            $"{what}_shape={shape}.");
                }
            }
            return (query, value, key);
        }

        /// <inheritdoc />
        private protected override IReadOnlyList<Tensor> CallAttention(Tensor query, Tensor value, Tensor key, Tensor? attentionMask,
            bool? training, bool returnScores)
        {
            if (FlashAttention && returnScores)
                throw AttentionMath.Error(this, "Returning attention scores is not supported when flash attention is enabled. Please " +
                    "disable flash attention to access attention scores. Received: return_attention_scores=True, flash_attention=True");
            int repeats = NumQueryHeads / NumKeyValueHeads;
            var q = Project(QueryEquation, query, _queryKernel!, _queryBias);
            var k = Project(KeyValueEquation, key, _keyKernel!, _keyBias).repeat_interleave(repeats, dim: 2);
            var v = Project(KeyValueEquation, value, _valueKernel!, _valueBias).repeat_interleave(repeats, dim: 2);
            var (attended, scores) = ComputeAttention(q, k, v, attentionMask, training, returnScores, 1.0 / Math.Sqrt(HeadDim),
                DotProductEquation, CombineEquation, NormAxes);
            var output = Project(OutputEquation, attended, _outputKernel!, _outputBias);
            return returnScores ? new[] { output, scores! } : new[] { output };
        }

        /// <summary>
        /// Writes the inference computation: the projections (<c>Einsum</c> plus the bias), each key/value head repeated for its
        /// group (<c>Unsqueeze</c>, <c>Expand</c>, <c>Reshape</c>), the scaled scores, the causal mask setting future scores to
        /// -1e9, the softmax and the weighted values, and the output projection; the scores as a second output with
        /// <see cref="BaseMultiHeadAttention.ReturnAttentionScores"/>. Dropout is the identity at inference. Masks are not exported.
        /// </summary>
        IReadOnlyList<string> IOnnxMultiExportable.ExportOnnx(OnnxExportContext context, IReadOnlyList<OnnxValue> inputs)
        {
            ArgumentNullException.ThrowIfNull(context);
            ArgumentNullException.ThrowIfNull(inputs);
            ValidateShapes(inputs.Select(i => i.Shape).ToList());
            var query = inputs[0].Name;
            var value = inputs[1].Name;
            var key = inputs.Count > 2 ? inputs[2].Name : value;
            string Repeated(string heads) => context.Reshape(context.Node("Expand", context.Unsqueeze(heads, 3),
                context.Int64s(1, 1, 1, NumQueryHeads / NumKeyValueHeads, 1)), 0, 0, NumQueryHeads, HeadDim);
            var q = ExportProjection(context, QueryEquation, query, _queryKernel!, _queryBias, "query");
            var k = Repeated(ExportProjection(context, KeyValueEquation, key, _keyKernel!, _keyBias, "key"));
            var v = Repeated(ExportProjection(context, KeyValueEquation, value, _valueKernel!, _valueBias, "value"));
            var (attended, probabilities) = ExportAttention(context, query, value, q, k, v, 1.0 / Math.Sqrt(HeadDim), DotProductEquation, CombineEquation,
                NormAxes);
            var output = ExportProjection(context, OutputEquation, attended, _outputKernel!, _outputBias, "attention_output");
            return ReturnAttentionScores ? new[] { output, probabilities } : new[] { output };
        }

        /// <summary>The query's shape (Keras's check: the query's and the value's last dimensions must be equal).</summary>
        public override Shape ComputeOutputShape(IReadOnlyList<Shape> inputShapes)
        {
            ArgumentNullException.ThrowIfNull(inputShapes);
            var (query, value, _) = ValidateShapes(inputShapes);
            if (query[-1] != Shape.Unknown && value[-1] != Shape.Unknown && query[-1] != value[-1])
                throw AttentionMath.Error(this, "The last dimension of `query_shape` and `value_shape` must be equal, but are " +
                    $"{query[-1]}, {value[-1]}. Received: query_shape={query}, value_shape={value}");
            return query;
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => WithProjectionConfig(base.GetConfig()
            .With("head_dim", HeadDim)
            .With("num_query_heads", NumQueryHeads)
            .With("num_key_value_heads", NumKeyValueHeads)
            .With("use_bias", UseBias)
            .With("dropout", Dropout));
    }
}
