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
    /// Batch normalization (Keras's <c>BatchNormalization</c>): normalizes each feature of <see cref="Axis"/> by a mean and a
    /// variance, <c>gamma * (x - mean) / sqrt(variance + epsilon) + beta</c>.
    /// </summary>
    /// <remarks>
    /// <para>In training (<c>training: true</c> on a trainable layer) the statistics are the batch's: the mean and the biased
    /// variance over every axis but <see cref="Axis"/>, computed as Keras's torch backend does
    /// (<c>mean(x²) - mean(x)²</c>), and the moving statistics are updated as
    /// <c>moving = moving * momentum + batch * (1 - momentum)</c>. In inference, and whenever the layer is frozen
    /// (<c>Trainable = false</c>), it normalizes with the moving statistics and changes nothing.</para>
    /// <para>With a mask (one dimension less than the input, e.g. <c>(batch, time)</c>), the batch statistics are
    /// weighted by it, so masked steps do not count; the mask passes through to the output.</para>
    /// <para>Weights, in Keras's order: <c>gamma</c> <c>(features,)</c> and <c>beta</c> <c>(features,)</c> (trainable, when
    /// <c>scale</c>/<c>center</c>), then <c>moving_mean</c> and <c>moving_variance</c> <c>(features,)</c>, not trainable.
    /// All four stay in the variable dtype under a mixed policy, and half-precision inputs are normalized in float32,
    /// as in Keras. Input: any rank; output: the input's shape.</para>
    /// <code>
    /// var bn = new BatchNormalization();
    /// Tensor y = bn.Apply(torch.randn(32, 10), training: true);   // batch statistics; moving statistics move by 1%
    /// Tensor z = bn.Apply(torch.randn(4, 10));                     // moving statistics
    /// </code>
    /// </remarks>
    [RegisterLayer("BatchNormalization")]
    public sealed class BatchNormalization : AffineNormalization, IOnnxExportable
    {
        private Parameter? _movingMean;
        private Parameter? _movingVariance;
        private long[] _reductionAxes = Array.Empty<long>();
        private long[] _broadcastShape = Array.Empty<long>();

        /// <summary>Creates a batch normalization layer.</summary>
        /// <param name="axis">The features axis (typically the last; 1 for channels-first images).</param>
        /// <param name="momentum">The momentum of the moving averages.</param>
        /// <param name="epsilon">Added to the variance to avoid dividing by zero.</param>
        /// <param name="center">Whether to add the learned offset <c>beta</c>.</param>
        /// <param name="scale">Whether to multiply by the learned scale <c>gamma</c>.</param>
        /// <param name="betaInitializer">Default <c>zeros</c>.</param>
        /// <param name="gammaInitializer">Default <c>ones</c>.</param>
        /// <param name="movingMeanInitializer">Default <c>zeros</c>.</param>
        /// <param name="movingVarianceInitializer">Default <c>ones</c>.</param>
        /// <param name="betaRegularizer">Penalty on <c>beta</c>.</param>
        /// <param name="gammaRegularizer">Penalty on <c>gamma</c>.</param>
        /// <param name="betaConstraint">Projection of <c>beta</c> after each optimizer step.</param>
        /// <param name="gammaConstraint">Projection of <c>gamma</c> after each optimizer step.</param>
        /// <param name="synchronized">Keras's cross-replica statistics, TensorFlow only: must be false.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the layer trains; a frozen layer also runs in inference mode.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        /// <exception cref="ArgumentException"><paramref name="synchronized"/> is true.</exception>
        public BatchNormalization(int axis = -1, double momentum = 0.99, double epsilon = 1e-3, bool center = true, bool scale = true,
            Initializer? betaInitializer = null, Initializer? gammaInitializer = null,
            Initializer? movingMeanInitializer = null, Initializer? movingVarianceInitializer = null,
            Regularizer? betaRegularizer = null, Regularizer? gammaRegularizer = null,
            Constraint? betaConstraint = null, Constraint? gammaConstraint = null,
            bool synchronized = false,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(center, scale, betaInitializer, gammaInitializer, betaRegularizer, gammaRegularizer, betaConstraint, gammaConstraint,
                name, trainable, dtype)
        {
            if (synchronized)
                throw new ArgumentException("Argument synchronized=True is only supported with the TensorFlow backend. Received: " +
                    "synchronized=True", nameof(synchronized));
            Axis = axis;
            Momentum = momentum;
            Epsilon = epsilon;
            MovingMeanInitializer = movingMeanInitializer ?? Initializer.Zeros();
            MovingVarianceInitializer = movingVarianceInitializer ?? Initializer.Ones();
        }

        /// <summary>The features axis.</summary>
        public int Axis { get; }

        /// <summary>The momentum of the moving averages.</summary>
        public double Momentum { get; }

        /// <summary>Added to the variance to avoid dividing by zero.</summary>
        public double Epsilon { get; }

        /// <summary>The initializer of <c>moving_mean</c>.</summary>
        public Initializer MovingMeanInitializer { get; }

        /// <summary>The initializer of <c>moving_variance</c>.</summary>
        public Initializer MovingVarianceInitializer { get; }

        /// <summary>The moving mean, <c>(features,)</c>, not trainable; null before build.</summary>
        public Parameter? MovingMean => _movingMean;

        /// <summary>The moving variance, <c>(features,)</c>, not trainable; null before build.</summary>
        public Parameter? MovingVariance => _movingVariance;

        /// <inheritdoc />
        protected override void Build(Shape inputShape)
        {
            int rank = inputShape.Rank;
            int axis = NormalizationMath.ResolveAxes(this, new[] { Axis }, rank, inputShape)[0];
            long features = inputShape[axis];
            if (features == Shape.Unknown)
                throw new ArgumentException($"Layer '{Name}' (BatchNormalization) needs a known size on axis {Axis}. Received: " +
                    $"input_shape={inputShape}.");
            var shape = new Shape(features);
            AddGammaAndBeta(shape, withGamma: Scale, withBeta: Center, autocast: false);
            _movingMean = AddWeight("moving_mean", shape, MovingMeanInitializer, trainable: false, autocast: false);
            _movingVariance = AddWeight("moving_variance", shape, MovingVarianceInitializer, trainable: false, autocast: false);
            InputSpec = new InputSpec { NDim = rank, Axes = new Dictionary<int, long> { [Axis] = features } };
            _reductionAxes = Enumerable.Range(0, rank).Where(i => i != axis).Select(i => (long)i).ToArray();
            _broadcastShape = NormalizationMath.BroadcastShape(rank, new[] { axis }, new[] { features });
        }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            if (mask is not null && mask.ndim != inputs.ndim - 1)
            {
                throw new ArgumentException($"Layer '{Name}' (BatchNormalization): the mask provided should be one dimension less than " +
                    $"the inputs. Received: mask.shape={Shape.Of(mask)}, inputs.shape={Shape.Of(inputs)}");
            }
            var inputDType = inputs.dtype;
            // Half-precision statistics overflow: Keras normalizes float16/bfloat16 inputs in float32.
            var x = inputDType is ScalarType.Float16 or ScalarType.BFloat16 ? inputs.to(ScalarType.Float32) : inputs;

            Tensor mean, variance;
            if (training == true && Trainable)
            {
                (mean, variance) = mask is null ? NormalizationMath.Moments(x, _reductionAxes) : MaskedMoments(x, mask);
                mean = mean.reshape(-1);
                variance = variance.reshape(-1);
                using (no_grad())
                {
                    var movingMean = _movingMean!.to(x.dtype);
                    var movingVariance = _movingVariance!.to(x.dtype);
                    _movingMean.Assign(movingMean.MulScalar(Momentum).add(mean.detach().MulScalar(1.0 - Momentum), Scalars.IntOne));
                    _movingVariance.Assign(
                        movingVariance.MulScalar(Momentum).add(variance.detach().MulScalar(1.0 - Momentum), Scalars.IntOne));
                }
            }
            else
            {
                mean = _movingMean!.to(x.dtype);
                variance = _movingVariance!.to(x.dtype);
            }

            // Keras's torch batch_normalization: (x - mean) * (rsqrt(variance + epsilon) * gamma) + beta.
            var inverse = variance.reshape(_broadcastShape).AddScalar(Epsilon).rsqrt();
            if (Gamma is not null)
                inverse = inverse * Gamma.to(x.dtype).reshape(_broadcastShape);
            var outputs = (x - mean.reshape(_broadcastShape)) * inverse;
            if (Beta is not null)
                outputs = outputs.Plus(Beta.to(x.dtype).reshape(_broadcastShape));
            return outputs.dtype == inputDType ? outputs : outputs.to(inputDType);
        }

        /// <summary>The inference form: the moving statistics, <c>(x - mean) * (rsqrt(variance + epsilon) * gamma) + beta</c>.
        /// </summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
        {
            var variance = context.Weight(_movingVariance!.reshape(_broadcastShape), "moving_variance");
            var inverse = NormalizationMath.OnnxInverseStd(context, variance, Epsilon);
            if (Gamma is not null)
                inverse = context.Node("Mul", inverse, context.Weight(Gamma.reshape(_broadcastShape), "gamma"));
            var centered = context.Node("Sub", input.Name, context.Weight(_movingMean!.reshape(_broadcastShape), "moving_mean"));
            var outputs = context.Node("Mul", centered, inverse);
            return Beta is null ? outputs : context.Node("Add", outputs, context.Weight(Beta.reshape(_broadcastShape), "beta"));
        }

        /// <summary>Keras's masked moments: the mask (over all axes but the last) weights each step; backend epsilon 1e-7 guards the
        /// division.</summary>
        private (Tensor Mean, Tensor Variance) MaskedMoments(Tensor x, Tensor mask)
        {
            const double BackendEpsilon = 1e-7;
            var weights = mask.to(x.dtype).unsqueeze(-1);
            var weighted = weights * x;
            var count = weights.sum(_reductionAxes, keepdim: true).AddScalar(BackendEpsilon);
            var mean = weighted.sum(_reductionAxes, keepdim: true) / count;
            var variance = (weights * (weighted - mean).Squared()).sum(_reductionAxes, keepdim: true) / count;
            return (mean, variance);
        }

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        /// <inheritdoc />
        public override LayerConfig GetConfig()
        {
            var config = WithCenterAndScale(base.GetConfig()
                .With("axis", Axis)
                .With("momentum", Momentum)
                .With("epsilon", Epsilon));
            return WithBetaAndGammaComponents(config)
                .With("moving_mean_initializer", MovingMeanInitializer)
                .With("moving_variance_initializer", MovingVarianceInitializer)
                .With("synchronized", false);
        }
    }
}
