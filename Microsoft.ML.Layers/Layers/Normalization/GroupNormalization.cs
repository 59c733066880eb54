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
    /// Group normalization (Keras's <c>GroupNormalization</c>): splits the features of <see cref="Axis"/> into
    /// <see cref="Groups"/> groups and normalizes each group of each sample by its own mean and biased variance (over
    /// the group's features and every other non-batch axis), then applies <c>gamma</c> and <c>beta</c> per feature.
    /// </summary>
    /// <remarks>
    /// <para><c>groups: 1</c> normalizes all features together (layer normalization with per-feature weights);
    /// <c>groups: -1</c> uses one group per feature (instance normalization). The statistics follow Keras's torch backend
    /// (<c>mean(x²) - mean(x)²</c>) in the compute dtype.</para>
    /// <para>Weights: <c>gamma</c> <c>(features,)</c> then <c>beta</c> <c>(features,)</c> when enabled. Input: any rank
    /// &gt;= 2 with a known size on <see cref="Axis"/>, divisible by the number of groups; output: the input's shape;
    /// masks pass through.</para>
    /// <code>
    /// var norm = new GroupNormalization(groups: 4);
    /// Tensor y = norm.Apply(torch.randn(2, 8, 8, 16));   // 4 groups of 4 channels
    /// </code>
    /// </remarks>
    [RegisterLayer("GroupNormalization")]
    public sealed class GroupNormalization : AffineNormalization, IOnnxExportable
    {
        private long[] _reductionAxes = Array.Empty<long>();
        private long[] _broadcastShape = Array.Empty<long>();
        private int _position;

        /// <summary>Creates a group normalization layer.</summary>
        /// <param name="groups">The number of groups, dividing the number of features; -1 for one group per feature.</param>
        /// <param name="axis">The features axis.</param>
        /// <param name="epsilon">Added to the variance to avoid dividing by zero.</param>
        /// <param name="center">Whether to add the learned offset <c>beta</c>.</param>
        /// <param name="scale">Whether to multiply by the learned scale <c>gamma</c>.</param>
        /// <param name="betaInitializer">Default <c>zeros</c>.</param>
        /// <param name="gammaInitializer">Default <c>ones</c>.</param>
        /// <param name="betaRegularizer">Penalty on <c>beta</c>.</param>
        /// <param name="gammaRegularizer">Penalty on <c>gamma</c>.</param>
        /// <param name="betaConstraint">Projection of <c>beta</c> after each optimizer step.</param>
        /// <param name="gammaConstraint">Projection of <c>gamma</c> after each optimizer step.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="groups"/> is neither positive nor -1.</exception>
        public GroupNormalization(int groups = 32, int axis = -1, double epsilon = 1e-3, bool center = true, bool scale = true,
            Initializer? betaInitializer = null, Initializer? gammaInitializer = null,
            Regularizer? betaRegularizer = null, Regularizer? gammaRegularizer = null,
            Constraint? betaConstraint = null, Constraint? gammaConstraint = null,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(center, scale, betaInitializer, gammaInitializer, betaRegularizer, gammaRegularizer, betaConstraint, gammaConstraint,
                name, trainable, dtype)
        {
            if (groups != -1 && groups <= 0)
                throw new ArgumentOutOfRangeException(nameof(groups),
                    $"Received an invalid value for `groups`, expected a positive integer or -1. Received: groups={groups}");
            Groups = groups;
            Axis = axis;
            Epsilon = epsilon;
        }

        /// <summary>The number of groups; -1 (one per feature) until the layer is built, then the number of features.</summary>
        public int Groups { get; private set; }

        /// <summary>The features axis.</summary>
        public int Axis { get; }

        /// <summary>Added to the variance to avoid dividing by zero.</summary>
        public double Epsilon { get; }

        /// <inheritdoc />
        protected override void Build(Shape inputShape)
        {
            int rank = inputShape.Rank;
            _position = NormalizationMath.ResolveAxes(this, new[] { Axis }, rank, inputShape)[0];
            long features = inputShape[_position];
            string prefix = $"Layer '{Name}' (GroupNormalization): ";
            if (features == Shape.Unknown)
                throw new ArgumentException($"{prefix}Axis {Axis} of input tensor should have a defined dimension but the layer received " +
                    $"an input with shape {inputShape}.");
            if (Groups == -1)
                Groups = checked((int)features);
            if (features < Groups)
                throw new ArgumentException($"{prefix}Number of groups ({Groups}) cannot be more than the number of channels " +
                    $"({features}). Received: input_shape={inputShape}.");
            if (features % Groups != 0)
                throw new ArgumentException($"{prefix}Number of groups ({Groups}) must be a multiple of the number of channels " +
                    $"({features}). Received: input_shape={inputShape}.");

            InputSpec = new InputSpec { NDim = rank, Axes = new Dictionary<int, long> { [Axis] = features } };
            AddGammaAndBeta(new Shape(features), withGamma: Scale, withBeta: Center, autocast: true);

            // The grouped tensor replaces the features axis by (groups, features / groups); statistics are over every axis
            // but the batch and the groups.
            _reductionAxes = Enumerable.Range(1, rank).Where(i => i != _position).Select(i => (long)i).ToArray();
            var broadcast = Enumerable.Repeat(1L, rank + 1).ToArray();
            broadcast[_position] = Groups;
            broadcast[_position + 1] = features / Groups;
            _broadcastShape = broadcast;
        }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            var shape = inputs.shape;
            var grouped = shape.Take(_position).Concat(new[] { (long)Groups, shape[_position] / Groups }).Concat(shape.Skip(_position + 1))
                .ToArray();
            var x = inputs.reshape(grouped);

            var (mean, variance) = NormalizationMath.Moments(x, _reductionAxes);
            var inverse = variance.AddScalar(Epsilon).rsqrt();
            if (Gamma is not null)
                inverse = inverse * Gamma.reshape(_broadcastShape).to(x.dtype);
            var offset = -mean * inverse;
            if (Beta is not null)
                offset = offset.Plus(Beta.reshape(_broadcastShape).to(x.dtype));
            return (x * inverse).Plus(offset).reshape(shape);
        }

        /// <summary>Reshapes to the grouped form, normalizes each group with Keras's moments, reshapes back to the input's
        /// runtime shape.</summary>
        /// <exception cref="NotSupportedException">More than one unknown size besides the batch axis.</exception>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
        {
            var dims = input.Shape.ToArray();
            if (dims.Skip(1).Count(d => d == Shape.Unknown) > 1)
                throw context.Unsupported($"the input shape {input.Shape} has more than one unknown size besides the batch axis.");
            var grouped = dims.Take(_position).Select((d, i) => i == 0 ? 0L : d)
                .Concat(new[] { (long)Groups, dims[_position] / Groups }).Concat(dims.Skip(_position + 1))
                .Select(d => d == Shape.Unknown ? -1L : d).ToArray();
            var x = context.Reshape(input.Name, grouped);
            var (mean, variance) = NormalizationMath.OnnxMoments(context, x, _reductionAxes, twoPass: false);
            var inverse = NormalizationMath.OnnxInverseStd(context, variance, Epsilon);
            if (Gamma is not null)
                inverse = context.Node("Mul", inverse, context.Weight(Gamma.reshape(_broadcastShape), "gamma"));
            var offset = context.Node("Neg", context.Node("Mul", mean, inverse));
            if (Beta is not null)
                offset = context.Node("Add", offset, context.Weight(Beta.reshape(_broadcastShape), "beta"));
            var outputs = context.Node("Add", context.Node("Mul", x, inverse), offset);
            return context.Node("Reshape", outputs, context.Node("Shape", input.Name));
        }

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        /// <inheritdoc />
        public override LayerConfig GetConfig()
        {
            var config = base.GetConfig().With("groups", Groups).With("axis", Axis).With("epsilon", Epsilon);
            return WithBetaAndGammaComponents(WithCenterAndScale(config));
        }
    }
}
