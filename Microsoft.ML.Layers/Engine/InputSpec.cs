using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// What a layer accepts (Keras's <c>InputSpec</c>): rank, per-axis sizes, full shape and dtype.
    /// <see cref="Layer.Apply(torch.Tensor, bool?, torch.Tensor?)"/>
    /// checks every input against it and fails with an error naming the layer, the expectation and the received shape.
    /// </summary>
    public sealed class InputSpec
    {
        /// <summary>The required dtype, or <see langword="null"/> for any.</summary>
        public torch.ScalarType? DType { get; init; }

        /// <summary>The required full shape (unknown dimensions match anything), or <see langword="null"/>.</summary>
        public Shape? Shape { get; init; }

        /// <summary>The exact rank required, or <see langword="null"/>.</summary>
        public int? NDim { get; init; }

        /// <summary>The smallest rank accepted, or <see langword="null"/>.</summary>
        public int? MinNDim { get; init; }

        /// <summary>The largest rank accepted, or <see langword="null"/>.</summary>
        public int? MaxNDim { get; init; }

        /// <summary>Required sizes of given axes (negative axes count from the end), e.g. <c>{ [-1] = 16 }</c>.</summary>
        public IReadOnlyDictionary<int, long>? Axes { get; init; }

        /// <summary>Checks one input; <paramref name="inputIndex"/> is its position among the layer's inputs.</summary>
        /// <exception cref="ArgumentException">The input does not fit; the message says how and suggests the fix.</exception>
        public void Check(Layer layer, Shape received, torch.ScalarType dtype, int inputIndex = 0)
        {
            string prefix = $"Input {inputIndex} of layer '{layer.Name}' ({layer.GetType().Name}) is incompatible with the layer";
            int rank = received.Rank;
            if (NDim is int ndim && rank != ndim)
                throw Error($"{prefix}: expected rank {ndim} (ndim={ndim}), found rank {rank}. Full shape received: " +
                    $"{received}.{RankHint(ndim, rank)}");
            if (MinNDim is int min && rank < min)
                throw Error($"{prefix}: expected rank >= {min} (min_ndim={min}), found rank {rank}. Full shape received: " +
                    $"{received}.{RankHint(min, rank)}");
            if (MaxNDim is int max && rank > max)
                throw Error($"{prefix}: expected rank <= {max} (max_ndim={max}), found rank {rank}. Full shape received: " +
                    $"{received}.");
            if (DType is torch.ScalarType expectedType && dtype != expectedType)
                throw Error($"{prefix}: expected dtype {DTypes.ToKerasName(expectedType)}, found " +
                    $"{DTypes.ToKerasName(dtype)}. Full shape received: {received}.");
            if (Axes is not null)
            {
                foreach (var (axis, size) in Axes)
                {
                    int position = axis < 0 ? axis + rank : axis;
                    if (position < 0 || position >= rank)
                        throw Error($"{prefix}: expected axis {axis} of input shape to exist, but the input has rank " +
                            $"{rank}. Full shape received: {received}.");
                    long actual = received[position];
                    if (size != Shape.Unknown && actual != Shape.Unknown && actual != size)
                        throw Error($"{prefix}: expected axis {axis} of input shape to have value {size}, but received " +
                            $"input with shape {received}. The layer was built for {size} there; feed inputs of that size, or use a new " +
                            $"layer.");
                }
            }
            if (Shape is not null)
            {
                if (Shape.Rank != rank || !Shape.IsCompatibleWith(received))
                    throw Error($"{prefix}: expected shape {Shape}, found shape {received}.");
            }
        }

        /// <summary>Whether the layer set no spec and this one was derived from its build shape (see
        /// <see cref="Layer.DerivesInputSpecFromBuildShape"/>); its errors then say so.</summary>
        internal bool DerivedFromBuildShape { get; init; }

        /// <summary>
        /// The spec of a layer that set none, derived from the shape it was built with, as Keras's <c>Dense</c> sets its own:
        /// rank at least 2 and the last axis's size (<c>InputSpec(min_ndim=2, axes={-1: size})</c>). The batch axis and the
        /// axes between stay free, so a layer built on <c>(batch, 3)</c> also takes <c>(batch, steps, 3)</c>. Null when the
        /// build shape has rank below 2 (its last axis is the batch) or an unknown last axis.
        /// </summary>
        internal static InputSpec? FromBuildShape(Shape buildShape)
            => buildShape.Rank >= 2 && buildShape[-1] != Shape.Unknown
                ? new InputSpec { MinNDim = 2, Axes = new Dictionary<int, long> { [-1] = buildShape[-1] }, DerivedFromBuildShape = true }
                : null;

        private ArgumentException Error(string message)
            => new(DerivedFromBuildShape
                ? message + " (This check was derived from the shape the layer was built with, because the layer sets no InputSpec; " +
                    "a layer that accepts other sizes sets its own InputSpec or overrides DerivesInputSpecFromBuildShape.)"
                : message);

        private static string RankHint(int expected, int found)
            => found == expected - 1
                ? " Did you forget the batch dimension? Layers take batches: reshape a single sample with unsqueeze(0)." : "";

        /// <inheritdoc />
        public override string ToString()
        {
            var parts = new List<string>();
            if (NDim is not null) parts.Add($"ndim={NDim}");
            if (MinNDim is not null) parts.Add($"min_ndim={MinNDim}");
            if (MaxNDim is not null) parts.Add($"max_ndim={MaxNDim}");
            if (DType is not null) parts.Add($"dtype={DTypes.ToKerasName(DType.Value)}");
            if (Shape is not null) parts.Add($"shape={Shape}");
            if (Axes is not null) parts.Add("axes={" + string.Join(", ", Axes.Select(a => $"{a.Key}: {a.Value}")) + "}");
            return $"InputSpec({string.Join(", ", parts)})";
        }
    }
}
