using System;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Applies a layer to every time step of a sequence (Keras's <c>TimeDistributed</c>), with the same weights at every
    /// step: the time axis is folded into the batch, <c>(batch, timesteps, ...)</c> to <c>(batch * timesteps, ...)</c>, the
    /// layer runs once on that batch, and the result is unfolded to <c>(batch, timesteps, ...)</c>.
    /// </summary>
    /// <remarks>
    /// A <see cref="Wrapper"/>. Weights: the wrapped layer's (<see cref="Wrapper.Layer"/>), which is built for the input shape
    /// without the time axis. Input: rank 3 or more,
    /// time on axis 1. The output carries the input mask <c>(batch, timesteps)</c> unchanged; a mask with more axes
    /// (<c>(batch, timesteps, inner steps)</c>) is folded like the input and passed to a wrapped layer that supports masking.
    /// <code>
    /// var td = new TimeDistributed(new Dense(8));
    /// Tensor y = td.Apply(torch.randn(32, 10, 16));   // (32, 10, 8): Dense on each of the 10 steps
    /// </code>
    /// </remarks>
    [RegisterLayer("TimeDistributed")]
    public sealed class TimeDistributed : Wrapper, IOnnxExportable
    {
        /// <summary>Wraps <paramref name="layer"/>.</summary>
        /// <param name="layer">The layer applied at every time step.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The wrapper's dtype; the wrapped layer keeps its own.</param>
        public TimeDistributed(Layer layer, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(layer
                ?? throw new ArgumentNullException(nameof(layer),
                    "Please initialize `TimeDistributed` layer with a layer instance. Received: layer=None"), name, trainable, dtype)
        {
            InputSpec = new InputSpec { MinNDim = 3 };
            SupportsMasking = true;
        }

        /// <inheritdoc />
        protected override void Build(Shape inputShape) => Layer.EnsureBuilt(StepShape(inputShape));

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            long batch = inputs.shape[0], steps = inputs.shape[1];
            if (mask is not null && (mask.ndim < 2 || mask.shape[0] != batch || mask.shape[1] != steps))
            {
                throw new ArgumentException($"`TimeDistributed` layer '{Name}' should be passed a `mask` of shape ({batch}, {steps}, " +
                    $"...). Received: mask.shape={Shape.Of(mask)}", nameof(mask));
            }
            var folded = inputs.reshape(Fold(inputs.shape));
            // A mask over more than (batch, timesteps), e.g. (batch, timesteps, inner steps) around a recurrent layer, is the
            // wrapped layer's own mask once folded; a (batch, timesteps) mask folds to one flag per sample, which no layer reads.
            var stepMask = mask is not null && mask.ndim > 2 && Layer.SupportsMasking ? mask.reshape(Fold(mask.shape)) : null;
            var output = Layer.Apply(folded, training, stepMask);
            return output.reshape(new[] { batch, steps }.Concat(output.shape.Skip(1)).ToArray());
        }

        private static long[] Fold(long[] shape) => new[] { shape[0] * shape[1] }.Concat(shape.Skip(2)).ToArray();

        private Shape StepShape(Shape inputShape)
        {
            if (inputShape.Rank < 3)
                throw new ArgumentException($"`TimeDistributed` layer '{Name}' should be passed an `input_shape` with at least 3 " +
                    $"dimensions. Received: input_shape={inputShape}");
            return new Shape(new[] { inputShape[0] }.Concat(inputShape.Skip(2)));
        }

        /// <summary>
        /// Folds the time axis into the batch (<c>Reshape</c> to <c>(batch * timesteps, ...)</c>), writes the wrapped layer's own
        /// export on that, and unfolds its output to <c>(batch, timesteps, ...)</c>; batch and time may both be dynamic.
        /// </summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
        {
            ArgumentNullException.ThrowIfNull(context);
            ArgumentNullException.ThrowIfNull(input);
            var stepShape = StepShape(input.Shape);
            if (stepShape.Skip(1).Any(d => d == Shape.Unknown))
                throw context.Unsupported($"the shape of one time step must be known to fold the time axis into the batch. Received: " +
                    $"input_shape={input.Shape}.");
            var folded = context.Reshape(input.Name, new[] { -1L }.Concat(stepShape.Skip(1)).ToArray());
            var output = OnnxExporter.ExportLayer(context, Layer, new[] { new OnnxValue(folded, stepShape) }, singleInput: true).Single();
            var outputStep = Layer.ComputeOutputShape(stepShape);
            if (outputStep.Skip(1).Any(d => d == Shape.Unknown))
                throw context.Unsupported($"the wrapped layer's output shape {outputStep} must be known past the batch axis.");
            var batchAndTime = context.Node("Slice", context.Node("Shape", input.Name), context.Int64s(0), context.Int64s(2),
                context.Int64s(0));
            var shape = context.Node("Concat", new[] { batchAndTime, context.Int64s(outputStep.Skip(1).ToArray()) },
                new OnnxAttributes { { "axis", 0L } });
            return context.Node("Reshape", output, shape);
        }

        /// <summary>The wrapped layer's output shape for one step, with the time axis put back at position 1.</summary>
        public override Shape ComputeOutputShape(Shape inputShape)
        {
            ArgumentNullException.ThrowIfNull(inputShape);
            var step = Layer.ComputeOutputShape(StepShape(inputShape));
            return new Shape(new[] { step[0], inputShape[1] }.Concat(step.Skip(1)));
        }
    }
}
