using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// One batch of training or evaluation data: the model's input(s), the target(s) and optional per-sample weights.
    /// A sequence of batches is how data that does not fit in memory is streamed through <c>Fit</c>.
    /// </summary>
    public sealed class Batch
    {
        /// <summary>A batch with one input and one target.</summary>
        public Batch(Tensor inputs, Tensor? targets, Tensor? sampleWeight = null)
            : this(new[] { inputs ?? throw new ArgumentNullException(nameof(inputs)) },
                targets is null ? Array.Empty<Tensor>() : new[] { targets }, sampleWeight)
        {
        }

        /// <summary>A batch for a model with several inputs and/or outputs.</summary>
        public Batch(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> targets, Tensor? sampleWeight = null)
        {
            Inputs = inputs ?? throw new ArgumentNullException(nameof(inputs));
            Targets = targets ?? throw new ArgumentNullException(nameof(targets));
            if (inputs.Count == 0)
                throw new ArgumentException("A batch needs at least one input.", nameof(inputs));
            // Each shape read is a native call: one per tensor.
            var firstShape = inputs[0].shape;
            long size = firstShape.Length == 0 ? 1 : firstShape[0];
            int index = 0;
            foreach (var tensor in inputs.Concat(targets))
            {
                var shape = index == 0 ? firstShape : tensor.shape;
                if (shape.Length == 0 || shape[0] != size)
                    throw new ArgumentException($"Every input and target of a batch must have the same number of rows ({size}); tensor " +
                        $"{index} has shape {Shape.Of(tensor)}.");
                index++;
            }
            if (sampleWeight is not null && (sampleWeight.ndim == 0 || sampleWeight.shape[0] != size))
                throw new ArgumentException($"The sample weights must have one value per row ({size}); received shape " +
                    $"{Shape.Of(sampleWeight)}.", nameof(sampleWeight));
            SampleWeight = sampleWeight;
            Size = size;
        }

        /// <summary>The model's inputs, one tensor per model input.</summary>
        public IReadOnlyList<Tensor> Inputs { get; }

        /// <summary>The targets, one tensor per model output (empty for prediction).</summary>
        public IReadOnlyList<Tensor> Targets { get; }

        /// <summary>Per-sample weights, or null.</summary>
        public Tensor? SampleWeight { get; }

        /// <summary>The number of rows.</summary>
        public long Size { get; }
    }
}
