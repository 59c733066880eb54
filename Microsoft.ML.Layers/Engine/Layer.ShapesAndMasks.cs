using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    // Output shapes (by a probe run unless overridden) and output masks.
    public abstract partial class Layer
    {
        /// <summary>
        /// The output shape for an input shape. The default runs the layer on zeros (in inference, without gradients) with
        /// unknown dimensions set to 2 and then 3, and reports as unknown the output dimensions that differ. Layers override
        /// it when that is wrong or costly.
        /// </summary>
        public virtual Shape ComputeOutputShape(Shape inputShape)
        {
            ArgumentNullException.ThrowIfNull(inputShape);
            return ProbeOutputShape(new[] { inputShape }, singleInput: true);
        }

        /// <summary>The output shape for the input shapes of a multi-input layer (default: a probe run, like the single-input
        /// one).</summary>
        public virtual Shape ComputeOutputShape(IReadOnlyList<Shape> inputShapes)
        {
            ArgumentNullException.ThrowIfNull(inputShapes);
            return inputShapes.Count == 1 ? ComputeOutputShape(inputShapes[0]) : ProbeOutputShape(inputShapes, singleInput: false);
        }

        private Shape ProbeOutputShape(IReadOnlyList<Shape> inputShapes, bool singleInput)
        {
            Shape Run(long unknownAs)
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                using var probing = ShapeInference.Enter();
                var dtype = InputSpec?.DType ?? ComputeDType;
                var inputs = inputShapes.Select(s => s.Select(d => d == Shape.Unknown ? unknownAs : d).ToArray())
                    .Select(d => NativeGuards.Checked(d, dtype, $"shape-inference probe of layer '{Name}' ({GetType().Name})"))
                    .Select(d => zeros(d, dtype: dtype)).ToList();
                var output = singleInput ? Apply(inputs[0], training: false) : Apply(inputs, training: false);
                return Shape.Of(output);
            }

            bool outermost = CallContext.Current is null;
            try
            {
                var first = Run(2);
                if (inputShapes.All(s => s.IsFullyDefined))
                    return first;
                var second = Run(3);
                if (first.Rank != second.Rank)
                    throw new InvalidOperationException($"Layer '{Name}': the output rank depends on the input sizes; override " +
                        $"ComputeOutputShape.");
                return new Shape(first.Zip(second, (a, b) => a == b ? a : Shape.Unknown));
            }
            finally
            {
                if (outermost)
                    ClearLosses();
            }
        }

        /// <summary>
        /// The mask for the output given the input and its mask (Keras's <c>compute_mask</c>), used when <see cref="SupportsMasking"/>.
        /// The default passes the input mask through.
        /// </summary>
        public virtual Tensor? ComputeMask(Tensor inputs, Tensor? mask) => mask;

        /// <summary>The output mask of a multi-input layer; the default is none.</summary>
        public virtual Tensor? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?>? masks) => null;

        /// <summary>
        /// The masks of every output, used when <see cref="SupportsMasking"/>. The default gives the first output
        /// <see cref="ComputeMask(Tensor, Tensor?)"/>'s mask (or the list overload's) and the others none.
        /// </summary>
        protected virtual IReadOnlyList<Tensor?> ComputeOutputMasks(IReadOnlyList<Tensor> inputs, bool singleInput,
            IReadOnlyList<Tensor?> masks, IReadOnlyList<Tensor> outputs)
        {
            var result = new Tensor?[outputs.Count];
            result[0] = singleInput ? ComputeMask(inputs[0], masks[0]) : ComputeMask(inputs, masks);
            return result;
        }
    }
}
