using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Callbacks;
using Microsoft.ML.Layers.Losses;
using Microsoft.ML.Layers.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// A layer with training and saving (Keras's <c>Model</c>). Made three ways, as in Keras:
    /// <list type="bullet">
    /// <item>functional: <c>new Model(inputs, outputs)</c> from symbolic tensors
    /// (<see cref="Input.Create(Shape, ScalarType?, string?, int?)"/>
    /// and layers called on them), with several inputs and outputs, shared layers and nested models;</item>
    /// <item><see cref="Sequential"/>: a stack of layers;</item>
    /// <item>subclassed: derive from <see cref="Model"/>, create layers in the constructor and override <c>Call</c>.</item>
    /// </list>
    /// Then <c>Compile</c>, <c>Fit</c>, <c>Evaluate</c>, <c>Predict</c>, <c>Summary</c>, <c>Save</c> and <c>Model.Load</c>.
    /// </summary>
    /// <remarks>
    /// The partial files: <c>Model.cs</c> (construction, graph, config), <c>Model.Compile.cs</c> (losses, metrics,
    /// optimizer), <c>Model.Steps.cs</c> (the train and test step of one batch), <c>Model.Fit.cs</c> (the epoch loop and
    /// callbacks), <c>Model.Evaluate.cs</c> (evaluate, predict, single batches), <c>Model.Saving.cs</c> (the model file).
    /// <para>What a subclassed model overrides:</para>
    /// <list type="table">
    /// <listheader><term>To change</term><description>Override</description></listheader>
    /// <item><term>the forward pass, one input (required)</term><description><c>Call(Tensor, bool?, Tensor?)</c>; read the
    /// <c>training</c> flag there for dropout-like behaviour.</description></item>
    /// <item><term>the forward pass, several inputs</term><description>
    /// <c>Call(IReadOnlyList&lt;Tensor&gt;, bool?, IReadOnlyList&lt;Tensor?&gt;?)</c>.</description></item>
    /// <item><term>how weights are created</term><description><c>Build(Shape)</c>; the default runs <c>Call</c> once on zeros
    /// of the input shape, which creates every nested layer's weights, so most models need not override it.</description></item>
    /// <item><term>the layer list (<c>Summary</c>)</term><description><see cref="Layers"/>.</description></item>
    /// <item><term>saving and loading</term><description><see cref="GetConfig"/> with constructor parameters named after its
    /// keys, and <c>[RegisterLayer]</c> on the class.</description></item>
    /// </list>
    /// <para>
    /// Training has no overridable step: unlike Keras's <c>train_step</c>, <c>test_step</c> and <c>predict_step</c>, the steps
    /// of <c>Fit</c>, <c>Evaluate</c> and <c>Predict</c> are private. Training is customised through <c>Call</c> (the
    /// <c>training</c> flag), <see cref="Layer.AddLoss(Tensor)"/> (added to the compiled loss), custom <see cref="Loss"/> and
    /// <see cref="Metric"/> subclasses, callbacks (<see cref="Callback"/>, <see cref="StopTraining"/>) and
    /// <c>Fit(IEnumerable&lt;Batch&gt;, ...)</c> for custom data. Several outputs are trained only in functional models: a
    /// subclassed model's loss and metrics see its first output.
    /// </para>
    /// </remarks>
    [RegisterLayer("Functional", Aliases = new[] { "Model" })]
    public partial class Model : Layer
    {
        private readonly FunctionalGraph? _graph;
        // The graph's layers, kept in a field so that the base class tracks them (weights, submodules).
        private readonly List<Layer> _graphLayers = new();

        /// <summary>Creates a functional model from one symbolic input and one symbolic output.</summary>
        public Model(Tensor inputs, Tensor outputs, string? name = null)
            : this(new[] { inputs ?? throw new ArgumentNullException(nameof(inputs)) },
                new[] { outputs ?? throw new ArgumentNullException(nameof(outputs)) }, name)
        {
        }

        /// <summary>Creates a functional model from symbolic inputs and outputs (several of each allowed).</summary>
        /// <exception cref="ArgumentException">An input is not from <see cref="Input.Create(Shape, ScalarType?, string?, int?)"/>, or an
        /// output depends on an input not listed.</exception>
        public Model(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, string? name = null)
            : base(name)
        {
            ArgumentNullException.ThrowIfNull(inputs);
            ArgumentNullException.ThrowIfNull(outputs);
            _graph = FunctionalGraph.Build(inputs, outputs, Name);
            _graphLayers.AddRange(_graph.Layers);
            SupportsMasking = true;
            EnsureBuilt(_graph.InputLayers.Select(l => l.BatchShape).ToList());
        }

        /// <summary>Creates a subclassed model: create layers in the derived constructor and override <c>Call</c>.</summary>
        protected Model(string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
        }

        /// <summary>
        /// Builds a subclassed model the way Keras does: one forward pass on zeros of the input shape (unknown dimensions
        /// as 1), in inference mode without gradients, so that every nested layer creates its weights.
        /// </summary>
        protected override void Build(Shape inputShape)
        {
            if (_graph is not null)
                return;
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var dtype = InputSpec?.DType ?? ComputeDType;
            var dims = NativeGuards.Checked(inputShape.Select(d => d == Shape.Unknown ? 1 : d).ToArray(), dtype,
                $"build probe of model '{Name}'");
            using var probe = zeros(dims, dtype: dtype);
            Call(probe, training: false);
        }

        /// <summary>A model's own layers check their inputs; a model accepts what its first layers accept (Keras's models derive
        /// no spec from the build shape either).</summary>
        protected override bool DerivesInputSpecFromBuildShape => false;

        /// <summary>Whether the model is a functional graph (rather than subclassed or sequential).</summary>
        public bool IsFunctional => _graph is not null;

        /// <summary>The model's layers: for a functional model its input layers, then the others in graph order.</summary>
        public virtual IReadOnlyList<Layer> Layers => _graph?.Layers ?? Sublayers;

        /// <summary>The symbolic inputs of a functional model.</summary>
        public IReadOnlyList<Tensor> Inputs => _graph?.Inputs ?? Array.Empty<Tensor>();

        /// <summary>The symbolic outputs of a functional model.</summary>
        public IReadOnlyList<Tensor> Outputs => _graph?.Outputs ?? Array.Empty<Tensor>();

        /// <summary>The names of a functional model's inputs (its input layers' names), in order.</summary>
        public IReadOnlyList<string> InputNames
            => _graph?.InputLayers.Select(l => l.Name).ToList() ?? (IReadOnlyList<string>)Array.Empty<string>();

        internal FunctionalGraph? Graph => _graph;

        /// <summary>The layer named <paramref name="name"/>.</summary>
        /// <exception cref="ArgumentException">No layer has that name; the message lists the names.</exception>
        public Layer GetLayer(string name)
            => Layers.FirstOrDefault(l => l.Name == name)
               ?? throw new ArgumentException($"No such layer: '{name}'. Existing layers are: " +
                   $"{string.Join(", ", Layers.Select(l => l.Name))}.", nameof(name));

        /// <summary>Runs the functional graph; subclassed models override this.</summary>
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
            => CallOutputs(new[] { inputs }, singleInput: true, training, new[] { mask })[0];

        /// <summary>Runs the functional graph on several inputs; subclassed models with several inputs override this.</summary>
        protected override Tensor Call(IReadOnlyList<Tensor> inputs, bool? training = null, IReadOnlyList<Tensor?>? masks = null)
            => CallOutputs(inputs, singleInput: false, training, masks ?? new Tensor?[inputs.Count])[0];

        /// <inheritdoc />
        protected override IReadOnlyList<Tensor> CallOutputs(IReadOnlyList<Tensor> inputs, bool singleInput, bool? training,
            IReadOnlyList<Tensor?> masks)
        {
            if (_graph is null)
            {
                if (GetType() == typeof(Model))
                    throw new InvalidOperationException($"Model '{Name}' has no graph: create it from inputs and outputs, or subclass " +
                        $"Model and override Call.");
                return base.CallOutputs(inputs, singleInput, training, masks);
            }
            return _graph.Run(inputs, training, masks, Name).Outputs;
        }

        /// <summary>A functional model's output masks are the masks its last layers attached to the outputs.</summary>
        protected override IReadOnlyList<Tensor?> ComputeOutputMasks(IReadOnlyList<Tensor> inputs, bool singleInput,
            IReadOnlyList<Tensor?> masks, IReadOnlyList<Tensor> outputs)
            => _graph is null ? base.ComputeOutputMasks(inputs, singleInput, masks, outputs) : outputs.Select(KerasMask.Get).ToList();

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape)
            => _graph is not null && _graph.Outputs.Count == 1 && _graph.Inputs.Count == 1
                ? KerasTensor.ShapeOf(_graph.Outputs[0]).With(0, inputShape[0]) : base.ComputeOutputShape(inputShape);

        /// <summary>
        /// The model's config. A functional model writes Keras's functional layout (<c>layers</c> with <c>inbound_nodes</c>,
        /// <c>input_layers</c>, <c>output_layers</c>); a subclassed model writes the base layer keys plus what it adds.
        /// </summary>
        public override LayerConfig GetConfig()
        {
            var config = base.GetConfig();
            if (_graph is not null)
            {
                config.BuildConfig = null;
                config.Values.Remove("dtype");
                _graph.WriteConfig(config);
            }
            return config;
        }

        /// <summary>
        /// Keras's summary table (layer and type, output shape, parameter count, and what each layer is connected to in a
        /// functional model; then the totals), written to the console and returned.
        /// </summary>
        /// <param name="lineLength">The minimum width of the table.</param>
        /// <param name="print">Whether to write the table to the console.</param>
        public string Summary(int lineLength = 65, bool print = true)
        {
            string table = ModelSummary.Render(this, lineLength);
            if (print)
                Console.Write(table);
            return table;
        }

        /// <summary>Rebuilds a functional model from its config (Keras 2 and Keras 3 layouts).</summary>
        public static Model FromConfig(LayerConfig config)
        {
            ArgumentNullException.ThrowIfNull(config);
            if (!config.Contains("layers") || !config.Contains("input_layers") || !config.Contains("output_layers"))
            {
                throw new FormatException(
                    $"The config of model '{config.Name}' is not a functional graph (it needs 'layers', 'input_layers' and " +
                    $"'output_layers'). A subclassed model needs its own registered class.");
            }
            var (inputs, outputs) = FunctionalGraph.ReadConfig(config);
            var model = new Model(inputs, outputs, config.Name);
            model.Trainable = config.Trainable;
            return model;
        }
    }
}
