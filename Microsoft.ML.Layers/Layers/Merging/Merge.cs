using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Infrastructure
{
    /// <summary>
    /// The base of the merge layers (Keras's <c>Merge</c>): layers called on a list of tensors that combine them into one
    /// (<see cref="Add"/>, <see cref="Subtract"/>, <see cref="Multiply"/>, <see cref="Average"/>, <see cref="Maximum"/>,
    /// <see cref="Minimum"/>, <see cref="Concatenate"/>, <see cref="Dot"/>).
    /// </summary>
    /// <remarks>
    /// <para>The element-wise merges broadcast their inputs as Keras does: the shapes after the batch dimension must be
    /// compatible under right-aligned broadcasting, the batch sizes must agree, and inputs of lower rank get size-1 axes
    /// inserted after the batch axis until every input has the same rank.</para>
    /// <para>Masks: the output mask is the logical OR of the input masks when every input carries one, and none otherwise
    /// (Keras 3). No weights. Calling a merge layer on a single tensor fails: pass a list.</para>
    /// <code>
    /// var sum = new Add();
    /// Tensor y = sum.Apply(new[] { torch.ones(2, 3), torch.ones(2, 3) });   // all 2
    /// </code>
    /// </remarks>
    public abstract class Merge : Layer, IOnnxMultiExportable
    {
        private protected Merge(string? name, bool trainable, ScalarType? dtype)
            : base(name, trainable, dtype)
        {
            SupportsMasking = true;
        }

        /// <summary>Whether inputs of lower rank are expanded after the batch axis before merging (false for concatenation and dot
        /// products).</summary>
        private protected virtual bool ExpandsRanks => true;

        /// <summary>The merge itself, on inputs already brought to one rank; <paramref name="masks"/> has one entry (or null) per
        /// input.</summary>
        private protected abstract Tensor MergeFunction(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks);

        /// <summary>The merge written as ONNX, on inputs already brought to one rank (as <see cref="MergeFunction"/>); returns the
        /// output value's name. Masks are not exported.</summary>
        private protected abstract string ExportMerge(OnnxExportContext context, IReadOnlyList<OnnxValue> inputs);

        /// <summary>Writes the inference computation: the inputs of lower rank get size-1 axes after the batch axis (as
        /// <see cref="Call(IReadOnlyList{Tensor}, bool?, IReadOnlyList{Tensor?}?)"/>), then <see cref="ExportMerge"/>.</summary>
        IReadOnlyList<string> IOnnxMultiExportable.ExportOnnx(OnnxExportContext context, IReadOnlyList<OnnxValue> inputs)
        {
            ArgumentNullException.ThrowIfNull(context);
            ArgumentNullException.ThrowIfNull(inputs);
            ValidateShapes(inputs.Select(i => i.Shape).ToList());
            int rank = inputs.Max(i => i.Shape.Rank);
            if (!ExpandsRanks || inputs.All(i => i.Shape.Rank == rank))
                return new[] { ExportMerge(context, inputs) };
            var expanded = inputs.Select(i => i.Shape.Rank == rank ? i
                : new OnnxValue(context.Unsqueeze(i.Name, Enumerable.Range(1, rank - i.Shape.Rank).Select(a => (long)a).ToArray()),
                    new Shape(i.Shape.Take(1).Concat(Enumerable.Repeat(1L, rank - i.Shape.Rank)).Concat(i.Shape.Skip(1)))))
                .ToList();
            return new[] { ExportMerge(context, expanded) };
        }

        /// <summary>The binary ONNX operator <paramref name="opType"/> folded over the inputs from the left, as the layers'
        /// loops compute them.</summary>
        private protected static string Fold(OnnxExportContext context, string opType, IReadOnlyList<OnnxValue> inputs)
        {
            var output = inputs[0].Name;
            for (int i = 1; i < inputs.Count; i++)
                output = context.Node(opType, output, inputs[i].Name);
            return output;
        }

        /// <summary>Checks that the input shapes can be merged; throws naming the layer otherwise.</summary>
        private protected virtual void ValidateShapes(IReadOnlyList<Shape> shapes)
        {
            var batchSizes = shapes.Where(s => s.Rank > 0 && s[0] != Shape.Unknown).Select(s => s[0]).Distinct().ToList();
            if (batchSizes.Count > 1)
                throw Error($"Cannot merge tensors with different batch sizes. Received tensors with shapes {Describe(shapes)}");
            ElementwiseShape(shapes);
        }

        /// <summary>Keras's element-wise output shape (without the batch axis) of a list of shapes; throws when they are
        /// incompatible.</summary>
        private protected Shape ElementwiseShape(IReadOnlyList<Shape> shapes)
        {
            var output = shapes[0][1..];
            for (int i = 1; i < shapes.Count; i++)
                output = Broadcast(output, shapes[i][1..]);
            return output;
        }

        private Shape Broadcast(Shape first, Shape second)
        {
            if (first.Rank < second.Rank)
                (first, second) = (second, first);
            if (second.Rank == 0)
                return first;
            var dims = first.Take(first.Rank - second.Rank).ToList();
            foreach (var (i, j) in first.Skip(first.Rank - second.Rank).Zip(second))
            {
                if (i == Shape.Unknown || j == Shape.Unknown)
                    dims.Add(Shape.Unknown);
                else if (i == 1)
                    dims.Add(j);
                else if (j == 1 || i == j)
                    dims.Add(i);
                else
                    throw Error($"Inputs have incompatible shapes. Received shapes {first} and {second}");
            }
            return new Shape(dims);
        }

        /// <summary>An argument exception whose message starts with the layer's name and type.</summary>
        private protected ArgumentException Error(string message) => new($"Layer '{Name}' ({GetType().Name}): {message}");

        /// <summary>A list of shapes in Python's notation.</summary>
        private protected static string Describe(IReadOnlyList<Shape> shapes) => "[" + string.Join(", ", shapes) + "]";

        /// <inheritdoc />
        protected override void Build(Shape inputShape) => Build(new[] { inputShape });

        /// <inheritdoc />
        protected override void Build(IReadOnlyList<Shape> inputShapes) => ValidateShapes(inputShapes);

        /// <summary>Fails: a merge layer takes a list of tensors.</summary>
        /// <exception cref="ArgumentException">Always.</exception>
        protected sealed override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
            => throw Error($"A merge layer should be called on a list of inputs. Received: inputs=a tensor of shape {Shape.Of(inputs)} " +
                $"(not a list of tensors)");

        /// <summary>Checks the shapes, brings the inputs to one rank when needed, and merges them.</summary>
        protected sealed override Tensor Call(IReadOnlyList<Tensor> inputs, bool? training = null, IReadOnlyList<Tensor?>? masks = null)
        {
            ValidateShapes(inputs.Select(Shape.Of).ToList());
            var maskList = masks ?? new Tensor?[inputs.Count];
            if (!ExpandsRanks || inputs.All(x => x.ndim == inputs[0].ndim))
                return MergeFunction(inputs, maskList);
            long rank = inputs.Max(x => x.ndim);
            var expanded = inputs.Select(x =>
            {
                while (x.ndim < rank)
                    x = x.unsqueeze(1);
                return x;
            }).ToList();
            return MergeFunction(expanded, maskList);
        }

        /// <summary>The logical OR of the input masks when every input has one; otherwise none (Keras 3).</summary>
        public override Tensor? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?>? masks)
        {
            if (masks is null || masks.Any(m => m is null))
                return null;
            var output = masks[0]!.to(ScalarType.Bool);
            foreach (var mask in masks.Skip(1))
                output = output.logical_or(mask!.to(ScalarType.Bool));
            return output;
        }

        /// <summary>The output shape of a merge of one input (a list of one).</summary>
        public override Shape ComputeOutputShape(Shape inputShape) => ComputeOutputShape(new[] { inputShape });

        /// <summary>The broadcast shape of the inputs after the batch axis, behind the batch size they agree on (or an unknown
        /// one).</summary>
        public override Shape ComputeOutputShape(IReadOnlyList<Shape> inputShapes)
        {
            ArgumentNullException.ThrowIfNull(inputShapes);
            var output = ElementwiseShape(inputShapes);
            var batchSizes = inputShapes.Where(s => s.Rank > 0 && s[0] != Shape.Unknown).Select(s => s[0]).Distinct().ToList();
            return output.Prepend(batchSizes.Count == 1 ? batchSizes[0] : Shape.Unknown);
        }

        /// <summary>
        /// A mask of the leading axes broadcast to the shape of <paramref name="x"/> (Keras expands it on the last axis),
        /// or null.
        /// </summary>
        private protected static Tensor? ExpandMask(Tensor? mask, Tensor x)
        {
            if (mask is null)
                return null;
            var expanded = mask.to(ScalarType.Bool);
            while (expanded.ndim < x.ndim)
                expanded = expanded.unsqueeze(-1);
            return expanded.expand(x.shape);
        }

        /// <summary>
        /// Keras's merge for operations without an identity element (<see cref="Maximum"/>, <see cref="Minimum"/>): at
        /// positions where an input is masked, the other input's value is used, so padding never wins.
        /// </summary>
        private protected static Tensor MergeWithMaskedValuesReplaced(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks,
            Func<Tensor, Tensor, Tensor> op)
        {
            var output = inputs[0];
            var outputMask = ExpandMask(masks[0], output);
            for (int i = 1; i < inputs.Count; i++)
            {
                var x = inputs[i];
                var mask = ExpandMask(masks[i], x);
                if (mask is not null)
                    x = where(mask, x, output);
                if (outputMask is not null)
                    output = where(outputMask, output, x);
                outputMask = mask is not null && outputMask is not null ? outputMask.logical_or(mask) : null;
                output = op(output, x);
            }
            return output;
        }
    }
}
