using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Losses;
using Microsoft.ML.Layers.Regularizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The base class of every layer: Keras's <c>Layer</c> contract on a TorchSharp module. A layer owns its weights,
    /// creates them in <see cref="Build(Shape)"/> (or its constructor), computes in <see cref="Call(Tensor, bool?, Tensor?)"/>,
    /// and serializes through <see cref="GetConfig"/> and a registered class name.
    /// </summary>
    /// <remarks>
    /// <para><see cref="Apply(Tensor, bool?, Tensor?)"/> (Keras's <c>__call__</c>) holds the machinery, in this order:
    /// check the inputs against <see cref="InputSpec"/>; build from the input shape on the first call, then lock the
    /// layer's state; cast floating inputs to the compute dtype; resolve <c>training</c> (the explicit value, else the
    /// value of the enclosing layer call, else <see langword="null"/>, which layers read as inference); take the mask
    /// from the argument or from the input; run <c>Call</c>; add the activity regularization to <see cref="Losses"/>;
    /// attach <see cref="ComputeMask(Tensor, Tensor?)"/>'s mask to the output. Temporaries of a call are disposed when it
    /// returns; the output, its mask and the call's losses move to the caller's dispose scope.</para>
    /// <para>Layers held in fields or auto-properties, directly or in lists, arrays and dictionaries, are tracked
    /// automatically: their weights appear in <see cref="Weights"/>, and they are registered as TorchSharp submodules.</para>
    /// <para><c>dynamic</c> is kept and serialized for Keras compatibility; TorchSharp always runs eagerly, so it changes
    /// nothing here.</para>
    /// </remarks>
    public abstract class Layer : nn.Module<Tensor, Tensor>, IKerasSerializable
    {
        /// <summary>Config keys every layer accepts (Keras's base <c>Layer.__init__</c> arguments).</summary>
        internal static readonly HashSet<string> BaseConfigKeys = new(StringComparer.Ordinal)
        {
            "name", "trainable", "dtype", "dynamic", "activity_regularizer",
            // Keras 2 let any layer declare the model's input (the first layer of a Sequential model): see DeclaredBatchInputShape.
            "batch_input_shape", "input_shape", "batch_size", "input_dim",
        };

        private static readonly ConcurrentDictionary<string, int> NameCounters = new(StringComparer.Ordinal);

        private readonly List<Parameter> _weights = new();
        private readonly List<Tensor> _losses = new();
        private readonly object _autocastGate = new();
        // Guards building (two threads may make the first call) and the loss list (scoring from many threads).
        private readonly object _stateGate = new();
        private DTypePolicy _dtypePolicy;
        private bool _trainable;
        private bool _building;
        private bool _maskWarningShown;
        private List<(string Key, Layer Layer)>? _trackedLayers;

        /// <summary>Creates a layer.</summary>
        /// <param name="name">The layer's name; by default the snake_case class name, made unique with a counter (<c>dense</c>, <c>dense_1</c>, ...).</param>
        /// <param name="trainable">Whether the layer's weights are updated by training.</param>
        /// <param name="dtype">The dtype of weights and computations; <see langword="null"/> for <see cref="DTypePolicy.Global"/>.</param>
        /// <param name="dynamic">Kept and serialized for Keras compatibility; execution here is always eager.</param>
        protected Layer(string? name = null, bool trainable = true, ScalarType? dtype = null, bool dynamic = false)
            : base(ReadyNativeBackend())
        {
            if (name is not null)
                ValidateName(name);
            Name = name ?? UniqueName(KerasJson.SnakeCase(DefaultNameBase));
            _trainable = trainable;
            _dtypePolicy = dtype is null ? DTypePolicy.Global : new DTypePolicy(dtype.Value);
            Dynamic = dynamic;
        }

        private static string ReadyNativeBackend()
        {
            // The module base constructor is TorchSharp's first native call: make the backend loadable first.
            NativeBackend.EnsureLoaded();
            return "layer";
        }

        private static void ValidateName(string name)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Contains('/'))
                throw new ArgumentException($"A layer name must be non-empty and must not contain '/'. Received: name='{name}'.", nameof(name));
        }

        /// <summary>
        /// The class name default layer names derive from (snake_cased, then made unique): the C# class name, unless a layer
        /// whose C# name differs from Keras's overrides it (<see cref="ActivationLayer"/> is Keras's <c>Activation</c>). It is
        /// read in the base constructor, so an override must return a constant.
        /// </summary>
        protected virtual string DefaultNameBase => GetType().Name;

        private static string UniqueName(string baseName)
        {
            int count = NameCounters.AddOrUpdate(baseName, 0, (_, previous) => previous + 1);
            return count == 0 ? baseName : $"{baseName}_{count}";
        }

        /// <summary>
        /// Resets the counters behind default names, so the next <c>Dense</c> is named <c>dense</c> again (what Keras's
        /// <c>clear_session</c> does for names). For tests and notebooks.
        /// </summary>
        public static void ResetNameCounters() => NameCounters.Clear();

        /// <summary>Where a layer's warnings go (a layer that drops a mask, ...). Defaults to <see cref="Trace.TraceWarning(string)"/>.</summary>
        public static Action<string> WarningWriter { get; set; } = message => Trace.TraceWarning(message);

        /// <summary>The layer's name, unique among layers created with default names.</summary>
        public string Name { get; internal set; }

        /// <summary>
        /// Whether training updates the layer's weights. Setting it applies to every nested layer and to the weights created
        /// trainable, so it changes <see cref="TrainableWeights"/> and what an optimizer updates.
        /// </summary>
        public bool Trainable
        {
            get => _trainable;
            set
            {
                _trainable = value;
                foreach (var weight in _weights.Where(w => w.CreatedTrainable))
                    weight.Trainable = value;
                foreach (var (_, layer) in TrackedLayers())
                    layer.Trainable = value;
            }
        }

        /// <summary>
        /// The dtype policy; may be changed only before the layer is built. Setting it also sets it on the nested layers
        /// tracked so far, so a block and its parts compute in one dtype.
        /// </summary>
        /// <exception cref="InvalidOperationException">Set after the layer was built.</exception>
        public DTypePolicy DTypePolicy
        {
            get => _dtypePolicy;
            set
            {
                ArgumentNullException.ThrowIfNull(value);
                if (Built)
                    throw new InvalidOperationException($"Layer '{Name}' is already built; set its dtype policy before its first call, or move it with to(dtype).");
                _dtypePolicy = value;
                foreach (var (_, layer) in TrackedLayers())
                {
                    if (!layer.Built)
                        layer.DTypePolicy = value;
                }
            }
        }

        /// <summary>The dtype of the weights (Keras's <c>layer.dtype</c>).</summary>
        public ScalarType DType => _dtypePolicy.VariableDType;

        /// <summary>The dtype of the weights.</summary>
        public ScalarType VariableDType => _dtypePolicy.VariableDType;

        /// <summary>The dtype floating inputs are cast to, and computations run in.</summary>
        public ScalarType ComputeDType => _dtypePolicy.ComputeDType;

        /// <summary>Keras's <c>dynamic</c> flag, kept for configs; it has no effect on execution.</summary>
        public bool Dynamic { get; internal set; }

        /// <summary>Whether the layer has been built (its weights exist).</summary>
        public bool Built { get; private set; }

        /// <summary>Whether the layer propagates masks: if not, a mask reaching it is dropped with a warning.</summary>
        public bool SupportsMasking { get; protected set; }

        /// <summary>
        /// Whether floating inputs are cast to <see cref="ComputeDType"/> and weights read in it under a mixed policy (Keras's
        /// <c>autocast</c>); <see langword="true"/> by default. Layers that take indices (Embedding) turn it off.
        /// </summary>
        protected bool Autocast { get; set; } = true;

        /// <summary>What the layer accepts; checked on every call. Typically set in the constructor or in <see cref="Build(Shape)"/>.</summary>
        public InputSpec? InputSpec { get; protected set; }

        /// <summary>A penalty on the layer's output, added to <see cref="Losses"/> (divided by the batch size) on every call.</summary>
        public Regularizer? ActivityRegularizer { get; set; }

        /// <summary>
        /// The model input shape a Keras 2 config declared on this layer (<c>batch_input_shape</c>, <c>input_shape</c>,
        /// <c>input_dim</c>), or null. <see cref="Sequential"/> turns it into an <see cref="InputLayer"/> in front of the layer.
        /// </summary>
        public Shape? DeclaredBatchInputShape { get; internal set; }

        /// <summary>The input shapes the layer was built with (one per input), or <see langword="null"/> before it is built.</summary>
        public IReadOnlyList<Shape>? BuildShapes { get; private set; }

        // ---------------------------------------------------------------------------------------------------------
        // Apply: Keras's __call__.

        /// <summary>Calls the layer on one input (Keras's <c>__call__</c>); see the class remarks for what it does.</summary>
        /// <param name="inputs">A batch: the first dimension is the batch.</param>
        /// <param name="training">Whether to run in training mode (dropout active, batch statistics, ...); <see langword="null"/> inherits the enclosing call's value, else means inference.</param>
        /// <param name="mask">A boolean mask of the leading dimensions; <see langword="null"/> takes the mask attached to <paramref name="inputs"/>, if any.</param>
        /// <returns>The output; for a layer with several outputs (see <see cref="ApplyAll(Tensor, bool?, Tensor?)"/>), the first.</returns>
        public Tensor Apply(Tensor inputs, bool? training = null, Tensor? mask = null) => ApplyAll(inputs, training, mask)[0];

        /// <summary>Calls the layer on several inputs (merge, attention and other multi-input layers).</summary>
        /// <returns>The output; for a layer with several outputs, the first.</returns>
        public Tensor Apply(IReadOnlyList<Tensor> inputs, bool? training = null, IReadOnlyList<Tensor?>? masks = null) => ApplyAll(inputs, training, masks)[0];

        /// <summary>
        /// Calls the layer on one input and returns every output: one for most layers, several for layers such as a recurrent
        /// layer with <c>returnState</c> (Keras's <c>output, h, c = lstm(x)</c>).
        /// </summary>
        public IReadOnlyList<Tensor> ApplyAll(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            ArgumentNullException.ThrowIfNull(inputs);
            var list = new[] { inputs };
            var masks = mask is null ? null : new[] { mask };
            return KerasTensor.IsSymbolic(inputs) ? KerasTensor.ApplySymbolic(this, list, singleInput: true, training, masks) : ApplyCore(list, singleInput: true, training, masks);
        }

        /// <summary>Calls the layer on several inputs and returns every output.</summary>
        public IReadOnlyList<Tensor> ApplyAll(IReadOnlyList<Tensor> inputs, bool? training = null, IReadOnlyList<Tensor?>? masks = null)
        {
            ArgumentNullException.ThrowIfNull(inputs);
            if (inputs.Count == 0)
                throw new ArgumentException($"Layer '{Name}' was called with an empty list of inputs.", nameof(inputs));
            if (masks is not null && masks.Count != inputs.Count)
                throw new ArgumentException($"Layer '{Name}' received {inputs.Count} inputs but {masks.Count} masks; pass one mask (or null) per input.", nameof(masks));
            return inputs.Any(KerasTensor.IsSymbolic) ? KerasTensor.ApplySymbolic(this, inputs, singleInput: false, training, masks) : ApplyCore(inputs, singleInput: false, training, masks);
        }

        /// <summary>TorchSharp's entry point: applies the layer with <c>training</c> taken from the module's train/eval mode.</summary>
        public override Tensor forward(Tensor input) => Apply(input, training: training);

        /// <summary>The nodes of functional graphs in which this layer was called on symbolic tensors, in call order.</summary>
        internal List<Node> InboundNodes { get; } = new();

        internal IReadOnlyList<Tensor> ApplyCore(IReadOnlyList<Tensor> inputs, bool singleInput, bool? training, IReadOnlyList<Tensor?>? explicitMasks)
        {
            // 1. Inputs must fit the layer.
            CheckInputs(inputs);

            // 2. Build on the first call, from the input shapes; then the layer's state is locked.
            if (!Built)
            {
                BuildOnce(inputs.Select(Shape.Of).ToList());
                CheckInputs(inputs);
            }

            var (context, outermost) = CallContext.Enter();
            bool? inheritedTraining = context.Training;
            try
            {
                if (outermost)
                    ClearLosses();

                // 3. Resolve training: explicit, else the enclosing call's, else null (inference); nested layers inherit it.
                bool? resolvedTraining = training ?? inheritedTraining;
                context.Training = resolvedTraining;

                // 4. Masks: explicit, else the ones attached to the inputs by the previous layer.
                var masks = explicitMasks ?? inputs.Select(KerasMask.Get).ToArray();

                using var scope = NewDisposeScope();
                // 5. Floating inputs are computed in the compute dtype.
                var castInputs = Autocast ? inputs.Select(CastInput).ToArray() : inputs.ToArray();

                // 6. Call, with weights read in the compute dtype under a mixed policy.
                var outputs = CallWithAutocast(castInputs, singleInput, resolvedTraining, masks);
                if (outputs is null || outputs.Count == 0 || outputs.Any(o => o is null))
                    throw new InvalidOperationException($"Layer '{Name}' ({GetType().Name}): Call returned no output.");

                // 7. Activity regularization of every output, normalized by the batch size like Keras.
                if (ActivityRegularizer is not null)
                {
                    foreach (var output in outputs)
                    {
                        var penalty = ActivityRegularizer.Compute(output);
                        if (output.ndim > 0 && output.shape[0] > 0)
                            penalty = penalty / output.shape[0];
                        AddLoss(penalty);
                    }
                }

                // 8. The outputs' masks for the next layer.
                IReadOnlyList<Tensor?> outputMasks = Array.Empty<Tensor?>();
                if (SupportsMasking)
                {
                    outputMasks = ComputeOutputMasks(castInputs, singleInput, masks, outputs);
                }
                else if (masks.Any(m => m is not null) && !_maskWarningShown)
                {
                    _maskWarningShown = true;
                    WarningWriter($"Layer '{Name}' (of type {GetType().Name}) was passed an input with a mask attached to it. However, this layer " +
                        "does not support masking and will therefore destroy the mask information. Downstream layers will not see the mask.");
                }

                scope.MoveToOuter(outputs);
                scope.MoveToOuter(outputMasks.Where(m => m is not null)!);
                scope.MoveToOuter(context.Losses);
                for (int i = 0; i < outputs.Count; i++)
                    KerasMask.Set(outputs[i], i < outputMasks.Count ? outputMasks[i] : null);
                return outputs;
            }
            finally
            {
                context.Training = inheritedTraining;
                if (outermost)
                    CallContext.Exit();
            }
        }

        private void CheckInputs(IReadOnlyList<Tensor> inputs)
        {
            if (InputSpec is null)
                return;
            for (int i = 0; i < inputs.Count; i++)
                InputSpec.Check(this, Shape.Of(inputs[i]), inputs[i].dtype, i);
        }

        private Tensor CastInput(Tensor input)
            => DTypes.IsFloating(input.dtype) && input.dtype != ComputeDType ? input.to(ComputeDType) : input;

        private IReadOnlyList<Tensor> CallWithAutocast(Tensor[] inputs, bool singleInput, bool? training, IReadOnlyList<Tensor?> masks)
        {
            var casts = _dtypePolicy.IsMixed && Autocast ? _weights.Where(w => w.Autocast && DTypes.IsFloating(w.dtype) && w.dtype != ComputeDType).ToList() : null;
            if (casts is null || casts.Count == 0)
                return CallOutputs(inputs, singleInput, training, masks);

            // Keras's autocast: during the call the weights read as compute-dtype copies; gradients flow back to the
            // full-precision weights. Swapping is not thread-safe, so mixed-precision calls of one layer are serialized.
            lock (_autocastGate)
            {
                var copies = casts.Select(w => w.to(ComputeDType)).ToList();
                for (int i = 0; i < casts.Count; i++)
                    casts[i].SwapHandleWith(copies[i]);
                try
                {
                    return CallOutputs(inputs, singleInput, training, masks);
                }
                finally
                {
                    for (int i = 0; i < casts.Count; i++)
                        casts[i].SwapHandleWith(copies[i]);
                }
            }
        }

        /// <summary>
        /// Computes every output. Layers with several outputs (a recurrent layer returning its states, attention returning
        /// its scores) override this; the default returns the single output of <see cref="Call(Tensor, bool?, Tensor?)"/>
        /// (or of the list overload when the layer was called with a list).
        /// </summary>
        /// <param name="inputs">The inputs, floating ones already in <see cref="ComputeDType"/>.</param>
        /// <param name="singleInput">Whether the layer was called with one tensor rather than a list.</param>
        /// <param name="training">The resolved training flag.</param>
        /// <param name="masks">One mask (or null) per input.</param>
        protected virtual IReadOnlyList<Tensor> CallOutputs(IReadOnlyList<Tensor> inputs, bool singleInput, bool? training, IReadOnlyList<Tensor?> masks)
            => new[] { singleInput ? Call(inputs[0], training, masks[0]) : Call(inputs, training, masks) };

        /// <summary>
        /// The masks of every output, used when <see cref="SupportsMasking"/>. The default gives the first output
        /// <see cref="ComputeMask(Tensor, Tensor?)"/>'s mask (or the list overload's) and the others none.
        /// </summary>
        protected virtual IReadOnlyList<Tensor?> ComputeOutputMasks(IReadOnlyList<Tensor> inputs, bool singleInput, IReadOnlyList<Tensor?> masks, IReadOnlyList<Tensor> outputs)
        {
            var result = new Tensor?[outputs.Count];
            result[0] = singleInput ? ComputeMask(inputs[0], masks[0]) : ComputeMask(inputs, masks);
            return result;
        }

        /// <summary>The layer's computation on one input: a few lines of tensor maths. Every layer writes this.</summary>
        /// <param name="inputs">The input batch, already in <see cref="ComputeDType"/> when floating.</param>
        /// <param name="training">The resolved training flag: <see langword="true"/> in training, else inference.</param>
        /// <param name="mask">The input's mask, if any.</param>
        protected abstract Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null);

        /// <summary>
        /// The computation on several inputs; multi-input layers override it. The default accepts a single-element list
        /// and calls <see cref="Call(Tensor, bool?, Tensor?)"/>.
        /// </summary>
        protected virtual Tensor Call(IReadOnlyList<Tensor> inputs, bool? training = null, IReadOnlyList<Tensor?>? masks = null)
        {
            if (inputs.Count != 1)
                throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) takes one input, but was called with a list of {inputs.Count} inputs.", nameof(inputs));
            return Call(inputs[0], training, masks?[0]);
        }

        // ---------------------------------------------------------------------------------------------------------
        // Build.

        /// <summary>Creates the weights that depend on the input shape (Keras's <c>build</c>). The default creates none.</summary>
        /// <param name="inputShape">The input's shape, batch dimension included (possibly <see cref="Shape.Unknown"/>).</param>
        protected virtual void Build(Shape inputShape)
        {
        }

        /// <summary>Creates the weights of a multi-input layer; the default builds from a single shape when there is one.</summary>
        protected virtual void Build(IReadOnlyList<Shape> inputShapes)
        {
            if (inputShapes.Count == 1)
                Build(inputShapes[0]);
        }

        /// <summary>Builds the layer for <paramref name="inputShape"/> if it is not built yet (Keras's <c>layer.build(shape)</c>).</summary>
        public void EnsureBuilt(Shape inputShape)
        {
            ArgumentNullException.ThrowIfNull(inputShape);
            EnsureBuilt(new[] { inputShape });
        }

        /// <summary>Builds a multi-input layer for <paramref name="inputShapes"/> if it is not built yet.</summary>
        public void EnsureBuilt(IReadOnlyList<Shape> inputShapes)
        {
            ArgumentNullException.ThrowIfNull(inputShapes);
            if (!Built)
                BuildOnce(inputShapes);
        }

        private void BuildOnce(IReadOnlyList<Shape> shapes)
        {
            lock (_stateGate)
            {
                if (!Built)
                    BuildLocked(shapes);
            }
        }

        private void BuildLocked(IReadOnlyList<Shape> shapes)
        {
            _building = true;
            try
            {
                if (shapes.Count == 1)
                    Build(shapes[0]);
                else
                    Build(shapes);
            }
            finally
            {
                _building = false;
            }
            BuildShapes = shapes.ToList();
            Built = true;
            _trackedLayers = null;
            TrackedLayers();
            // TorchSharp modules created in Build (inside a caller's dispose scope) must keep their parameters.
            foreach (var parameter in parameters())
                parameter.DetachFromDisposeScope();
            foreach (var buffer in buffers())
                buffer.DetachFromDisposeScope();
        }

        /// <summary>Forgets that the layer was built, so that a container whose layers changed rebuilds (Sequential.Add).</summary>
        internal void ResetBuild()
        {
            lock (_stateGate)
            {
                Built = false;
                BuildShapes = null;
                _trackedLayers = null;
            }
        }

        internal void BuildFromConfig(JsonNode? buildConfig)
        {
            if (buildConfig is not JsonObject obj || obj["input_shape"] is not JsonArray shapeNode)
                return;
            bool several = shapeNode.Count > 0 && shapeNode.All(n => n is JsonArray);
            var shapes = several
                ? shapeNode.Select((n, i) => (Shape)KerasJson.FromNode(n, typeof(Shape), $"{Name}.build_config.input_shape[{i}]")!).ToList()
                : new List<Shape> { (Shape)KerasJson.FromNode(shapeNode, typeof(Shape), $"{Name}.build_config.input_shape")! };
            EnsureBuilt(shapes);
        }

        // ---------------------------------------------------------------------------------------------------------
        // Weights.

        /// <summary>
        /// Creates a weight of this layer (Keras's <c>add_weight</c>), in the constructor or in <see cref="Build(Shape)"/>.
        /// </summary>
        /// <param name="name">The weight's name within the layer, e.g. <c>"kernel"</c>.</param>
        /// <param name="shape">Its shape; every dimension must be known.</param>
        /// <param name="initializer">Its initial values; default <c>glorot_uniform</c> for floating dtypes, <c>zeros</c> otherwise.</param>
        /// <param name="dtype">Its dtype; default the layer's variable dtype.</param>
        /// <param name="trainable">Whether an optimizer updates it.</param>
        /// <param name="regularizer">A penalty added to <see cref="Losses"/>.</param>
        /// <param name="constraint">A projection applied after each optimizer step.</param>
        /// <param name="autocast">Whether a mixed-precision call reads the weight in the compute dtype (Keras's default); <see langword="false"/> keeps it in the variable dtype during calls.</param>
        /// <exception cref="InvalidOperationException">The layer is already built.</exception>
        protected Parameter AddWeight(string name, Shape shape, Initializer? initializer = null, ScalarType? dtype = null,
            bool trainable = true, Regularizer? regularizer = null, Constraint? constraint = null, bool autocast = true)
        {
            ArgumentNullException.ThrowIfNull(name);
            ArgumentNullException.ThrowIfNull(shape);
            if (Built && !_building)
            {
                throw new InvalidOperationException(
                    $"Layer '{Name}' ({GetType().Name}) is already built: you cannot add the weight '{name}' now. All state must be created " +
                    "in the constructor or in Build.");
            }
            if (!shape.IsFullyDefined)
                throw new ArgumentException($"Layer '{Name}': weight '{name}' must have a fully known shape. Received: shape={shape}.", nameof(shape));

            var type = dtype ?? VariableDType;
            initializer ??= DTypes.IsFloating(type) ? Initializer.GlorotUniform() : Initializer.Zeros();
            Tensor value;
            using (no_grad())
                value = initializer.Create(shape, type);
            if (Shape.Of(value) != shape || value.dtype != type)
            {
                throw new InvalidOperationException(
                    $"Initializer {initializer.GetType().Name} returned shape {Shape.Of(value)} and dtype {value.dtype} for weight '{Name}/{name}', " +
                    $"which needs shape {shape} and dtype {type}.");
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
                CollectWeights(result, new HashSet<Parameter>(ReferenceEqualityComparer.Instance), new HashSet<Layer>(ReferenceEqualityComparer.Instance));
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
        public IReadOnlyList<Parameter> TrainableWeights => _trainable ? Weights.Where(w => w.Trainable).ToList() : Array.Empty<Parameter>();

        /// <summary>The weights an optimizer leaves alone (all of them when the layer is not trainable).</summary>
        public IReadOnlyList<Parameter> NonTrainableWeights => _trainable ? Weights.Where(w => !w.Trainable).ToList() : Weights;

        /// <summary>The number of scalars in all weights.</summary>
        /// <exception cref="InvalidOperationException">The layer is not built.</exception>
        public long CountParams()
        {
            if (!Built)
                throw new InvalidOperationException($"You tried to call CountParams on layer '{Name}', but the layer isn't built. Build it with EnsureBuilt(inputShape) or call it once.");
            return Weights.Sum(w => w.numel());
        }

        /// <summary>The values of <see cref="Weights"/> as .NET arrays whose ranks and lengths are the weights' shapes (<c>float[,]</c> for a Dense kernel).</summary>
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
                    var given = WeightArrays.ShapeOf(weights[i] ?? throw new ArgumentNullException(nameof(weights), $"Weight {i} ({targets[i].Path}) is null."), targets[i].Shape);
                    if (given != targets[i].Shape)
                    {
                        throw new ArgumentException(
                            $"Layer '{Name}' weight '{targets[i].Path}' (index {i}) has shape {targets[i].Shape}, which is not compatible with the provided " +
                            $"weight shape {given}.", nameof(weights));
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

        // ---------------------------------------------------------------------------------------------------------
        // Losses.

        /// <summary>Adds a loss (a scalar tensor) from <see cref="Call(Tensor, bool?, Tensor?)"/>; it counts until the next outermost call.</summary>
        public void AddLoss(Tensor loss)
        {
            ArgumentNullException.ThrowIfNull(loss);
            lock (_stateGate)
                _losses.Add(loss);
            CallContext.Current?.Losses.Add(loss);
        }

        /// <summary>
        /// The losses of the last outermost call (from <see cref="AddLoss"/> and activity regularizers, this layer's and its
        /// nested layers'), then the weight regularization penalties of the trainable weights, computed now.
        /// </summary>
        public IReadOnlyList<Tensor> Losses
        {
            get
            {
                var result = new List<Tensor>();
                CollectOwnLosses(result, new HashSet<Layer>(ReferenceEqualityComparer.Instance));
                foreach (var weight in TrainableWeights)
                {
                    if (weight.Regularizer is not null)
                        result.Add(weight.Regularizer.Compute(weight));
                }
                return result;
            }
        }

        private void CollectOwnLosses(List<Tensor> result, HashSet<Layer> visited)
        {
            if (!visited.Add(this))
                return;
            lock (_stateGate)
                result.AddRange(_losses);
            foreach (var (_, layer) in TrackedLayers())
                layer.CollectOwnLosses(result, visited);
        }

        private void ClearLosses()
        {
            var visited = new HashSet<Layer>(ReferenceEqualityComparer.Instance);
            var pending = new Stack<Layer>();
            pending.Push(this);
            while (pending.Count > 0)
            {
                var layer = pending.Pop();
                if (!visited.Add(layer))
                    continue;
                lock (layer._stateGate)
                    layer._losses.Clear();
                foreach (var (_, nested) in layer.TrackedLayers())
                    pending.Push(nested);
            }
        }

        // ---------------------------------------------------------------------------------------------------------
        // Shapes and masks.

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

        /// <summary>The output shape for the input shapes of a multi-input layer (default: a probe run, like the single-input one).</summary>
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
                var inputs = inputShapes.Select(s => zeros(s.Select(d => d == Shape.Unknown ? unknownAs : d).ToArray(), dtype: dtype)).ToList();
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
                    throw new InvalidOperationException($"Layer '{Name}': the output rank depends on the input sizes; override ComputeOutputShape.");
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

        // ---------------------------------------------------------------------------------------------------------
        // Nested layers.

        /// <summary>The layers this layer holds directly, in tracking order (field declaration order, base class first).</summary>
        public IReadOnlyList<Layer> Sublayers => TrackedLayers().Select(t => t.Layer).ToList();

        private List<(string Key, Layer Layer)> TrackedLayers()
        {
            if (_trackedLayers is not null)
                return _trackedLayers;
            var found = new List<(string, Layer)>();
            var seen = new HashSet<Layer>(ReferenceEqualityComparer.Instance) { this };
            var keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var field in TrackableFields(GetType()))
            {
                var value = field.GetValue(this);
                string fieldKey = FieldKey(field);
                int index = 0;
                foreach (var layer in LayersIn(value))
                {
                    // A layer held directly is known by its field; layers in a collection by their (unique) names, so that
                    // weight paths read "dense/kernel" and stay the same when a model is rebuilt from its config.
                    string key = value is Layer ? fieldKey : SafeKey(layer.Name);
                    if (!keys.Add(key))
                        key = $"{fieldKey}_{index}";
                    if (seen.Add(layer))
                    {
                        keys.Add(key);
                        found.Add((key, layer));
                    }
                    index++;
                }
            }
            foreach (var (key, layer) in found)
            {
                if (!_internal_submodules.ContainsKey(key))
                    register_module(key, layer);
            }
            // Before build, layers may still be assigned (in Build); after build the state is locked and can be cached.
            if (Built)
                _trackedLayers = found;
            return found;
        }

        private static readonly ConcurrentDictionary<Type, FieldInfo[]> FieldsByType = new();

        private static FieldInfo[] TrackableFields(Type type) => FieldsByType.GetOrAdd(type, t =>
        {
            var chain = new List<Type>();
            for (var current = t; current is not null && current != typeof(Layer); current = current.BaseType)
                chain.Add(current);
            chain.Reverse();
            return chain.SelectMany(c => c.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                .Where(f => !typeof(Tensor).IsAssignableFrom(f.FieldType) && !f.FieldType.IsPrimitive && f.FieldType != typeof(string))
                .ToArray();
        });

        private static string SafeKey(string name) => name.Replace('.', '_');

        private static string FieldKey(FieldInfo field)
        {
            string name = field.Name;
            // Auto-property backing fields are named <Property>k__BackingField.
            if (name.StartsWith('<') && name.IndexOf('>') is > 1 and var end)
                name = name.Substring(1, end - 1);
            return name.Replace('.', '_');
        }

        private static IEnumerable<Layer> LayersIn(object? value)
        {
            switch (value)
            {
                case null:
                case string:
                case Tensor:
                    yield break;
                case Layer layer:
                    yield return layer;
                    yield break;
                case IDictionary dictionary:
                    foreach (var item in dictionary.Values)
                    {
                        if (item is Layer nested)
                            yield return nested;
                    }
                    yield break;
                case IEnumerable sequence:
                    foreach (var item in sequence)
                    {
                        if (item is Layer nested)
                            yield return nested;
                    }
                    yield break;
            }
        }

        /// <summary>Layers track their nested layers themselves; TorchSharp's field registration would register weights twice.</summary>
        protected override void RegisterComponents()
        {
        }

        /// <summary>Moves weights in place (they keep their identity) and switches the dtype policy with a dtype move.</summary>
        protected override void _toEpilog(ScalarType? dtype, Device? device, bool non_blocking)
        {
            foreach (var weight in _weights)
            {
                var targetType = dtype is ScalarType t && DTypes.IsFloating(weight.dtype) ? t : weight.dtype;
                var targetDevice = device ?? weight.device;
                if (weight.dtype == targetType && weight.device_type == targetDevice.type && weight.device_index == targetDevice.index)
                    continue;
                using var noGrad = no_grad();
                using var moved = weight.detach().to(targetType, targetDevice).requires_grad_(weight.requires_grad);
                moved.DetachFromDisposeScope();
                weight.SwapHandleWith(moved);
            }
            if (dtype is ScalarType d && DTypes.IsFloating(d))
                _dtypePolicy = new DTypePolicy(d);
            base._toEpilog(dtype, device, non_blocking);
        }

        // ---------------------------------------------------------------------------------------------------------
        // Config.

        /// <summary>
        /// The layer's config in Keras's layout: the base keys (<c>name</c>, <c>trainable</c>, <c>dtype</c>, and <c>dynamic</c> and
        /// <c>activity_regularizer</c> when set) plus whatever a subclass adds with <see cref="LayerConfig.With"/>. A built
        /// layer's config records its input shape as <c>build_config</c>.
        /// </summary>
        public virtual LayerConfig GetConfig()
        {
            var type = GetType();
            var config = new LayerConfig(ComponentRegistry.IsRegistered(type) ? ComponentRegistry.NameOf(type) : type.Name, module: ComponentRegistry.ModuleOf(type))
                .With("name", Name)
                .With("trainable", Trainable)
                .With("dtype", DTypePolicy);
            if (Dynamic)
                config.With("dynamic", true);
            if (ActivityRegularizer is not null)
                config.With("activity_regularizer", ActivityRegularizer);
            if (Built && BuildShapes is not null)
            {
                // The batch size a layer happened to be built with is not part of its architecture: written as None, like Keras's symbolic builds.
                var shapes = BuildShapes.Select(s => s.Rank > 0 ? s.With(0, Shape.Unknown) : s).ToList();
                config.BuildConfig = new JsonObject
                {
                    ["input_shape"] = shapes.Count == 1 ? KerasJson.ToNode(shapes[0], "input_shape") : KerasJson.ToNode(shapes, "input_shape"),
                };
            }
            return config;
        }

        ComponentConfig IKerasSerializable.GetConfig() => GetConfig();

        /// <summary>Applies the base keys a subclass constructor did not take.</summary>
        internal void ApplyBaseConfig(LayerConfig config, IReadOnlySet<string> boundByConstructor)
        {
            if (!boundByConstructor.Contains("name") && config.Name is string name)
            {
                ValidateName(name);
                Name = name;
            }
            if (config.DTypePolicy is DTypePolicy policy && (!boundByConstructor.Contains("dtype") || policy.IsMixed))
                DTypePolicy = policy;
            if (!boundByConstructor.Contains("dynamic"))
                Dynamic = config.Dynamic;
            if (!boundByConstructor.Contains("activity_regularizer") && config.Contains("activity_regularizer"))
                ActivityRegularizer = config.Get<Regularizer?>("activity_regularizer", null);
            if (!boundByConstructor.Contains("trainable"))
                Trainable = config.Trainable;
            if (config.Get<Shape?>("batch_input_shape", null) is Shape batchInputShape)
                DeclaredBatchInputShape = batchInputShape;
            else if (config.Get<Shape?>("input_shape", null) is Shape inputShape)
                DeclaredBatchInputShape = inputShape.Prepend(config.Get<int?>("batch_size", null) ?? Shape.Unknown);
            else if (!boundByConstructor.Contains("input_dim") && config.Get<int?>("input_dim", null) is int inputDim)
                DeclaredBatchInputShape = new Shape(config.Get<int?>("batch_size", null) ?? Shape.Unknown, inputDim);
        }

        /// <summary>
        /// Rebuilds a layer from its config: the class is looked up by registered name, created with its static
        /// <c>FromConfig</c> when it declares one, else with the constructor whose parameters match the config's keys, and
        /// built when the config records an input shape. Only registered classes are ever created.
        /// </summary>
        /// <exception cref="KeyNotFoundException">The class is not registered (or is not a layer); the message says how to register it.</exception>
        /// <exception cref="FormatException">A value does not fit its parameter, or a key matches no parameter.</exception>
        public static Layer Deserialize(LayerConfig config)
        {
            ArgumentNullException.ThrowIfNull(config);
            return ComponentRegistry.DeserializeLayer(config, typeof(Layer));
        }

        /// <summary>Rebuilds a layer from Keras JSON text; see <see cref="Deserialize(LayerConfig)"/>.</summary>
        public static Layer Deserialize(string json) => Deserialize(LayerConfig.FromJson(json));

        /// <summary>The layer's config as Keras JSON text.</summary>
        public string ToJson(bool indented = false) => GetConfig().ToJsonString(indented);

        /// <inheritdoc />
        public override string ToString() => $"{GetType().Name}(name={Name})";
    }
}
