using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Onnx;
using Microsoft.ML.Layers.Regularizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Infrastructure
{
    /// <summary>
    /// What the projected-head attention layers share (<see cref="MultiHeadAttention"/>, <see cref="GroupQueryAttention"/>):
    /// Keras's call arguments (<see cref="UseCausalMask"/>, <see cref="ReturnAttentionScores"/>, and per call through
    /// <see cref="Attend"/>), the combined attention mask, the einsum projections with their weights, initializers,
    /// regularizers and constraints, and the scaled dot-product attention with its masked softmax and dropout.
    /// </summary>
    /// <remarks>
    /// <para>Inputs: a list <c>[query, value]</c> or <c>[query, value, key]</c>; without a key, the value is the key. Masks, as
    /// Keras's <c>_compute_attention_mask</c>: the query mask <c>(batch, T)</c>, the value and key masks <c>(batch, S)</c>, the
    /// causal mask and an explicit attention mask <c>(batch, T, S)</c> are combined with AND; <c>false</c> means "does not
    /// attend". The output carries the query mask.</para>
    /// <para>As in Keras, without dropout and without returned scores (and for rank-4 projections) the attention runs through
    /// libtorch's <c>scaled_dot_product_attention</c>, where a query step that may attend to nothing gets the mean of the
    /// values; otherwise through einsum and a masked softmax, where it gets zeros.</para>
    /// </remarks>
    public abstract class BaseMultiHeadAttention : Layer, ICausalMasking
    {
        [ThreadStatic]
        private static PendingCall? _pending;

        /// <summary>Per-call options of <see cref="Attend"/>, read by the call it wraps.</summary>
        private sealed record PendingCall(BaseMultiHeadAttention Layer, Tensor? AttentionMask, bool UseCausalMask,
            bool ReturnAttentionScores);

        private protected BaseMultiHeadAttention(double dropout, bool useBias,
            Initializer? kernelInitializer, Initializer? biasInitializer,
            Regularizer? kernelRegularizer, Regularizer? biasRegularizer, Regularizer? activityRegularizer,
            Constraint? kernelConstraint, Constraint? biasConstraint, int? seed,
            string? name, bool trainable, ScalarType? dtype)
            : base(name, trainable, dtype)
        {
            Dropout = Arguments.Rate(dropout, "dropout");
            UseBias = useBias;
            KernelInitializer = kernelInitializer ?? Initializer.GlorotUniform();
            BiasInitializer = biasInitializer ?? Initializer.Zeros();
            KernelRegularizer = kernelRegularizer;
            BiasRegularizer = biasRegularizer;
            ProjectionActivityRegularizer = activityRegularizer;
            KernelConstraint = kernelConstraint;
            BiasConstraint = biasConstraint;
            Seed = seed;
            DropoutGenerator = dropout > 0 ? AttentionMath.GeneratorFor(seed) : null;
            SupportsMasking = true;
        }

        /// <summary>The fraction of attention probabilities dropped in training.</summary>
        public double Dropout { get; }

        /// <summary>Whether the projections add biases.</summary>
        public bool UseBias { get; }

        /// <summary>The initializer of the four kernels.</summary>
        public Initializer KernelInitializer { get; }

        /// <summary>The initializer of the four biases.</summary>
        public Initializer BiasInitializer { get; }

        /// <summary>The penalty on the four kernels, if any.</summary>
        public Regularizer? KernelRegularizer { get; }

        /// <summary>The penalty on the four biases, if any.</summary>
        public Regularizer? BiasRegularizer { get; }

        /// <summary>The penalty on the output of each projection (Keras's <c>activity_regularizer</c> of this layer), if any.</summary>
        public Regularizer? ProjectionActivityRegularizer { get; }

        /// <summary>The constraint of the four kernels, if any.</summary>
        public Constraint? KernelConstraint { get; }

        /// <summary>The constraint of the four biases, if any.</summary>
        public Constraint? BiasConstraint { get; }

        /// <summary>The dropout seed, if any.</summary>
        public int? Seed { get; }

        /// <summary>Keras's call argument <c>use_causal_mask</c> for every call: query step <c>i</c> attends only to steps
        /// <c>j &lt;= i</c>.</summary>
        public bool UseCausalMask { get; set; }

        /// <summary>Keras's call argument <c>return_attention_scores</c> for every call: <c>ApplyAll</c> then returns
        /// <c>[output, scores]</c>.</summary>
        public bool ReturnAttentionScores { get; set; }

        private protected Generator? DropoutGenerator { get; }

        /// <summary>
        /// Calls the layer with Keras's call arguments (<c>layer(query, value, key, attention_mask=..., use_causal_mask=...,
        /// return_attention_scores=...)</c>) through <see cref="Layer.ApplyAll(IReadOnlyList{Tensor}, bool?, IReadOnlyList{Tensor?}?)"/>.
        /// </summary>
        /// <param name="query">The query, <c>(batch, T, dim)</c>.</param>
        /// <param name="value">The value, <c>(batch, S, dim_v)</c>.</param>
        /// <param name="key">The key, <c>(batch, S, dim_k)</c>; the value by default.</param>
        /// <param name="attentionMask">A boolean mask <c>(batch, T, S)</c> (or broadcastable): true where query step t may attend to step
        /// s.</param>
        /// <param name="useCausalMask">Whether to add the causal mask; <see cref="UseCausalMask"/> by default.</param>
        /// <param name="returnAttentionScores">Whether to compute and return the scores; <see cref="ReturnAttentionScores"/> by
        /// default.</param>
        /// <param name="training">Whether dropout is active; inherited, else inference, by default.</param>
        /// <param name="queryMask">The query's mask <c>(batch, T)</c>; the mask attached to <paramref name="query"/> by default.</param>
        /// <param name="valueMask">The value's mask <c>(batch, S)</c>; the mask attached to <paramref name="value"/> by default.</param>
        /// <param name="keyMask">The key's mask <c>(batch, S)</c>; the mask attached to <paramref name="key"/> by default.</param>
        /// <returns>The output, and the scores <c>(batch, heads, T, S)</c> when they are returned.</returns>
        /// <exception cref="ArgumentException">An attention mask is given with symbolic inputs (models record no per-call
        /// options).</exception>
        public (Tensor Output, Tensor? Scores) Attend(Tensor query, Tensor value, Tensor? key = null, Tensor? attentionMask = null,
            bool? useCausalMask = null, bool? returnAttentionScores = null, bool? training = null,
            Tensor? queryMask = null, Tensor? valueMask = null, Tensor? keyMask = null)
        {
            ArgumentNullException.ThrowIfNull(query);
            ArgumentNullException.ThrowIfNull(value);
            var inputs = key is null ? new[] { query, value } : new[] { query, value, key };
            if (attentionMask is not null && inputs.Any(KerasTensor.IsSymbolic))
                throw AttentionMath.Error(this,
                    "an attention mask cannot be passed with symbolic inputs: a model records no per-call arguments. Use masks flowing " +
                    "from the inputs, or UseCausalMask.");
            var explicitMasks = new[] { queryMask, valueMask, keyMask };
            Tensor?[]? masks = explicitMasks.Any(m => m is not null)
                ? inputs.Select((t, i) => explicitMasks[i] ?? KerasMask.Get(t)).ToArray()
                : null;
            var previous = _pending;
            _pending = new PendingCall(this, attentionMask, useCausalMask ?? UseCausalMask, returnAttentionScores ?? ReturnAttentionScores);
            try
            {
                var outputs = ApplyAll(inputs, training, masks);
                return (outputs[0], outputs.Count > 1 ? outputs[1] : null);
            }
            finally
            {
                _pending = previous;
            }
        }

        /// <inheritdoc />
        protected override void Build(Shape inputShape) => throw ListRequired();

        private protected ArgumentException ListRequired()
            => AttentionMath.Error(this, "must be called on a list of inputs, namely [query, value] or [query, value, key].");

        /// <summary>Checks the shapes of <c>[query, value]</c> or <c>[query, value, key]</c>; returns them, the key being the value
        /// when absent.</summary>
        private protected abstract (Shape Query, Shape Value, Shape Key) ValidateShapes(IReadOnlyList<Shape> shapes);

        /// <summary>The layer's computation after the mask: projections, attention, output projection; returns
        /// <c>[output]</c> or <c>[output, scores]</c>.</summary>
        private protected abstract IReadOnlyList<Tensor> CallAttention(Tensor query, Tensor value, Tensor key, Tensor? attentionMask,
            bool? training, bool returnScores);

        /// <summary>Fails: attention takes a list of tensors.</summary>
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null) => throw ListRequired();

        /// <inheritdoc />
        protected override Tensor Call(IReadOnlyList<Tensor> inputs, bool? training = null, IReadOnlyList<Tensor?>? masks = null)
            => CallOutputs(inputs, singleInput: false, training, masks ?? new Tensor?[inputs.Count])[0];

        /// <inheritdoc />
        protected override IReadOnlyList<Tensor> CallOutputs(IReadOnlyList<Tensor> inputs, bool singleInput, bool? training,
            IReadOnlyList<Tensor?> masks)
        {
            if (singleInput)
                throw ListRequired();
            ValidateShapes(inputs.Select(Shape.Of).ToList());
            var pending = _pending is { } p && ReferenceEquals(p.Layer, this) ? p : null;
            bool returnScores = pending?.ReturnAttentionScores ?? ReturnAttentionScores;

            var query = inputs[0];
            var value = inputs[1];
            var key = inputs.Count > 2 ? inputs[2] : value;
            var attentionMask = ComputeAttentionMask(query, value,
                queryMask: masks.Count > 0 ? masks[0] : null,
                valueMask: masks.Count > 1 ? masks[1] : null,
                keyMask: masks.Count > 2 ? masks[2] : null,
                attentionMask: pending?.AttentionMask,
                useCausalMask: pending?.UseCausalMask ?? UseCausalMask);
            return CallAttention(query, value, key, attentionMask, training, returnScores);
        }

        /// <summary>A projection's kernel and (with <see cref="UseBias"/>) bias, named <c>&lt;name&gt;/kernel</c> and
        /// <c>&lt;name&gt;/bias</c> as Keras's <c>EinsumDense</c> sublayers name them.</summary>
        private protected (Parameter Kernel, Parameter? Bias) AddProjection(string name, Shape kernelShape, Shape biasShape)
        {
            var kernel = AddWeight($"{name}/kernel", kernelShape, KernelInitializer, regularizer: KernelRegularizer,
                constraint: KernelConstraint);
            var bias = UseBias
                ? AddWeight($"{name}/bias", biasShape, BiasInitializer, regularizer: BiasRegularizer, constraint: BiasConstraint) : null;
            return (kernel, bias);
        }

        // Keras's EinsumDense call: einsum, plus the bias; its activity regularizer adds a loss normalized by the batch size.
        private protected Tensor Project(string equation, Tensor x, Parameter kernel, Parameter? bias)
        {
            var y = einsum(equation, x, kernel);
            if (bias is not null)
                y = y.Plus(bias);
            if (ProjectionActivityRegularizer is not null)
                AddLoss(ProjectionActivityRegularizer.Compute(y).DivScalar(y.shape[0]));
            return y;
        }

        /// <summary>Keras's <c>_compute_attention_mask</c>: the AND of the query, value, key, causal and explicit masks,
        /// <c>(batch, T, S)</c> or null.</summary>
        private static Tensor? ComputeAttentionMask(Tensor query, Tensor value, Tensor? queryMask, Tensor? valueMask, Tensor? keyMask,
            Tensor? attentionMask, bool useCausalMask)
        {
            Tensor? auto = queryMask?.to(ScalarType.Bool).unsqueeze(-1);
            foreach (var mask in new[] { valueMask, keyMask })
            {
                if (mask is null)
                    continue;
                var expanded = mask.to(ScalarType.Bool).unsqueeze(-2);
                auto = auto is null ? expanded : auto.logical_and(expanded);
            }
            if (useCausalMask)
            {
                var causal = AttentionMath.CausalMask(query.shape[1], value.shape[1], query.device);
                auto = auto is null ? causal : auto.logical_and(causal);
            }
            var given = attentionMask?.to(ScalarType.Bool);
            if (auto is null)
                return given;
            return given is null ? auto : given.logical_and(auto);
        }

        /// <summary>
        /// Scaled dot-product attention of projected tensors: the scores <c>einsum(dotProductEquation, key, query * scale)</c>,
        /// the mask, the softmax over <paramref name="normAxes"/>, dropout in training, and
        /// <c>einsum(combineEquation, probabilities, value)</c>; through libtorch's fused kernel when Keras would use
        /// <c>dot_product_attention</c> (its scale, <c>1 / sqrt(query's last dimension)</c>, must be <paramref name="scale"/>).
        /// </summary>
        private protected (Tensor Output, Tensor? Scores) ComputeAttention(Tensor query, Tensor key, Tensor value, Tensor? mask,
            bool? training, bool returnScores, double scale, string dotProductEquation, string combineEquation, int[] normAxes)
        {
            int expansionAxis = -normAxes.Length * 2 - 1;
            if (!(Dropout > 0 || returnScores || query.ndim != 4))
            {
                // Keras's ops.dot_product_attention on torch: scaled_dot_product_attention on (batch, heads, T, size), the
                // boolean mask turned into an additive one of 0 and a large negative number. Its default scale is Keras's
                // 1 / sqrt(key_dim).
                Tensor? additive = null;
                if (mask is not null)
                {
                    while (mask.ndim < 4)
                        mask = mask.unsqueeze(expansionAxis);
                    additive = zeros(mask.shape, query.dtype, query.device)
                        .MaskedFillScalar(mask.logical_not(), LargeNegative(query.dtype));
                }
                var attended = nn.functional.scaled_dot_product_attention(query.transpose(1, 2), key.transpose(1, 2), value.transpose(1, 2),
                    additive);
                return (attended.transpose(1, 2), null);
            }

            var scaled = query * tensor(scale, query.dtype, query.device);
            var scores = einsum(dotProductEquation, key, scaled);
            if (mask is not null)
            {
                while (mask.ndim < scores.ndim)
                    mask = mask.unsqueeze(expansionAxis);
                // Keras's Softmax layer with a mask: masked logits become -1e9, masked probabilities 0.
                scores = scores.MaskedFillScalar(mask.logical_not(), scores.dtype == ScalarType.Float16 ? -3e4 : -1e9);
            }
            var probabilities = MaskedSoftmax(scores, normAxes);
            if (mask is not null)
                probabilities = probabilities.masked_fill(mask.logical_not(), Scalars.Zero);
            var dropped = training == true && Dropout > 0 ? AttentionMath.Dropout(probabilities, Dropout, DropoutGenerator)
                : probabilities;
            return (einsum(combineEquation, dropped, value), probabilities);
        }

        private static Tensor MaskedSoftmax(Tensor scores, int[] normAxes)
        {
            if (normAxes.Length == 1)
                return AttentionMath.Softmax(scores, normAxes[0]);
            // exp(x - logsumexp(x)) over the trailing attention axes.
            int first = normAxes[0];
            var logSum = scores.flatten(first).logsumexp(-1, keepdim: true);
            var shape = scores.shape.Take(first).Concat(Enumerable.Repeat(1L, normAxes.Length)).ToArray();
            return (scores - logSum.reshape(shape)).exp();
        }

        // Keras's _get_large_negative: 0.7 of the largest finite value (of float16, or else of float32/bfloat16).
        private static double LargeNegative(ScalarType dtype) => dtype == ScalarType.Float16 ? 65500.0 * -0.7 : 3.38953e38 * -0.7;

        /// <summary>An ONNX <c>Einsum</c> of two values.</summary>
        private protected static string Einsum(OnnxExportContext context, string equation, string a, string b)
            => context.Node("Einsum", new[] { a, b }, new OnnxAttributes { { "equation", equation } });

        /// <summary>A projection in ONNX: <c>Einsum</c> with the kernel, plus the bias.</summary>
        private protected static string ExportProjection(OnnxExportContext context, string equation, string x, Parameter kernel,
            Parameter? bias, string name)
        {
            var y = Einsum(context, equation, x, context.Weight(kernel, name + "/kernel"));
            return bias is null ? y : context.Node("Add", y, context.Weight(bias, name + "/bias"));
        }

        /// <summary>
        /// The attention of projected values in ONNX: the query scaled by <paramref name="scale"/>, the scores
        /// <c>Einsum(dotProductEquation, k, q)</c>, with <see cref="UseCausalMask"/> future scores set to -1e9 (rank-3 inputs
        /// <paramref name="query"/> and <paramref name="value"/> give the steps), the softmax and
        /// <c>Einsum(combineEquation, probabilities, v)</c>.
        /// </summary>
        private protected (string Attended, string Probabilities) ExportAttention(OnnxExportContext context, string query, string value,
            string q, string k, string v, double scale, string dotProductEquation, string combineEquation, int[] normAxes)
        {
            var scaled = context.Node("Mul", q, context.Constant((float)scale));
            var scores = Einsum(context, dotProductEquation, k, scaled);
            if (UseCausalMask)
                scores = context.Node("Where", AttentionMath.ExportCausalFuture(context, query, value), context.Constant(-1e9f), scores);
            var probabilities = ExportSoftmax(context, scores, normAxes);
            return (Einsum(context, combineEquation, probabilities, v), probabilities);
        }

        /// <summary>The softmax over the trailing attention axes: over the last axis, or over the trailing axes flattened into one
        /// (<c>Reshape</c>, <c>Softmax</c>, <c>Reshape</c> back), the same for every opset.</summary>
        private protected static string ExportSoftmax(OnnxExportContext context, string scores, int[] normAxes)
        {
            if (normAxes.Length == 1)
                return context.Node("Softmax", new[] { scores }, new OnnxAttributes { { "axis", -1 } });
            int first = normAxes[0];
            var flat = context.Reshape(scores, Enumerable.Repeat(0L, first).Append(-1L).ToArray());
            var softmax = context.Node("Softmax", new[] { flat }, new OnnxAttributes { { "axis", -1 } });
            return context.Node("Reshape", softmax, context.Node("Shape", scores));
        }

        /// <summary>The query mask, if any (Keras puts it on the output).</summary>
        public override Tensor? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?>? masks)
            => masks is { Count: > 0 } ? masks[0] : null;

        /// <summary>Writes the keys both layers end their configs with, in Keras's order: the initializers, regularizers,
        /// constraints and the seed.</summary>
        private protected LayerConfig WithProjectionConfig(LayerConfig config) => config
            .With("kernel_initializer", KernelInitializer)
            .With("bias_initializer", BiasInitializer)
            .With("kernel_regularizer", KernelRegularizer)
            .With("bias_regularizer", BiasRegularizer)
            .With("activity_regularizer", ProjectionActivityRegularizer)
            .With("kernel_constraint", KernelConstraint)
            .With("bias_constraint", BiasConstraint)
            .With("seed", Seed);
    }
}
