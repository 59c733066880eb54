using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// A plain stack of layers, each feeding the next (Keras's <c>Sequential</c>). Built from the first input it sees,
    /// or at once when its first layer is an <see cref="InputLayer"/>; masks flow from layer to layer.
    /// <code>
    /// var model = new Sequential(new Dense(64, activation: "relu"), new Dense(10));
    /// </code>
    /// </summary>
    [RegisterLayer("Sequential")]
    public sealed partial class Sequential : Model
    {
        private readonly List<Layer> _layers = new();
        private readonly HashSet<Layer> _members = new(ReferenceEqualityComparer.Instance);
        private readonly List<Shape> _outputShapes = new();

        /// <summary>Creates a model from layers, in order.</summary>
        public Sequential(params Layer[] layers) : this(layers, null)
        {
        }

        /// <summary>Creates a named model from layers, in order.</summary>
        public Sequential(IEnumerable<Layer> layers, string? name = null, bool trainable = true)
            : base(name, trainable)
        {
            SupportsMasking = true;
            // Each layer is checked as Add checks it, but the stack is built once at the end: building after every add
            // makes the constructor quadratic in the layer count.
            foreach (var layer in layers ?? throw new ArgumentNullException(nameof(layers)))
                Append(layer);
            if (InputLayerOrNull is InputLayer input && _layers.Count > 1)
                EnsureBuilt(input.BatchShape);
        }

        /// <summary>The layers, without the input layer (as Keras lists them).</summary>
        public override IReadOnlyList<Layer> Layers => _layers.Where(l => l is not InputLayer).ToList();

        /// <summary>The input layer, when the model has one.</summary>
        public InputLayer? InputLayerOrNull => _layers.FirstOrDefault() as InputLayer;

        /// <summary>The output shape of each layer in <see cref="Layers"/> (batch dimension unknown), once the model is built.</summary>
        public IReadOnlyList<Shape> LayerOutputShapes => _outputShapes;

        /// <summary>Adds a layer on top. A Keras 2 layer that declares an input shape gets an <see cref="InputLayer"/> in front of
        /// it.</summary>
        /// <exception cref="ArgumentException">The layer is already in the model, or an input layer is added after other
        /// layers.</exception>
        public void Add(Layer layer)
        {
            Append(layer);
            _verified = null;
            ResetBuild();
            _outputShapes.Clear();
            if (InputLayerOrNull is InputLayer input && _layers.Count > 1)
                EnsureBuilt(input.BatchShape);
        }

        private void Append(Layer layer)
        {
            ArgumentNullException.ThrowIfNull(layer);
            if (_members.Contains(layer))
                throw new ArgumentException($"Layer '{layer.Name}' is already in model '{Name}'.", nameof(layer));
            if (layer is InputLayer && _layers.Count > 0)
                throw new ArgumentException($"Model '{Name}': an InputLayer can only be the first layer; '{layer.Name}' was added after " +
                    $"{_layers.Count} layer(s).", nameof(layer));
            if (_layers.Count == 0 && layer is not InputLayer && layer.DeclaredBatchInputShape is Shape declared)
                _layers.Add(new InputLayer(batchShape: declared));
            _layers.Add(layer);
            _members.Add(layer);
        }

        /// <summary>Removes and returns the last layer.</summary>
        /// <exception cref="InvalidOperationException">The model has no layers.</exception>
        public Layer Pop()
        {
            if (Layers.Count == 0)
                throw new InvalidOperationException($"Model '{Name}' has no layers to pop.");
            var last = _layers[^1];
            _layers.RemoveAt(_layers.Count - 1);
            _members.Remove(last);
            _verified = null;
            ResetBuild();
            _outputShapes.Clear();
            if (InputLayerOrNull is InputLayer input && _layers.Count > 1)
                EnsureBuilt(input.BatchShape);
            return last;
        }

        /// <summary>Builds every layer in turn, each from the previous layer's output shape.</summary>
        protected override void Build(Shape inputShape)
        {
            if (_layers.Count == 0 || (_layers.Count == 1 && _layers[0] is InputLayer))
                throw new InvalidOperationException($"Model '{Name}' has no layers: add layers before calling or building it.");
            var shape = inputShape.With(0, Shape.Unknown);
            _outputShapes.Clear();
            foreach (var layer in _layers)
            {
                layer.EnsureBuilt(shape);
                shape = layer.ComputeOutputShape(shape);
                if (layer is not InputLayer)
                    _outputShapes.Add(shape);
            }
        }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            var x = inputs;
            var currentMask = mask;
            foreach (var layer in _layers)
            {
                // Called on a symbolic tensor (a nested model in a functional graph), the input layer is skipped as Keras does:
                // it returns its input itself, so recording its node would rewrite where that outer tensor comes from.
                if (layer is InputLayer && KerasTensor.IsSymbolic(x))
                    continue;
                if (_verifying)
                    ObserveForVerification(layer, x, currentMask);
                x = layer.Apply(x, training, currentMask);
                currentMask = KerasMask.Get(x);
            }
            return x;
        }

        /// <inheritdoc />
        protected override IReadOnlyList<Tensor> CallOutputs(IReadOnlyList<Tensor> inputs, bool singleInput, bool? training,
            IReadOnlyList<Tensor?> masks)
        {
            if (!singleInput)
                throw new ArgumentException($"Sequential model '{Name}' takes one input; it was called with a list of {inputs.Count}.");
            return new[] { Call(inputs[0], training, masks[0]) };
        }

        /// <summary>The output's mask is the one the last layer attached.</summary>
        protected override IReadOnlyList<Tensor?> ComputeOutputMasks(IReadOnlyList<Tensor> inputs, bool singleInput,
            IReadOnlyList<Tensor?> masks, IReadOnlyList<Tensor> outputs)
            => outputs.Select(KerasMask.Get).ToList();

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape)
        {
            var shape = inputShape;
            foreach (var layer in _layers)
                shape = layer.ComputeOutputShape(shape);
            return shape;
        }

        /// <summary>Keras's Sequential config: the layers' configs in order (the input layer first) and the build input shape.</summary>
        public override LayerConfig GetConfig()
        {
            var config = new LayerConfig("Sequential", module: "keras")
                .With("name", Name)
                .With("trainable", Trainable)
                .With("dtype", DTypePolicy)
                .With("layers", new JsonArray(_layers.Select(l => (JsonNode)l.GetConfig().ToJson()).ToArray()));
            if (Built && BuildShapes is not null)
                config.With("build_input_shape", BuildShapes[0].With(0, Shape.Unknown));
            return config;
        }

        /// <summary>Rebuilds a Sequential model from its config (Keras 2 and 3 layouts).</summary>
        public static new Sequential FromConfig(LayerConfig config)
        {
            ArgumentNullException.ThrowIfNull(config);
            var layers = new List<Layer>();
            Sequential? model = null;
            try
            {
                foreach (var (node, i) in config.Get<JsonArray>("layers").Select((node, i) => (node, i)))
                {
                    var layerConfig = LayerConfig.FromJson(node
                        ?? throw new FormatException($"Sequential '{config.Name}': layers[{i}] is null."));
                    layers.Add(Layer.Deserialize(layerConfig));
                }
                model = new Sequential(layers, config.Name, config.Trainable);
                if (!model.Built && config.Get<Shape?>("build_input_shape", null) is Shape buildShape)
                    model.EnsureBuilt(buildShape);
                return model;
            }
            catch
            {
                // A failed load leaves no weights behind: dispose what was built.
                model?.Dispose();
                foreach (var layer in layers)
                    layer.Dispose();
                throw;
            }
        }
    }
}
