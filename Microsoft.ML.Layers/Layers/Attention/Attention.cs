using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Dot-product attention, a.k.a. Luong-style attention (Keras's <c>Attention</c>): each query step takes the
    /// softmax-weighted average of the value steps, weighted by its scores against the key steps.
    /// </summary>
    /// <remarks>
    /// <para>Inputs: a list <c>[query, value]</c> or <c>[query, value, key]</c> of shapes <c>(batch, Tq, dim)</c>,
    /// <c>(batch, Tv, dim_v)</c> and <c>(batch, Tv, dim)</c>; without a key, the value is the key. Output:
    /// <c>(batch, Tq, dim_v)</c>. Scores: <c>query · keyᵀ</c> (<see cref="AttentionScoreMode.Dot"/>, times <c>scale</c> when
    /// <c>use_scale</c>), or <c>concat_score_weight * sum(tanh(scale * (query + key)))</c> (<c>Concat</c>).</para>
    /// <para>Masks <c>[query_mask, value_mask]</c>: masked value steps get no weight (their scores are lowered by 1e9);
    /// masked query steps give zero outputs, and the query mask is the output mask. Keras's call arguments
    /// <c>use_causal_mask</c> and <c>return_attention_scores</c> are the properties <see cref="UseCausalMask"/> and
    /// <see cref="ReturnAttentionScores"/>: with the latter, <c>ApplyAll</c> returns <c>[output, scores]</c>, the scores
    /// (after masking, softmax and dropout) being <c>(batch, Tq, Tv)</c>.</para>
    /// <para>Weights, in this order: <c>scale</c> (a scalar, ones, when <c>use_scale</c>) and <c>concat_score_weight</c>
    /// (a scalar, ones, for <c>Concat</c>). <c>dropout</c> drops attention weights in training.</para>
    /// <code>
    /// var attention = new Attention { UseCausalMask = true };
    /// Tensor context = attention.Apply(new[] { query, value });   // (batch, Tq, dim_v)
    /// </code>
    /// </remarks>
    [RegisterLayer("Attention")]
    public class Attention : Layer, ICausalMasking, IOnnxMultiExportable
    {
        private readonly Generator? _dropoutGenerator;
        private Parameter? _concatScoreWeight;

        /// <summary>Creates a dot-product attention layer.</summary>
        /// <param name="useScale">Whether to learn a scalar that scales the scores.</param>
        /// <param name="scoreMode"><see cref="AttentionScoreMode.Dot"/> (query-key dot product) or <see cref="AttentionScoreMode.Concat"/>
        /// (tanh of their sum).</param>
        /// <param name="dropout">The fraction of attention weights dropped in training, in [0, 1).</param>
        /// <param name="seed">Seeds the dropout, so that training runs repeat; none by default.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        /// <exception cref="ArgumentException"><paramref name="scoreMode"/> is unknown or <paramref name="dropout"/> is out of
        /// range.</exception>
        public Attention(bool useScale = false, AttentionScoreMode scoreMode = AttentionScoreMode.Dot, double dropout = 0.0,
            int? seed = null,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            UseScale = useScale;
            ScoreMode = Arguments.Choice(scoreMode, nameof(scoreMode));
            Dropout = Arguments.Rate(dropout, "dropout");
            Seed = seed;
            _dropoutGenerator = dropout > 0 ? AttentionMath.GeneratorFor(seed) : null;
            SupportsMasking = true;
            InputSpec = new InputSpec { NDim = 3 };
        }

        /// <summary>Whether a learned scalar (a vector for <see cref="AdditiveAttention"/>) scales the scores.</summary>
        public bool UseScale { get; }

        /// <summary>How a query is scored against a key.</summary>
        public AttentionScoreMode ScoreMode { get; }

        /// <summary>The fraction of attention weights dropped in training.</summary>
        public double Dropout { get; }

        /// <summary>The dropout seed, if any.</summary>
        public int? Seed { get; }

        /// <summary>Keras's call argument <c>use_causal_mask</c>: query step <c>i</c> attends only to value steps
        /// <c>j &lt;= i</c>.</summary>
        public bool UseCausalMask { get; set; }

        /// <summary>Keras's call argument <c>return_attention_scores</c>: <c>ApplyAll</c> then returns <c>[output, scores]</c>.</summary>
        public bool ReturnAttentionScores { get; set; }

        /// <summary>The learned score scale; null before build or without <c>use_scale</c>.</summary>
        public Parameter? ScaleWeight => ScaleParameter;

        /// <summary>The scale weight, set by <see cref="BuildScores"/>.</summary>
        private protected Parameter? ScaleParameter { get; set; }

        /// <summary>The learned weight of the concat scores; null before build or in <c>Dot</c> mode.</summary>
        public Parameter? ConcatScoreWeight => _concatScoreWeight;

        /// <inheritdoc />
        protected override void Build(Shape inputShape)
            => throw AttentionMath.Error(this,
                $"{GetType().Name} layer must be called on a list of inputs, namely [query, value] or [query, value, key]. Received: " +
                $"inputs of shape {inputShape}.");

        /// <inheritdoc />
        protected override void Build(IReadOnlyList<Shape> inputShapes)
        {
            ValidateShapes(inputShapes);
            BuildScores(inputShapes);
        }

        /// <summary>Creates the score weights: <c>scale</c> then <c>concat_score_weight</c>, scalars initialized to one.</summary>
        private protected virtual void BuildScores(IReadOnlyList<Shape> inputShapes)
        {
            if (UseScale)
                ScaleParameter = AddWeight("scale", Shape.Scalar, Initializer.Ones());
            if (ScoreMode == AttentionScoreMode.Concat)
                _concatScoreWeight = AddWeight("concat_score_weight", Shape.Scalar, Initializer.Ones());
        }

        private void ValidateShapes(IReadOnlyList<Shape> shapes)
        {
            if (shapes.Count is < 2 or > 3)
                throw AttentionMath.Error(this,
                    $"{GetType().Name} layer accepts inputs list of length 2 or 3, namely [query, value] or [query, value, key]. " +
                    $"Received length: {shapes.Count}.");
            var (query, value) = (shapes[0], shapes[1]);
            var key = shapes.Count > 2 ? shapes[2] : value;
            bool Differ(long a, long b) => a != Shape.Unknown && b != Shape.Unknown && a != b;
            if (Differ(query[0], value[0]) || Differ(query[0], key[0]))
                throw AttentionMath.Error(this,
                    $"query, value and key must have the same batch size. Received: query={query}, value={value}, key={key}.");
            if (Differ(query[-1], key[-1]))
                throw AttentionMath.Error(this, $"query and key must have the same last dimension. Received: query={query}, key={key}.");
            if (Differ(value[1], key[1]))
                throw AttentionMath.Error(this, $"value and key must have the same number of steps. Received: value={value}, key={key}.");
        }

        /// <summary>The scores of every query step against every key step, <c>(batch, Tq, Tv)</c>.</summary>
        private protected virtual Tensor CalculateScores(Tensor query, Tensor key)
        {
            if (ScoreMode == AttentionScoreMode.Dot)
            {
                var scores = query.bmm(key.transpose(1, 2));
                return ScaleParameter is null ? scores : scores * ScaleParameter;
            }
            var sum = query.unsqueeze(-2).Plus(key.unsqueeze(-3));
            if (ScaleParameter is not null)
                sum = ScaleParameter * sum;
            return _concatScoreWeight! * sum.tanh().sum(-1);
        }

        /// <summary>Fails: attention takes a list of tensors.</summary>
        protected sealed override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
            => throw AttentionMath.Error(this,
                $"{GetType().Name} layer must be called on a list of inputs, namely [query, value] or [query, value, key].");

        /// <inheritdoc />
        protected sealed override Tensor Call(IReadOnlyList<Tensor> inputs, bool? training = null, IReadOnlyList<Tensor?>? masks = null)
            => Attend(inputs, training, masks ?? new Tensor?[inputs.Count]).Output;

        /// <inheritdoc />
        protected sealed override IReadOnlyList<Tensor> CallOutputs(IReadOnlyList<Tensor> inputs, bool singleInput, bool? training,
            IReadOnlyList<Tensor?> masks)
        {
            if (singleInput)
                return new[] { Call(inputs[0], training, masks[0]) };
            var (output, scores) = Attend(inputs, training, masks);
            return ReturnAttentionScores ? new[] { output, scores } : new[] { output };
        }

        private (Tensor Output, Tensor Scores) Attend(IReadOnlyList<Tensor> inputs, bool? training, IReadOnlyList<Tensor?> masks)
        {
            ValidateShapes(inputs.Select(Shape.Of).ToList());
            var query = inputs[0];
            var value = inputs[1];
            var key = inputs.Count > 2 ? inputs[2] : value;
            var queryMask = masks.Count > 0 ? masks[0] : null;
            var valueMask = masks.Count > 1 ? masks[1] : null;

            var scores = CalculateScores(query, key);
            // The value mask covers the value steps, (batch, 1, Tv); the causal mask (1, Tq, Tv) joins it.
            Tensor? scoresMask = valueMask?.to(ScalarType.Bool).unsqueeze(-2);
            if (UseCausalMask)
            {
                var causal = AttentionMath.CausalMask(scores.shape[^2], scores.shape[^1], scores.device);
                scoresMask = scoresMask is null ? causal : scoresMask.logical_and(causal);
            }
            if (scoresMask is not null)
            {
                double largest = scores.dtype == ScalarType.Float16 ? 65504.0 : 1.0e9;
                scores = scores - scoresMask.logical_not().to(scores.dtype).MulScalar(largest);
            }
            var weights = AttentionMath.Softmax(scores, -1);
            if (training == true && Dropout > 0)
                weights = AttentionMath.Dropout(weights, Dropout, _dropoutGenerator);
            var output = weights.bmm(value);
            if (queryMask is not null)
                output = output * queryMask.unsqueeze(-1).to(output.dtype);
            return (output, weights);
        }

        /// <summary>The scores written as ONNX, as <see cref="CalculateScores"/> computes them.</summary>
        private protected virtual string ExportScores(OnnxExportContext context, string query, string key)
        {
            if (ScoreMode == AttentionScoreMode.Dot)
            {
                var scores = context.Node("MatMul", query, context.Transpose(key, 0, 2, 1));
                return ScaleParameter is null ? scores : context.Node("Mul", scores, context.Weight(ScaleParameter, "scale"));
            }
            var sum = context.Node("Add", context.Unsqueeze(query, -2), context.Unsqueeze(key, -3));
            if (ScaleParameter is not null)
                sum = context.Node("Mul", context.Weight(ScaleParameter, "scale"), sum);
            var reduced = context.Reduce("ReduceSum", context.Node("Tanh", sum), new[] { -1L }, keepDims: false);
            return context.Node("Mul", context.Weight(_concatScoreWeight!, "concat_score_weight"), reduced);
        }

        /// <summary>
        /// Writes the inference computation: scores, the causal mask (built from the steps' positions) lowering masked scores by
        /// 1e9, softmax, the weighted values; and the weights as a second output with <see cref="ReturnAttentionScores"/>.
        /// Dropout is the identity at inference. Masks are not exported.
        /// </summary>
        IReadOnlyList<string> IOnnxMultiExportable.ExportOnnx(OnnxExportContext context, IReadOnlyList<OnnxValue> inputs)
        {
            ArgumentNullException.ThrowIfNull(context);
            ArgumentNullException.ThrowIfNull(inputs);
            ValidateShapes(inputs.Select(i => i.Shape).ToList());
            var query = inputs[0].Name;
            var value = inputs[1].Name;
            var key = inputs.Count > 2 ? inputs[2].Name : value;
            var scores = ExportScores(context, query, key);
            if (UseCausalMask)
            {
                var future = AttentionMath.ExportCausalFuture(context, query, value);
                scores = context.Node("Sub", scores, context.Node("Mul", AttentionMath.ExportToFloat(context, future),
                    context.Constant(1.0e9f)));
            }
            var weights = context.Node("Softmax", new[] { scores }, new OnnxAttributes { { "axis", -1 } });
            var output = context.Node("MatMul", weights, value);
            return ReturnAttentionScores ? new[] { output, weights } : new[] { output };
        }

        /// <summary>The query mask, if any.</summary>
        public override Tensor? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?>? masks)
            => masks is { Count: > 0 } ? masks[0] : null;

        /// <summary>The query's shape with the value's last dimension.</summary>
        public override Shape ComputeOutputShape(IReadOnlyList<Shape> inputShapes)
        {
            ArgumentNullException.ThrowIfNull(inputShapes);
            if (inputShapes.Count is < 2 or > 3)
                throw AttentionMath.Error(this,
                    $"{GetType().Name} layer accepts inputs list of length 2 or 3. Received length: {inputShapes.Count}.");
            return inputShapes[0].With(-1, inputShapes[1][-1]);
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("use_scale", UseScale)
            .With("score_mode", ScoreMode)
            .With("dropout", Dropout);
    }
}
