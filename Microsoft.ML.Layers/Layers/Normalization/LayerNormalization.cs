using System;
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
    /// Layer normalization (Keras's <c>LayerNormalization</c>): normalizes each sample over <see cref="Axis"/> by its own
    /// mean and biased variance, <c>gamma * (x - mean) / sqrt(variance + epsilon) + beta</c>.
    /// </summary>
    /// <remarks>
    /// <para>The statistics are computed in at least float32 (half-precision inputs are normalized in float32 and cast back),
    /// and <c>gamma</c>/<c>beta</c> stay in the variable dtype under a mixed policy, as in Keras. When the axes are the
    /// trailing axes, libtorch's <c>layer_norm</c> computes it, as Keras's torch backend does; otherwise Keras's moments.</para>
    /// <para>Weights: <c>gamma</c> (when <c>scale</c>, or <c>rms_scaling</c>) and <c>beta</c> (when <c>center</c> and not
    /// <c>rms_scaling</c>), each of the input's sizes on <see cref="Axis"/>, in the order the axes are given. Input: any
    /// rank; output: the input's shape; masks pass through.</para>
    /// <para><c>rms_scaling</c> is deprecated in Keras (it scales by the variance, not the root mean square): it divides
    /// by <c>sqrt(variance + epsilon)</c> without centering, then multiplies by <c>gamma</c>.</para>
    /// <code>
    /// var norm = new LayerNormalization();                       // over the last axis
    /// Tensor y = norm.Apply(torch.randn(8, 5, 16));              // gamma and beta are (16,)
    /// var wide = new LayerNormalization(axis: new[] { 1, 2 });   // gamma and beta are (5, 16)
    /// </code>
    /// </remarks>
    [RegisterLayer("LayerNormalization")]
    public sealed class LayerNormalization : AffineNormalization, IOnnxExportable
    {
        private readonly bool _axisIsList;
        private int[] _axes = Array.Empty<int>();
        private long[] _parameterShape = Array.Empty<long>();
        private long[] _broadcastShape = Array.Empty<long>();
        private bool _trailing;

        /// <summary>Creates a layer normalization layer.</summary>
        /// <param name="axis">The axis or axes to normalize over; <c>-1</c> (the last) by default.</param>
        /// <param name="epsilon">Added to the variance to avoid dividing by zero.</param>
        /// <param name="center">Whether to add the learned offset <c>beta</c>.</param>
        /// <param name="scale">Whether to multiply by the learned scale <c>gamma</c>.</param>
        /// <param name="betaInitializer">Default <c>zeros</c>.</param>
        /// <param name="gammaInitializer">Default <c>ones</c>.</param>
        /// <param name="betaRegularizer">Penalty on <c>beta</c>.</param>
        /// <param name="gammaRegularizer">Penalty on <c>gamma</c>.</param>
        /// <param name="betaConstraint">Projection of <c>beta</c> after each optimizer step.</param>
        /// <param name="gammaConstraint">Projection of <c>gamma</c> after each optimizer step.</param>
        /// <param name="rmsScaling">Keras's deprecated variance scaling without centering (a warning is written).</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        /// <exception cref="ArgumentException"><paramref name="axis"/> is empty.</exception>
        public LayerNormalization(IntTuple? axis = null, double epsilon = 1e-3, bool center = true, bool scale = true,
            Initializer? betaInitializer = null, Initializer? gammaInitializer = null,
            Regularizer? betaRegularizer = null, Regularizer? gammaRegularizer = null,
            Constraint? betaConstraint = null, Constraint? gammaConstraint = null,
            bool rmsScaling = false,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(center, scale, betaInitializer, gammaInitializer, betaRegularizer, gammaRegularizer, betaConstraint, gammaConstraint,
                name, trainable, dtype)
        {
            var axes = (axis ?? new IntTuple(-1)).Values;
            if (axes.Length == 0)
                throw new ArgumentException("Expected an int or a list/tuple of ints for the argument 'axis'. Received: axis=()",
                    nameof(axis));
            Axis = axes;
            _axisIsList = axes.Length > 1;
            Epsilon = epsilon;
            RmsScaling = rmsScaling;
            if (rmsScaling)
            {
                WarningWriter("You passed `rms_scaling=True`, which is deprecated. This argument incorrectly scales the input by the " +
                    "variance, not the root mean square. To correctly use RMS Normalization, please use `keras.layers.RMSNormalization` " +
                    "instead.");
            }
        }

        /// <summary>The axes normalized over, as given.</summary>
        public int[] Axis { get; }

        /// <summary>Added to the variance to avoid dividing by zero.</summary>
        public double Epsilon { get; }

        /// <summary>Whether Keras's deprecated variance scaling without centering is used.</summary>
        public bool RmsScaling { get; }

        /// <inheritdoc />
        protected override void Build(Shape inputShape)
        {
            int rank = inputShape.Rank;
            var positions = NormalizationMath.ResolveAxes(this, Axis, rank, inputShape);
            _parameterShape = positions.Select(p => inputShape[p]).ToArray();
            if (_parameterShape.Any(d => d == Shape.Unknown))
                throw new ArgumentException($"Layer '{Name}' (LayerNormalization) needs known sizes on the normalized axes " +
                    $"{NormalizationMath.Describe(Axis)}. Received: input_shape={inputShape}.");
            _axes = positions.OrderBy(p => p).ToArray();
            _broadcastShape = NormalizationMath.BroadcastShape(rank, _axes, _axes.Select(p => inputShape[p]).ToArray());
            _trailing = _axes.Select((p, i) => p == rank - _axes.Length + i).All(b => b);
            AddGammaAndBeta(new Shape(_parameterShape), withGamma: Scale || RmsScaling, withBeta: Center && !RmsScaling, autocast: false);
            // The weights are broadcast in the build rank; only the normalized axes' sizes are fixed (not the last axis).
            InputSpec = new InputSpec { NDim = rank, Axes = positions.Distinct().ToDictionary(p => p, p => inputShape[p]) };
        }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            var inputDType = inputs.dtype;
            // Keras computes in at least float32 for stability in half precision.
            var x = inputDType == ScalarType.Float64 ? inputs : inputs.to(ScalarType.Float32);
            var gamma = Gamma?.to(x.dtype).reshape(_broadcastShape);
            var beta = Beta?.to(x.dtype).reshape(_broadcastShape);
            var axes = _axes.Select(a => (long)a).ToArray();

            Tensor outputs;
            if (RmsScaling)
            {
                outputs = x * x.var(axes, unbiased: false, keepdim: true).AddScalar(Epsilon).rsqrt();
                if (gamma is not null)
                    outputs = outputs * gamma;
            }
            else if (_trailing)
            {
                var normalizedShape = axes.Select(a => x.shape[a]).ToArray();
                outputs = nn.functional.layer_norm(x, normalizedShape, gamma?.reshape(normalizedShape), beta?.reshape(normalizedShape),
                    Epsilon);
            }
            else
            {
                var (mean, variance) = NormalizationMath.Moments(x, axes);
                var inverse = variance.AddScalar(Epsilon).rsqrt();
                if (gamma is not null)
                    inverse = inverse * gamma;
                var offset = -mean * inverse;
                if (beta is not null)
                    offset = offset.Plus(beta);
                outputs = (x * inverse).Plus(offset);
            }
            return outputs.dtype == inputDType ? outputs : outputs.to(inputDType);
        }

        /// <summary>Primitive operators (the <c>LayerNormalization</c> operator only exists from opset 17): the mean and biased
        /// variance over the axes (two-pass as libtorch's <c>layer_norm</c> and <c>var</c>, one-pass as Keras's moments otherwise),
        /// then the scale and offset.</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
        {
            var x = input.Name;
            var axes = _axes.Select(a => (long)a).ToArray();
            var gamma = Gamma is null ? null : context.Weight(Gamma.reshape(_broadcastShape), "gamma");
            var beta = Beta is null ? null : context.Weight(Beta.reshape(_broadcastShape), "beta");
            var (mean, variance) = NormalizationMath.OnnxMoments(context, x, axes, twoPass: RmsScaling || _trailing);
            var inverse = NormalizationMath.OnnxInverseStd(context, variance, Epsilon);
            if (RmsScaling)
            {
                var scaled = context.Node("Mul", x, inverse);
                return gamma is null ? scaled : context.Node("Mul", scaled, gamma);
            }
            if (gamma is not null)
                inverse = context.Node("Mul", inverse, gamma);
            if (_trailing)
            {
                var normalized = context.Node("Mul", context.Node("Sub", x, mean), inverse);
                return beta is null ? normalized : context.Node("Add", normalized, beta);
            }
            var offset = context.Node("Neg", context.Node("Mul", mean, inverse));
            if (beta is not null)
                offset = context.Node("Add", offset, beta);
            return context.Node("Add", context.Node("Mul", x, inverse), offset);
        }

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        /// <inheritdoc />
        public override LayerConfig GetConfig()
        {
            // Keras turns an int axis into a list when it builds.
            object axis = _axisIsList || Built ? Axis : Axis[0];
            var config = WithCenterAndScale(base.GetConfig().With("axis", axis).With("epsilon", Epsilon))
                .With("rms_scaling", RmsScaling);
            return WithBetaAndGammaComponents(config);
        }
    }
}
