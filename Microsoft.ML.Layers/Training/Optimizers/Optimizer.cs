using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Optimizers
{
    /// <summary>
    /// Keras's optimizer contract with Keras's exact update rules (epsilon placement, bias corrections and defaults
    /// differ from libtorch's, so the rules are written here with TorchSharp tensor operations). Each step: clip the
    /// gradients (<see cref="ClipNorm"/> per variable, <see cref="ClipValue"/>, <see cref="GlobalClipNorm"/>), apply decoupled
    /// weight decay, update each variable, count the step, then apply the variables' constraints.
    /// </summary>
    public abstract partial class Optimizer
    {
        private readonly Dictionary<Parameter, Dictionary<string, Tensor>> _slots = new(ReferenceEqualityComparer.Instance);

        /// <summary>Creates an optimizer.</summary>
        protected Optimizer(string name, LearningRate learningRate, double? weightDecay, double? clipNorm, double? clipValue,
            double? globalClipNorm)
        {
            Name = name;
            LearningRate = learningRate;
            WeightDecay = NonNegative(weightDecay, nameof(weightDecay));
            ClipNorm = Positive(clipNorm, nameof(clipNorm));
            ClipValue = Positive(clipValue, nameof(clipValue));
            GlobalClipNorm = Positive(globalClipNorm, nameof(globalClipNorm));
            if (ClipNorm is not null && GlobalClipNorm is not null)
            {
                throw new ArgumentException(
                    $"Only one of `clipNorm` and `globalClipNorm` can be set. Received: clipNorm={ClipNorm}, " +
                    $"globalClipNorm={GlobalClipNorm}");
            }
        }

        private static double? Positive(double? value, string name)
            => value is null or > 0 ? value
                : throw new ArgumentOutOfRangeException(name, $"`{name}` must be positive. Received: {name}={value}");

        private static double? NonNegative(double? value, string name)
            => value is null or >= 0 ? value
                : throw new ArgumentOutOfRangeException(name, $"`{name}` must be non-negative. Received: {name}={value}");

        /// <summary>The optimizer with this Keras name and Keras's defaults, so that <c>optimizer: "adam"</c> reads like Keras.</summary>
        public static implicit operator Optimizer(string name) => Optimizer.Get(name);

        /// <summary>The Keras name (<c>"adam"</c>, ...).</summary>
        public string Name { get; }

        /// <summary>The learning rate: constant or scheduled. May be changed between steps (callbacks do).</summary>
        public LearningRate LearningRate { get; set; }

        /// <summary>The learning rate of the next step.</summary>
        public double CurrentLearningRate => LearningRate.At(Iterations);

        /// <summary>Decoupled weight decay (<c>variable -= variable * weight_decay * learning_rate</c>), or null.</summary>
        public double? WeightDecay { get; }

        /// <summary>Each gradient is rescaled so its norm is at most this, or null.</summary>
        public double? ClipNorm { get; }

        /// <summary>Each gradient element is clipped to [-value, value], or null.</summary>
        public double? ClipValue { get; }

        /// <summary>All gradients are rescaled together so their global norm is at most this, or null.</summary>
        public double? GlobalClipNorm { get; }

        /// <summary>The number of steps taken.</summary>
        public long Iterations { get; private set; }

        /// <summary>Updates <paramref name="variables"/> from their gradients (variables without a gradient are skipped).</summary>
        public void Apply(IReadOnlyList<Parameter> variables)
        {
            ArgumentNullException.ThrowIfNull(variables);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            // Each read of .grad is a native call that wraps a new handle: read it once per variable.
            var pairs = new List<(Parameter Variable, Tensor Gradient)>(variables.Count);
            foreach (var variable in variables)
            {
                if (variable.grad is Tensor gradient)
                    pairs.Add((variable, gradient));
            }
            double learningRate = CurrentLearningRate;

            var gradients = ClipGradients(pairs.Select(p => p.Gradient).ToList());
            for (int i = 0; i < pairs.Count; i++)
            {
                var variable = pairs[i].Variable;
                if (WeightDecay is double decay && decay > 0)
                    variable.sub_(variable.MulScalar(decay * learningRate));
                var gradient = gradients[i].dtype == variable.dtype ? gradients[i] : gradients[i].to(variable.dtype);
                Update(variable, gradient, learningRate);
            }
            Iterations++;
            foreach (var (variable, _) in pairs)
                variable.ApplyConstraint();
        }

        private IReadOnlyList<Tensor> ClipGradients(IReadOnlyList<Tensor> gradients)
        {
            var result = gradients.ToList();
            if (ClipNorm is double clipNorm)
                result = result.Select(g => ClipByNorm(g, clipNorm)).ToList();
            if (GlobalClipNorm is double globalNorm && result.Count > 0)
            {
                var norm = stack(result.Select(g => g.to(ScalarType.Float32).Squared().sum()).ToArray()).sum().sqrt();
                using var globalNormScalar = globalNorm.ToScalar();
                var factor = globalNorm.DivInto(norm.clamp_min(globalNormScalar)).item<float>();
                result = result.Select(g => g.MulScalar(factor)).ToList();
            }
            if (ClipValue is double clipValue)
            {
                using var min = (-clipValue).ToScalar();
                using var max = clipValue.ToScalar();
                for (int i = 0; i < result.Count; i++)
                    result[i] = result[i].clamp(min, max);
            }
            return result;
        }

        private static Tensor ClipByNorm(Tensor gradient, double clipNorm)
        {
            var norm = gradient.Squared().sum().sqrt();
            using var clip = clipNorm.ToScalar();
            return gradient * clipNorm.DivInto(norm.clamp_min(clip));
        }

        /// <summary>One variable's update (Keras's <c>update_step</c>); runs without gradients.</summary>
        protected abstract void Update(Parameter variable, Tensor gradient, double learningRate);

        /// <summary>A per-variable state tensor (momentum, velocity, ...), created on first use with
        /// <paramref name="initialValue"/>.</summary>
        protected Tensor Slot(Parameter variable, string name, double initialValue = 0)
        {
            if (!_slots.TryGetValue(variable, out var slots))
                _slots[variable] = slots = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            if (!slots.TryGetValue(name, out var slot))
            {
                using var value = initialValue.ToScalar();
                slot = full_like(variable, value).detach().DetachFromDisposeScope();
                slots[name] = slot;
            }
            return slot;
        }

        /// <summary>The optimizer's state for saving: each slot keyed by the variable's position and the slot name.</summary>
        public IReadOnlyDictionary<string, Tensor> GetState(IReadOnlyList<Parameter> variables)
        {
            var state = new Dictionary<string, Tensor>(StringComparer.Ordinal) { ["iterations"] = tensor(Iterations) };
            for (int i = 0; i < variables.Count; i++)
            {
                if (_slots.TryGetValue(variables[i], out var slots))
                {
                    foreach (var (name, slot) in slots)
                        state[$"{i}/{name}"] = slot;
                }
            }
            return state;
        }

        /// <summary>Restores state written by <see cref="GetState"/> for the same variables.</summary>
        /// <exception cref="ArgumentException">A slot does not match its variable's shape.</exception>
        public void SetState(IReadOnlyList<Parameter> variables, IReadOnlyDictionary<string, Tensor> state)
        {
            ArgumentNullException.ThrowIfNull(state);
            if (state.TryGetValue("iterations", out var iterations))
                Iterations = iterations.item<long>();
            foreach (var (key, value) in state)
            {
                int slash = key.IndexOf('/');
                if (slash < 0 || !int.TryParse(key.AsSpan(0, slash), out int index))
                    continue;
                if (index >= variables.Count || !variables[index].shape.SequenceEqual(value.shape))
                    throw new ArgumentException($"Optimizer state '{key}' does not fit variable {index} of the model (shape " +
                        $"{Shape.Of(value)}).");
                var slot = Slot(variables[index], key.Substring(slash + 1));
                using var _ = no_grad();
                slot.copy_(value);
            }
        }

        /// <summary>Keras's optimizer config keys.</summary>
        public virtual ComponentConfig GetConfig()
        {
            var config = new ComponentConfig(GetType().Name, module: "keras.optimizers")
                .With("name", Name)
                .With("learning_rate", LearningRate.Schedule is null ? LearningRate.Constant : LearningRate.Schedule.GetConfig().ToJson())
                .With("weight_decay", WeightDecay)
                .With("clipnorm", ClipNorm)
                .With("global_clipnorm", GlobalClipNorm)
                .With("clipvalue", ClipValue);
            return config;
        }
    }
}
