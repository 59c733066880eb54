using System;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Losses
{
    /// <summary>
    /// A training objective (Keras's <c>keras.losses.Loss</c>): a per-sample loss reduced over the batch. Keras's default
    /// reduction, <c>sum_over_batch_size</c>, sums the (weighted) per-sample losses and divides by their number.
    /// </summary>
    public abstract partial class Loss
    {
        /// <summary>Creates a loss with its Keras name (e.g. <c>"mean_squared_error"</c>).</summary>
        protected Loss(string name) => Name = name;

        /// <summary>The loss with this Keras name, so that <c>loss: "mse"</c> reads like Keras.</summary>
        public static implicit operator Loss(string name) => Loss.Get(name);

        /// <summary>The Keras name, used in logs and configs.</summary>
        public string Name { get; }

        /// <summary>The loss of each sample: shape <c>(batch,)</c> (or the batch's leading shape) from targets and predictions.</summary>
        protected abstract Tensor PerSample(Tensor yTrue, Tensor yPred);

        /// <summary>
        /// The reduced loss: <c>sum(per_sample * sample_weight) / number_of_samples</c>, as a scalar in the prediction's dtype.
        /// </summary>
        /// <exception cref="ArgumentException">The targets do not fit the predictions; the message names both shapes.</exception>
        public Tensor Compute(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
        {
            ArgumentNullException.ThrowIfNull(yTrue);
            ArgumentNullException.ThrowIfNull(yPred);
            var perSample = PerSample(yTrue, yPred);
            if (sampleWeight is not null)
            {
                var weight = sampleWeight.to(perSample.dtype);
                while (weight.ndim > perSample.ndim && weight.shape[^1] == 1)
                    weight = weight.squeeze(-1);
                while (weight.ndim < perSample.ndim)
                    weight = weight.unsqueeze(-1);
                perSample = perSample * weight;
            }
            long count = perSample.numel();
            // Keras's sum_over_batch_size: the sum divided by the element count (mean() is that division in one kernel).
            return count == 0 ? zeros(new long[0], dtype: perSample.dtype) : perSample.mean();
        }

        /// <summary>Casts targets to the prediction's dtype and checks that their shapes match.</summary>
        protected Tensor MatchTargets(Tensor yTrue, Tensor yPred)
        {
            var target = yTrue.dtype == yPred.dtype ? yTrue : yTrue.to(yPred.dtype);
            // Keras squeezes or expands a trailing unit axis so (batch,) targets fit (batch, 1) predictions.
            if (target.ndim == yPred.ndim - 1 && yPred.shape[^1] == 1)
                target = target.unsqueeze(-1);
            else if (target.ndim == yPred.ndim + 1 && target.shape[^1] == 1)
                target = target.squeeze(-1);
            if (!target.shape.AsSpan().SequenceEqual(yPred.shape))
            {
                throw new ArgumentException(
                    $"Loss '{Name}': targets of shape {Shape.Of(yTrue)} do not fit predictions of shape {Shape.Of(yPred)}. " +
                    "They must have the same shape (up to a trailing axis of size 1).");
            }
            return target;
        }

        /// <summary>Keras's class name and arguments
        /// (<c>{"class_name": "SparseCategoricalCrossentropy", "config": {"from_logits": true}}</c>).</summary>
        public virtual ComponentConfig GetConfig()
        {
            string typeName = GetType().Name;
            return new ComponentConfig(typeName.EndsWith("Loss", StringComparison.Ordinal) ? typeName[..^4] : typeName,
                module: "keras.losses");
        }

        /// <summary>Rebuilds a loss from <see cref="GetConfig"/>'s output; only classes registered as losses (the built-in ones, and
        /// <see cref="RegisterComponentAttribute"/> classes) are created.</summary>
        /// <exception cref="FormatException">The class is not a built-in loss.</exception>
        public static Loss FromConfig(ComponentConfig config)
        {
            ArgumentNullException.ThrowIfNull(config);
            var type = ComponentRegistry.TryResolveRegistered(typeof(Loss), config.ClassName)
                ?? throw new FormatException($"Unknown loss class '{config.ClassName}'. Built-in losses: {string.Join(", ", Loss.Names)}.");
            return (Loss)ComponentRegistry.Instantiate(type, config, typeof(Loss));
        }

        /// <inheritdoc />
        public override string ToString() => Name;
    }
}
