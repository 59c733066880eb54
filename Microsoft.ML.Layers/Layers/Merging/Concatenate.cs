using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Infrastructure;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>Concatenates a list of inputs along <see cref="Axis"/> (Keras's <c>Concatenate</c>).</summary>
    /// <remarks>
    /// <para>Inputs of one rank whose sizes agree on every axis but <see cref="Axis"/>; the output's size on the axis is
    /// the sum of theirs. No weights.</para>
    /// <para>Masks, as Keras: when any input has a mask, each mask is broadcast to its input's shape (all true for an
    /// input without mask), the masks are concatenated along the axis, and the output mask is their OR over the last
    /// axis. Concatenating sequences along time (<c>axis: 1</c>) so concatenates their <c>(batch, time)</c> masks.</para>
    /// <code>
    /// Tensor y = new Concatenate().Apply(new[] { torch.ones(2, 3), torch.zeros(2, 4) });   // (2, 7)
    /// </code>
    /// </remarks>
    [RegisterLayer("Concatenate")]
    public sealed class Concatenate : Merge
    {
        /// <summary>Creates a concatenation layer.</summary>
        /// <param name="axis">The axis to concatenate along; the last by default.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility (there are no weights).</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        public Concatenate(int axis = -1, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            Axis = axis;
        }

        /// <summary>The concatenation axis.</summary>
        public int Axis { get; }

        private protected override bool ExpandsRanks => false;

        private protected override void ValidateShapes(IReadOnlyList<Shape> shapes)
        {
            string message = $"A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis. Received: " +
                $"input_shape={Describe(shapes)}";
            int rank = shapes[0].Rank;
            if (shapes.Any(s => s.Rank != rank))
                throw Error(message);
            int axis = Axis < 0 ? Axis + rank : Axis;
            if (axis < 0 || axis >= rank)
                throw Error($"The concatenation axis {Axis} is out of range for inputs of rank {rank}. Received: " +
                    $"input_shape={Describe(shapes)}");
            for (int i = 0; i < rank; i++)
            {
                if (i != axis && shapes.Select(s => s[i]).Where(d => d != Shape.Unknown).Distinct().Count() > 1)
                    throw Error(message);
            }
        }

        private protected override Tensor MergeFunction(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks)
            => cat(inputs.ToArray(), Axis);

        /// <summary>The concatenated masks (all true for unmasked inputs), reduced with OR over the last axis; none when no input has a
        /// mask.</summary>
        public override Tensor? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?>? masks)
        {
            if (masks is null || masks.All(m => m is null))
                return null;
            var full = inputs.Select((x, i) => masks[i] is Tensor mask
                ? (mask.ndim < x.ndim ? ExpandMask(mask, x)! : mask.to(ScalarType.Bool))
                : ones_like(x, dtype: ScalarType.Bool)).ToArray();
            return cat(full, Axis).any(-1);
        }

        /// <summary>The first input's shape with the sum of the inputs' sizes on the axis (unknown when one is unknown).</summary>
        public override Shape ComputeOutputShape(IReadOnlyList<Shape> inputShapes)
        {
            System.ArgumentNullException.ThrowIfNull(inputShapes);
            var first = inputShapes[0];
            int axis = first.NormalizeAxis(Axis);
            var sizes = inputShapes.Select(s => s[axis]).ToList();
            return first.With(axis, sizes.Contains(Shape.Unknown) ? Shape.Unknown : sizes.Sum());
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig().With("axis", Axis);

        private protected override string ExportMerge(OnnxExportContext context, IReadOnlyList<OnnxValue> inputs)
            => context.Node("Concat", inputs.Select(i => i.Name).ToArray(), new OnnxAttributes { { "axis", Axis } });
    }
}
