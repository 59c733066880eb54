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
    /// Multi-head attention (Keras's <c>MultiHeadAttention</c>, "Attention is all you need"): the query, key and value are
    /// projected into <see cref="NumHeads"/> heads, each head attends with scaled dot products, and the heads are projected
    /// back to the output size.
    /// </summary>
    /// <remarks>
    /// <para>Inputs: a list <c>[query, value]</c> or <c>[query, value, key]</c> of shapes <c>(batch, T, dim)</c>,
    /// <c>(batch, S, dim_v)</c>, <c>(batch, S, dim_k)</c> (more axes between batch and features work too, see
    /// <see cref="AttentionAxes"/>); without a key, the value is the key. Output: <c>(batch, T, dim)</c>, or
    /// <c>(batch, T, *output_shape)</c>.</para>
    /// <para>Weights, in Keras's order and layouts (Keras's <c>EinsumDense</c> sublayers): <c>query/kernel</c>
    /// <c>(dim, num_heads, key_dim)</c>, <c>query/bias</c> <c>(num_heads, key_dim)</c>, <c>key/kernel</c>
    /// <c>(dim_k, num_heads, key_dim)</c>, <c>key/bias</c>, <c>value/kernel</c> <c>(dim_v, num_heads, value_dim)</c>,
    /// <c>value/bias</c> <c>(num_heads, value_dim)</c>, <c>attention_output/kernel</c> <c>(num_heads, value_dim, dim)</c>,
    /// <c>attention_output/bias</c> <c>(dim,)</c> (no biases without <c>use_bias</c>). The kernel and bias
    /// initializers, regularizers and constraints apply to all four projections, and the activity regularizer to each
    /// projection's output, as in Keras.</para>
    /// <para>Masks, as Keras's <c>_compute_attention_mask</c>: the query mask <c>(batch, T)</c>, the value mask and the key
    /// mask <c>(batch, S)</c> (the masks of the inputs), the causal mask and an explicit attention mask
    /// <c>(batch, T, S)</c> are combined with AND; <c>false</c> means "does not attend". The output carries the query
    /// mask.</para>
    /// <para>Keras's call arguments: <see cref="BaseMultiHeadAttention.UseCausalMask"/> and <see cref="BaseMultiHeadAttention.ReturnAttentionScores"/> are properties
    /// (they hold for every call, models included); <see cref="BaseMultiHeadAttention.Attend"/> takes them per call, with an
    /// <c>attention_mask</c> and explicit input masks. With scores returned, <c>ApplyAll</c> gives
    /// <c>[output, scores]</c>, the scores being <c>(batch, num_heads, T, S)</c> after masking and softmax.</para>
    /// <para>As in Keras, without dropout and without returned scores (and for rank-3 inputs) the attention runs through
    /// libtorch's <c>scaled_dot_product_attention</c>, where a query step that may attend to nothing gets the mean of
    /// the values; otherwise through einsum and a masked softmax, where it gets zeros.</para>
    /// <code>
    /// var mha = new MultiHeadAttention(numHeads: 4, keyDim: 16) { UseCausalMask = true };
    /// Tensor y = mha.Apply(new[] { x, x });                                     // causal self-attention, (batch, T, dim)
    /// var (output, scores) = mha.Attend(query, value, returnAttentionScores: true);
    /// </code>
    /// </remarks>
    [RegisterLayer("MultiHeadAttention")]
    public sealed class MultiHeadAttention : BaseMultiHeadAttention, IOnnxMultiExportable
    {
        private Parameter? _queryKernel, _queryBias, _keyKernel, _keyBias, _valueKernel, _valueBias, _outputKernel, _outputBias;
        private string _queryEquation = "", _keyEquation = "", _valueEquation = "", _outputEquation = "";
        private string _dotProductEquation = "", _combineEquation = "";
        private int[] _normAxes = Array.Empty<int>();
        private int _inputRank;

        /// <summary>Creates a multi-head attention layer.</summary>
        /// <param name="numHeads">The number of attention heads.</param>
        /// <param name="keyDim">The size of each head for query and key.</param>
        /// <param name="valueDim">The size of each head for value; <paramref name="keyDim"/> by default.</param>
        /// <param name="dropout">The fraction of attention probabilities dropped in training, in [0, 1).</param>
        /// <param name="useBias">Whether the projections add biases.</param>
        /// <param name="outputShape">The output's shape after the batch and sequence axes; the query's last dimension by default.</param>
        /// <param name="attentionAxes">The axes attention runs over; all axes but batch, heads and features by default.</param>
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
        public MultiHeadAttention(int numHeads, int keyDim, int? valueDim = null, double dropout = 0.0, bool useBias = true,
            IntTuple? outputShape = null, IntTuple? attentionAxes = null,
            Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
            Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
            Constraint? kernelConstraint = null, Constraint? biasConstraint = null, int? seed = null,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(dropout, useBias, kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, activityRegularizer,
                kernelConstraint, biasConstraint, seed, name, trainable, dtype)
        {
            NumHeads = Arguments.Positive(numHeads, "num_heads");
            KeyDim = Arguments.Positive(keyDim, "key_dim");
            ValueDim = valueDim is int v and not 0 ? Arguments.Positive(v, "value_dim") : keyDim;
            if (outputShape is IntTuple shape && shape.Count > 0)
            {
                if (shape.Values.Any(d => d <= 0))
                    throw new ArgumentOutOfRangeException(nameof(outputShape),
                        $"Invalid `output_shape`: {shape}. When specified, the `output_shape` should be positive sizes. Received: " +
                        $"output_shape={shape}");
                OutputShape = shape;
            }
            AttentionAxes = attentionAxes is IntTuple axes && axes.Count > 0 ? axes : (IntTuple?)null;
        }

        /// <summary>The number of attention heads.</summary>
        public int NumHeads { get; }

        /// <summary>The size of each head for query and key.</summary>
        public int KeyDim { get; }

        /// <summary>The size of each head for value.</summary>
        public int ValueDim { get; }

        /// <summary>The output's shape after the batch and sequence axes, or null for the query's last dimension.</summary>
        public IntTuple? OutputShape { get; }

        /// <summary>
        /// The axes attention runs over: as given (null for the default) until the layer is built, then resolved as Keras
        /// does (<c>[1]</c> for rank-3 inputs).
        /// </summary>
        public IntTuple? AttentionAxes { get; private set; }

        /// <inheritdoc />
        protected override void Build(IReadOnlyList<Shape> inputShapes)
        {
            var (query, value, key) = ValidateShapes(inputShapes);
            int rank = query.Rank;
            foreach (var (shape, what) in new[] { (query, "query"), (value, "value"), (key, "key") })
            {
                if (shape[-1] == Shape.Unknown)
                    throw AttentionMath.Error(this, $"the last dimension of the {what} must be known. Received: {what}_shape={shape}.");
            }

            // Keras's EinsumDense projections: (..., dim) x (dim, heads, size) -> (..., heads, size).
            (_queryEquation, _) = ProjectionEquation(rank - 1, 1, 2);
            (_keyEquation, _) = ProjectionEquation(rank - 1, 1, 2);
            (_valueEquation, int projectedRank) = ProjectionEquation(rank - 1, 1, 2);
            (_queryKernel, _queryBias) = AddProjection("query", new Shape(query[-1], NumHeads, KeyDim), new Shape(NumHeads, KeyDim));
            (_keyKernel, _keyBias) = AddProjection("key", new Shape(key[-1], NumHeads, KeyDim), new Shape(NumHeads, KeyDim));
            (_valueKernel, _valueBias) = AddProjection("value", new Shape(value[-1], NumHeads, ValueDim), new Shape(NumHeads, ValueDim));

            var axes = AttentionAxes is IntTuple given
                ? given.Values.Select(a => a >= 0 ? a : projectedRank - 1 + a).ToArray()
                : Enumerable.Range(1, projectedRank - 3).ToArray();
            if (axes.Length == 0 || axes.Any(a => a <= 0 || a >= projectedRank - 2) || axes.Distinct().Count() != axes.Length)
            {
                throw AttentionMath.Error(this,
                    $"invalid attention axes {(AttentionAxes?.ToString() ?? "None")} for inputs of rank {rank}: they must be axes " +
                    $"between the batch axis and the features axis. Received: query_shape={query}.");
            }
            AttentionAxes = new IntTuple(axes);
            int scoresRank;
            (_dotProductEquation, _combineEquation, scoresRank) = AttentionEquation(projectedRank, axes);
            _normAxes = Enumerable.Range(scoresRank - axes.Length, axes.Length).ToArray();

            var outputDims = OutputShape?.Values ?? new[] { checked((int)query[-1]) };
            (_outputEquation, _) = ProjectionEquation(rank - 1, 2, outputDims.Length);
            (_outputKernel, _outputBias) = AddProjection("attention_output",
                new Shape(new long[] { NumHeads, ValueDim }.Concat(outputDims.Select(d => (long)d)).ToArray()),
                new Shape(outputDims.Select(d => (long)d).ToArray()));
            _inputRank = rank;
        }

        /// <inheritdoc />
        private protected override (Shape Query, Shape Value, Shape Key) ValidateShapes(IReadOnlyList<Shape> shapes)
        {
            if (shapes.Count is < 2 or > 3)
                throw AttentionMath.Error(this,
                    $"accepts a list of 2 or 3 inputs, namely [query, value] or [query, value, key]. Received: {shapes.Count} inputs.");
            var (query, value) = (shapes[0], shapes[1]);
            var key = shapes.Count > 2 ? shapes[2] : value;
            if (query.Rank < 3 || value.Rank != query.Rank || key.Rank != query.Rank)
                throw AttentionMath.Error(this,
                    $"query, value and key must have one rank of at least 3. Received: query_shape={query}, value_shape={value}, " +
                    $"key_shape={key}.");
            if (!value[1..^1].IsCompatibleWith(key[1..^1]))
                throw AttentionMath.Error(this,
                    $"All dimensions of `value` and `key`, except the last one, must be equal. Received: value_shape={value} and " +
                    $"key_shape={key}");
            var batches = new[] { query[0], value[0], key[0] }.Where(b => b != Shape.Unknown).Distinct().Count();
            if (batches > 1)
                throw AttentionMath.Error(this,
                    $"query, value and key must have the same batch size. Received: query_shape={query}, value_shape={value}, " +
                    $"key_shape={key}.");
            if (Built)
            {
                CheckFeatures(query, _queryKernel!, "query");
                CheckFeatures(value, _valueKernel!, "value");
                CheckFeatures(key, _keyKernel!, "key");
            }
            return (query, value, key);
        }

        private void CheckFeatures(Shape shape, Parameter kernel, string what)
        {
            if (shape.Rank != _inputRank || shape[-1] != kernel.shape[0])
                throw AttentionMath.Error(this,
                    $"the layer was built for a {what} of rank {_inputRank} with {kernel.shape[0]} features. Received: " +
                    $"{what}_shape={shape}.");
        }

        /// <inheritdoc />
        private protected override IReadOnlyList<Tensor> CallAttention(Tensor query, Tensor value, Tensor key, Tensor? attentionMask,
            bool? training, bool returnScores)
        {
            var q = Project(_queryEquation, query, _queryKernel!, _queryBias);
            var k = Project(_keyEquation, key, _keyKernel!, _keyBias);
            var v = Project(_valueEquation, value, _valueKernel!, _valueBias);
            var (attended, scores) = ComputeAttention(q, k, v, attentionMask, training, returnScores, 1.0 / Math.Sqrt(KeyDim),
                _dotProductEquation, _combineEquation, _normAxes);
            var output = Project(_outputEquation, attended, _outputKernel!, _outputBias);
            return returnScores ? new[] { output, scores! } : new[] { output };
        }

        /// <summary>
        /// Writes the inference computation with the layer's own einsum equations: the four projections (<c>Einsum</c> with
        /// the kernel, plus the bias), the scaled query-key scores, the causal mask (rank-3 inputs) setting future scores to
        /// -1e9, the softmax over the attention axes, and the weighted values; the scores as a second output with
        /// <see cref="BaseMultiHeadAttention.ReturnAttentionScores"/>. Dropout is the identity at inference. Masks are not exported.
        /// </summary>
        IReadOnlyList<string> IOnnxMultiExportable.ExportOnnx(OnnxExportContext context, IReadOnlyList<OnnxValue> inputs)
        {
            ArgumentNullException.ThrowIfNull(context);
            ArgumentNullException.ThrowIfNull(inputs);
            ValidateShapes(inputs.Select(i => i.Shape).ToList());
            if (UseCausalMask && _inputRank != 3)
                throw context.Unsupported($"use_causal_mask is exported for inputs of rank 3 (batch, steps, features); the layer takes " +
                    $"inputs of rank {_inputRank}. Received: query_shape={inputs[0].Shape}.");
            var query = inputs[0].Name;
            var value = inputs[1].Name;
            var key = inputs.Count > 2 ? inputs[2].Name : value;
            var q = ExportProjection(context, _queryEquation, query, _queryKernel!, _queryBias, "query");
            var k = ExportProjection(context, _keyEquation, key, _keyKernel!, _keyBias, "key");
            var v = ExportProjection(context, _valueEquation, value, _valueKernel!, _valueBias, "value");
            var (attended, probabilities) = ExportAttention(context, query, value, q, k, v, 1.0 / Math.Sqrt(KeyDim), _dotProductEquation, _combineEquation,
                _normAxes);
            var output = ExportProjection(context, _outputEquation, attended, _outputKernel!, _outputBias, "attention_output");
            return ReturnAttentionScores ? new[] { output, probabilities } : new[] { output };
        }

        /// <summary>The query's shape, with <see cref="OutputShape"/> in place of its last dimension when given.</summary>
        public override Shape ComputeOutputShape(IReadOnlyList<Shape> inputShapes)
        {
            ArgumentNullException.ThrowIfNull(inputShapes);
            var (query, _, _) = ValidateShapes(inputShapes);
            if (OutputShape is not IntTuple output)
                return query;
            return new Shape(query.Take(query.Rank - 1).Concat(output.Values.Select(d => (long)d)));
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => WithProjectionConfig(base.GetConfig()
            .With("num_heads", NumHeads)
            .With("key_dim", KeyDim)
            .With("value_dim", ValueDim)
            .With("dropout", Dropout)
            .With("use_bias", UseBias)
            .With("output_shape", OutputShape)
            .With("attention_axes", AttentionAxes));

        /// <summary>
        /// Reads a Keras config. Besides the constructor's keys it accepts what other Keras versions write: tf.keras's and
        /// Keras 3.14's build information <c>query_shape</c>, <c>key_shape</c>, <c>value_shape</c> (the layer is built from
        /// its inputs anyway), and <c>use_gate: false</c>; a gated output (<c>use_gate: true</c>) is refused.
        /// </summary>
        /// <exception cref="FormatException">The config has a key the layer does not take, or <c>use_gate</c> is true.</exception>
        public static MultiHeadAttention FromConfig(LayerConfig config)
        {
            ArgumentNullException.ThrowIfNull(config);
            config.RequireKnownKeys("num_heads", "key_dim", "value_dim", "dropout", "use_bias", "output_shape", "attention_axes",
                "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer", "kernel_constraint", "bias_constraint",
                "seed", "query_shape", "key_shape", "value_shape", "use_gate");
            if (config.Get<bool?>("use_gate", null) == true)
                throw new FormatException($"MultiHeadAttention '{config.Name}': use_gate=true (a sigmoid gate on the attention output, " +
                    "Keras 3.14) is not supported by this library; only use_gate=false is. Received: use_gate=true.");
            bool dtypeBound = config.Contains("dtype") && config.DTypePolicy is not { IsMixed: true };
            var layer = new MultiHeadAttention(config.Get<int>("num_heads"), config.Get<int>("key_dim"),
                config.Get<int?>("value_dim", null), config.Get("dropout", 0.0), config.Get("use_bias", true), config.Get<IntTuple?>("output_shape", null),
                config.Get<IntTuple?>("attention_axes", null), config.Get<Initializer?>("kernel_initializer", null),
                config.Get<Initializer?>("bias_initializer", null), config.Get<Regularizer?>("kernel_regularizer", null),
                config.Get<Regularizer?>("bias_regularizer", null), config.Get<Regularizer?>("activity_regularizer", null),
                config.Get<Constraint?>("kernel_constraint", null), config.Get<Constraint?>("bias_constraint", null),
                config.Get<int?>("seed", null), config.Name, config.Trainable, dtypeBound ? config.DType : null);
            var bound = new HashSet<string>(LayerConfig.BoundBaseKeys, StringComparer.Ordinal) { "activity_regularizer" };
            if (dtypeBound)
                bound.Add("dtype");
            layer.ApplyBaseConfig(config, bound);
            return layer;
        }

        private static char Letter(int i) => (char)('a' + i);

        /// <summary>Keras's <c>_build_proj_equation</c>: free axes kept, bound axes contracted with the kernel, output axes
        /// added.</summary>
        private static (string Equation, int OutputRank) ProjectionEquation(int freeDims, int boundDims, int outputDims)
        {
            string free = new(Enumerable.Range(0, freeDims).Select(Letter).ToArray());
            string bound = new(Enumerable.Range(freeDims, boundDims).Select(Letter).ToArray());
            string output = new(Enumerable.Range(freeDims + boundDims, outputDims).Select(Letter).ToArray());
            return ($"{free}{bound},{bound}{output}->{free}{output}", freeDims + outputDims);
        }

        /// <summary>
        /// Keras's <c>_build_attention_equation</c>: the query-key product <c>(batch dims, heads, query attention dims, key
        /// attention dims)</c> and the combination with the values, for projected tensors of rank <paramref name="rank"/>.
        /// </summary>
        private static (string DotProduct, string Combine, int ScoresRank) AttentionEquation(int rank, int[] attentionAxes)
        {
            var target = Enumerable.Range(0, rank).Select(Letter).ToArray();
            var batchDims = Enumerable.Range(0, rank).Where(i => !attentionAxes.Contains(i) && i != rank - 1).ToArray();
            var source = new char[rank];
            int offset = rank;
            for (int i = 0; i < rank; i++)
                source[i] = batchDims.Contains(i) || i == rank - 1 ? target[i] : Letter(offset++);
            string product = new(batchDims.Select(i => target[i]).Concat(attentionAxes.Select(i => target[i]))
                .Concat(attentionAxes.Select(i => source[i])).ToArray());
            string sourceText = new(source), targetText = new(target);
            return ($"{sourceText},{targetText}->{product}", $"{product},{sourceText}->{targetText}", product.Length);
        }
    }
}
