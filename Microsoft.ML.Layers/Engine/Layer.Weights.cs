using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Regularizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    // Weights: creating them (AddWeight), listing them in Keras's order, reading and setting their values.
    public abstract partial class Layer
    {
        private static long _maxAllocationBytes = 4L << 30;

        /// <summary>
        /// The largest tensor, in bytes, the library allocates from a shape that a config, a file or an argument gives: a
        /// weight (<see cref="AddWeight"/>), an initializer's value, a shape-inference probe. Default 4 GiB, far above any
        /// single weight of a model that fits a CPU (a 100,000 x 10,000 float32 kernel is 3.7 GiB). A larger shape fails
        /// with an <see cref="ArgumentException"/> naming the layer, the weight, the shape and the size before anything is
        /// allocated, so that a 1 KB config cannot allocate gigabytes or crash the process. Process-wide; raise it for a
        /// model that really has larger weights.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">The value set is not positive.</exception>
        public static long MaxAllocationBytes
        {
            get => Interlocked.Read(ref _maxAllocationBytes);
            set
            {
                if (value <= 0)
                    throw new ArgumentOutOfRangeException(nameof(value), value,
                        $"Layer.MaxAllocationBytes must be positive. Received: {value}.");
                Interlocked.Exchange(ref _maxAllocationBytes, value);
            }
        }

        /// <summary>
        /// Creates a weight of this layer (Keras's <c>add_weight</c>), in the constructor or in <see cref="Build(Shape)"/>.
        /// </summary>
        /// <param name="name">The weight's name within the layer, e.g. <c>"kernel"</c>.</param>
        /// <param name="shape">Its shape; every dimension must be known.</param>
        /// <param name="initializer">Its initial values; default <c>glorot_uniform</c> for floating dtypes, <c>zeros</c> otherwise.</param>
        /// <param name="dtype">Its dtype; default the layer's <see cref="DType"/>.</param>
        /// <param name="trainable">Whether an optimizer updates it.</param>
        /// <param name="regularizer">A penalty added to <see cref="Losses"/>.</param>
        /// <param name="constraint">A projection applied after each optimizer step.</param>
        /// <param name="autocast">Whether a mixed-precision call reads the weight in the compute dtype (Keras's default);
        /// <see langword="false"/> keeps it in the variable dtype during calls.</param>
        /// <exception cref="InvalidOperationException">The layer is already built.</exception>
        /// <exception cref="ArgumentException">The shape is not fully known, or the weight would be larger than
        /// <see cref="MaxAllocationBytes"/> (the message names the layer, the weight, the shape and the size).</exception>
        protected Parameter AddWeight(string name, Shape shape, Initializer? initializer = null, ScalarType? dtype = null,
            bool trainable = true, Regularizer? regularizer = null, Constraint? constraint = null, bool autocast = true)
        {
            ArgumentNullException.ThrowIfNull(name);
            ArgumentNullException.ThrowIfNull(shape);
            if (Built && !_building)
            {
                throw new InvalidOperationException(
                    $"Layer '{Name}' ({GetType().Name}) is already built: you cannot add the weight '{name}' now. All state must be " +
                    $"created in the constructor or in Build.");
            }
            if (!shape.IsFullyDefined)
                throw new ArgumentException($"Layer '{Name}': weight '{name}' must have a fully known shape. Received: shape={shape}.",
                    nameof(shape));

            var type = dtype ?? DType;
            // Before the initializer runs: torch.rand of a shape whose element count overflows crashes the process.
            string what = $"weight '{name}' of layer '{Name}' ({GetType().Name})";
            LoadScope.ChargeWeight(NativeGuards.CheckAllocation(shape.ToArray(), type, what), what);
            initializer ??= DTypes.IsFloating(type) ? Initializer.GlorotUniform() : Initializer.Zeros();
            Tensor value;
            using (no_grad())
                value = initializer.Create(shape, type);
            if (Shape.Of(value) != shape || value.dtype != type)
            {
                throw new InvalidOperationException(
                    $"Initializer {initializer.GetType().Name} returned shape {Shape.Of(value)} and dtype {value.dtype} for weight " +
                    $"'{Name}/{name}', which needs shape {shape} and dtype {type}.");
            }
            var weight = new Parameter(value, name, this, trainable, regularizer, constraint, autocast);
            if (!_trainable)
                weight.Trainable = false;

            string key = name;
            for (int i = 1; _weights.Any(w => w.Name == key) || _internal_params.ContainsKey(key); i++)
                key = $"{name}_{i}";
            register_parameter(key, weight);
            _weights.Add(weight);
            return weight;
        }

        /// <summary>
        /// All weights of the layer and its nested layers, without duplicates, in Keras's order: the layer's own trainable
        /// weights, then its own non-trainable weights (each in creation order), then each nested layer's weights in
        /// tracking order (field declaration order, base class first).
        /// </summary>
        public IReadOnlyList<Parameter> Weights
        {
            get
            {
                var result = new List<Parameter>();
                CollectWeights(result, new HashSet<Parameter>(ReferenceEqualityComparer.Instance),
                    new HashSet<Layer>(ReferenceEqualityComparer.Instance));
                return result;
            }
        }

        private void CollectWeights(List<Parameter> result, HashSet<Parameter> seen, HashSet<Layer> visited)
        {
            if (!visited.Add(this))
                return;
            foreach (var weight in _weights.Where(w => w.CreatedTrainable).Concat(_weights.Where(w => !w.CreatedTrainable)))
            {
                if (seen.Add(weight))
                    result.Add(weight);
            }
            foreach (var (_, layer) in TrackedLayers())
                layer.CollectWeights(result, seen, visited);
        }

        /// <summary>The weights an optimizer updates: none when the layer is not trainable.</summary>
        public IReadOnlyList<Parameter> TrainableWeights
            => _trainable ? Weights.Where(w => w.Trainable).ToList() : Array.Empty<Parameter>();

        /// <summary>The weights an optimizer leaves alone (all of them when the layer is not trainable).</summary>
        public IReadOnlyList<Parameter> NonTrainableWeights => _trainable ? Weights.Where(w => !w.Trainable).ToList() : Weights;

        /// <summary>The number of scalars in all weights.</summary>
        /// <exception cref="InvalidOperationException">The layer is not built.</exception>
        public long CountParams()
        {
            if (!Built)
                throw new InvalidOperationException($"You tried to call CountParams on layer '{Name}', but the layer isn't built. Build " +
                    $"it with EnsureBuilt(inputShape) or call it once.");
            return Weights.Sum(w => w.numel());
        }

        /// <summary>The values of <see cref="Weights"/> as .NET arrays whose ranks and lengths are the weights' shapes (<c>float[,]</c> for
        /// a Dense kernel).</summary>
        public IReadOnlyList<Array> GetWeights() => Weights.Select(WeightArrays.ToArray).ToList();

        /// <summary>
        /// Sets <see cref="Weights"/> from arrays in the order <see cref="GetWeights"/> returns them. All counts and shapes are
        /// checked before any weight changes.
        /// </summary>
        /// <exception cref="ArgumentException">The count or a shape differs; the message names the weight and both shapes.</exception>
        public void SetWeights(IReadOnlyList<Array> weights)
        {
            ArgumentNullException.ThrowIfNull(weights);
            var targets = Weights;
            if (targets.Count != weights.Count)
            {
                throw new ArgumentException(
                    $"You called SetWeights on layer '{Name}' with a weight list of length {weights.Count}, but the layer was expecting " +
                    $"{targets.Count} weights: {string.Join(", ", targets.Select(w => $"{w.Path} {w.Shape}"))}.", nameof(weights));
            }
            var values = new List<Tensor>(targets.Count);
            try
            {
                for (int i = 0; i < targets.Count; i++)
                {
                    var given = WeightArrays.ShapeOf(weights[i]
                        ?? throw new ArgumentNullException(nameof(weights), $"Weight {i} ({targets[i].Path}) is null."), targets[i].Shape);
                    if (given != targets[i].Shape)
                    {
                        throw new ArgumentException(
                            $"Layer '{Name}' weight '{targets[i].Path}' (index {i}) has shape {targets[i].Shape}, which is not " +
                            $"compatible with the provided weight shape {given}.", nameof(weights));
                    }
                    values.Add(WeightArrays.ToTensor(weights[i], targets[i]));
                }
                for (int i = 0; i < targets.Count; i++)
                    targets[i].Assign(values[i]);
            }
            finally
            {
                foreach (var value in values)
                    value.Dispose();
            }
        }

        /// <summary>Applies every weight's constraint (called after each optimizer step).</summary>
        public void ApplyConstraints()
        {
            foreach (var weight in Weights)
                weight.ApplyConstraint();
        }
    }
}
