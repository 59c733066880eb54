using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Runs a recurrent layer forwards and a copy of it backwards over the same sequence and merges their outputs
    /// (Keras's <c>Bidirectional</c>). With <c>returnSequences</c>, the backward output is reversed back into time order
    /// before merging, so that step <c>t</c> of both is aligned.
    /// </summary>
    /// <remarks>
    /// <para>A <see cref="Wrapper"/> whose <see cref="Wrapper.Layer"/> is the forward layer. The forward layer is a fresh copy of
    /// <c>layer</c> made from its config and named <c>forward_&lt;name&gt;</c>; the
    /// backward layer is <c>backwardLayer</c>, or another copy with <c>go_backwards</c> set, named <c>backward_&lt;name&gt;</c>.
    /// As in Keras, <c>layer</c>'s own weights are not reused, and both layers output zeros at masked steps when they return
    /// sequences.</para>
    /// <para>Weights: the forward layer's, then the backward layer's. Input <c>(batch, timesteps, features)</c>. Output, for
    /// <c>mergeMode</c> <c>Concat</c> (default): <c>(..., 2 * units)</c>; <c>Sum</c>, <c>Multiply</c>, <c>Average</c>: <c>(..., units)</c>;
    /// <c>None</c>: two outputs, forward then backward, through <c>ApplyAll</c>. With <c>returnState</c>, the forward
    /// layer's final states then the backward layer's follow the output(s). Called with a list <c>[sequence, state...]</c>, the
    /// first half of the states start the forward layer and the second half the backward layer (Keras's <c>initial_state</c>).</para>
    /// <code>
    /// var bi = new Bidirectional(new LSTM(10, returnSequences: true));
    /// Tensor y = bi.Apply(torch.randn(4, 5, 3));    // (4, 5, 20)
    /// </code>
    /// </remarks>
    [RegisterLayer("Bidirectional")]
    public sealed class Bidirectional : Wrapper, IOnnxMultiExportable
    {
        // The sequence's rank (the wrapped layer's: 3, or 5 for ConvLSTM2D), checked here rather than through Layer.InputSpec,
        // which would apply to initial states too.
        private readonly InputSpec _sequenceSpec;

        /// <summary>Wraps a recurrent layer.</summary>
        /// <param name="layer">A recurrent layer (<see cref="SimpleRNN"/>, <see cref="LSTM"/>, <see cref="GRU"/>); its config defines the
        /// forward layer.</param>
        /// <param name="mergeMode">How the two outputs combine: <see cref="Layers.MergeMode.Concat"/> (default),
        /// <see cref="Layers.MergeMode.Sum"/>,
        /// <see cref="Layers.MergeMode.Multiply"/>, <see cref="Layers.MergeMode.Average"/>, or <see cref="Layers.MergeMode.None"/> to
        /// return both.</param>
        /// <param name="backwardLayer">The layer for the backward direction, with <c>goBackwards</c> unlike <paramref name="layer"/> and
        /// the same
        /// <c>stateful</c>, <c>returnSequences</c> and <c>returnState</c>; by default a copy of <paramref name="layer"/> going
        /// backwards.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype of the merge; the wrapped layers keep their own.</param>
        /// <exception cref="ArgumentException">A layer is not recurrent, the merge mode is unknown, or the two layers do not
        /// match.</exception>
        public Bidirectional(Layer layer, MergeMode mergeMode = MergeMode.Concat, Layer? backwardLayer = null,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(ForwardCopy(layer, mergeMode, backwardLayer), name, trainable, dtype)
        {
            var recurrent = (RecurrentLayer)layer;
            // Keras builds the backward layer from the layer's config with go_backwards flipped (a layer that already goes
            // backwards gets a backward copy that goes forwards).
            BackwardLayer = (RecurrentLayer?)backwardLayer ?? Copy(recurrent, "backward_", goBackwards: !recurrent.GoBackwards);
            if (ForwardLayer.GoBackwards == BackwardLayer.GoBackwards)
            {
                throw new ArgumentException("Forward layer and backward layer should have different `go_backwards` value. Received: " +
                    $"forward_layer.go_backwards={ForwardLayer.GoBackwards}, backward_layer.go_backwards={BackwardLayer.GoBackwards}");
            }
            Require("stateful", ForwardLayer.Stateful, BackwardLayer.Stateful);
            Require("return_sequences", ForwardLayer.ReturnSequences, BackwardLayer.ReturnSequences);
            Require("return_state", ForwardLayer.ReturnState, BackwardLayer.ReturnState);
            ForwardLayer.ZeroOutputForMask = ForwardLayer.ReturnSequences;
            BackwardLayer.ZeroOutputForMask = BackwardLayer.ReturnSequences;

            MergeMode = mergeMode;
            SupportsMasking = true;
            _sequenceSpec = new InputSpec { NDim = ForwardLayer.SequenceSpec.NDim };
        }

        /// <summary>The layer running forwards (Keras's <c>forward_layer</c>); it is also <see cref="Wrapper.Layer"/>, whose config is
        /// written under <c>"layer"</c>.</summary>
        public RecurrentLayer ForwardLayer => (RecurrentLayer)Layer;

        /// <summary>The layer running backwards (Keras's <c>backward_layer</c>).</summary>
        public RecurrentLayer BackwardLayer { get; }

        /// <summary>How the outputs combine; <see cref="Layers.MergeMode.None"/> returns both.</summary>
        public MergeMode MergeMode { get; }

        /// <summary>Whether the wrapped layers return sequences.</summary>
        public bool ReturnSequences => ForwardLayer.ReturnSequences;

        /// <summary>Whether the wrapped layers return their states.</summary>
        public bool ReturnState => ForwardLayer.ReturnState;

        /// <summary>Whether the wrapped layers are stateful.</summary>
        public bool Stateful => ForwardLayer.Stateful;

        /// <summary>Checks the arguments (before the base constructor runs) and returns the forward layer: a copy of
        /// <paramref name="layer"/> named <c>forward_&lt;name&gt;</c>.</summary>
        private static RecurrentLayer ForwardCopy(Layer layer, MergeMode mergeMode, Layer? backwardLayer)
        {
            ArgumentNullException.ThrowIfNull(layer);
            if (layer is not RecurrentLayer recurrent)
                throw new ArgumentException($"`Bidirectional` needs a recurrent layer (SimpleRNN, LSTM, GRU). Received: layer={layer}",
                    nameof(layer));
            if (backwardLayer is not null and not RecurrentLayer)
                throw new ArgumentException($"`backward_layer` needs to be a recurrent layer (SimpleRNN, LSTM, GRU). Received: " +
                    $"backward_layer={backwardLayer}", nameof(backwardLayer));
            Arguments.Choice(mergeMode, nameof(mergeMode));
            return Copy(recurrent, "forward_", goBackwards: null);
        }

        /// <summary>The forward layer keeps the key it had before it moved to <see cref="Wrapper.Layer"/>: weight paths in saved
        /// files read <c>ForwardLayer/...</c>.</summary>
        private protected override string TrackingKey(string fieldKey)
            => fieldKey == nameof(Layer) ? nameof(ForwardLayer) : fieldKey;

        private static RecurrentLayer Copy(RecurrentLayer layer, string prefix, bool? goBackwards)
        {
            var config = layer.GetConfig();
            string name = layer.Name.StartsWith(prefix, StringComparison.Ordinal) ? layer.Name.Substring(prefix.Length) : layer.Name;
            config.With("name", prefix + name);
            if (goBackwards is bool backwards)
                config.With("go_backwards", backwards);
            return (RecurrentLayer)Deserialize(config);
        }

        private static void Require(string attribute, bool forward, bool backward)
        {
            if (forward != backward)
            {
                throw new ArgumentException($"Forward layer and backward layer are expected to have the same value for attribute " +
                    $"\"{attribute}\", got \"{forward}\" for forward layer and \"{backward}\" for backward layer");
            }
        }

        /// <summary>Sets both layers' states back to zeros.</summary>
        /// <exception cref="InvalidOperationException">The layers are not stateful.</exception>
        public void ResetStates()
        {
            if (!Stateful)
                throw new InvalidOperationException($"Layer '{Name}' must be stateful to reset its states.");
            ForwardLayer.ResetStates();
            BackwardLayer.ResetStates();
        }

        /// <inheritdoc />
        protected override void Build(Shape inputShape)
        {
            _sequenceSpec.Check(this, inputShape, ComputeDType);
            ForwardLayer.EnsureBuilt(inputShape);
            BackwardLayer.EnsureBuilt(inputShape);
        }

        /// <summary>Builds from the sequence's shape; the shapes after it are the initial states'.</summary>
        protected override void Build(IReadOnlyList<Shape> inputShapes) => Build(inputShapes[0]);

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
            => CallOutputs(new[] { inputs }, true, training, new[] { mask })[0];

        /// <summary>
        /// Runs the sequence <c>inputs[0]</c> both ways. When called with a list, the tensors after the sequence are initial
        /// states: the first half for the forward layer, the second half for the backward layer (Keras's <c>initial_state</c>).
        /// </summary>
        protected override IReadOnlyList<Tensor> CallOutputs(IReadOnlyList<Tensor> inputs, bool singleInput, bool? training,
            IReadOnlyList<Tensor?> masks)
        {
            var sequence = inputs[0];
            _sequenceSpec.Check(this, Shape.Of(sequence), sequence.dtype);
            var mask = masks[0];
            var states = inputs.Skip(1).ToList();
            int half = states.Count / 2;
            IReadOnlyList<Tensor> Run(Layer layer, IEnumerable<Tensor> initialState)
            {
                var list = initialState.Prepend(sequence).ToList();
                return list.Count == 1 ? layer.ApplyAll(sequence, training, mask)
                    : layer.ApplyAll(list, training, list.Select((_, i) => i == 0 ? mask : null).ToList());
            }
            var forward = Run(ForwardLayer, states.Take(half));
            var backward = Run(BackwardLayer, states.Skip(half));
            var y = forward[0].to(ComputeDType);
            var yReversed = backward[0].to(ComputeDType);
            if (ReturnSequences)
                yReversed = yReversed.flip(1);

            var outputs = new List<Tensor>();
            switch (MergeMode)
            {
                case MergeMode.Concat: outputs.Add(cat(new[] { y, yReversed }, -1)); break;
                case MergeMode.Sum: outputs.Add(y.Plus(yReversed)); break;
                case MergeMode.Average: outputs.Add(y.Plus(yReversed).DivScalar(2)); break;
                case MergeMode.Multiply: outputs.Add(y * yReversed); break;
                default: outputs.Add(y); outputs.Add(yReversed); break;
            }
            if (ReturnState)
                outputs.AddRange(forward.Skip(1).Concat(backward.Skip(1)));
            return outputs;
        }

        /// <summary>
        /// Writes the forward and the backward layer (each as its own ONNX recurrent node, initial states split between them as
        /// in a call), puts the backward sequence back in input order and merges the two as <see cref="MergeMode"/> says.
        /// </summary>
        IReadOnlyList<string> IOnnxMultiExportable.ExportOnnx(OnnxExportContext context, IReadOnlyList<OnnxValue> inputs)
        {
            ArgumentNullException.ThrowIfNull(context);
            ArgumentNullException.ThrowIfNull(inputs);
            RecurrentLayer.ThrowIfMasked(context, this);
            var states = inputs.Skip(1).ToList();
            int half = states.Count / 2;
            IReadOnlyList<string> Run(Layer layer, IEnumerable<OnnxValue> initialState)
            {
                var list = initialState.Prepend(inputs[0]).ToList();
                return OnnxExporter.ExportLayer(context, layer, list, singleInput: list.Count == 1);
            }
            var forward = Run(ForwardLayer, states.Take(half));
            var backward = Run(BackwardLayer, states.Skip(half));
            var y = forward[0];
            var yReversed = ReturnSequences ? RecurrentLayer.ReverseOnnx(context, backward[0], 1) : backward[0];
            var outputs = new List<string>();
            switch (MergeMode)
            {
                case MergeMode.Concat:
                    outputs.Add(context.Node("Concat", new[] { y, yReversed }, new OnnxAttributes { { "axis", -1L } }));
                    break;
                case MergeMode.Sum: outputs.Add(context.Node("Add", y, yReversed)); break;
                case MergeMode.Average: outputs.Add(context.Node("Div", context.Node("Add", y, yReversed), context.Constant(2f))); break;
                case MergeMode.Multiply: outputs.Add(context.Node("Mul", y, yReversed)); break;
                default: outputs.Add(y); outputs.Add(yReversed); break;
            }
            if (ReturnState)
                outputs.AddRange(forward.Skip(1).Concat(backward.Skip(1)));
            return outputs;
        }

        /// <summary>The output mask: the input mask when the layers return sequences, else none.</summary>
        public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => ReturnSequences ? mask : null;

        /// <summary>The output mask of a call with initial states: the sequence's, as for one input.</summary>
        public override Tensor? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?>? masks)
            => ComputeMask(inputs[0], masks?[0]);

        /// <inheritdoc />
        protected override IReadOnlyList<Tensor?> ComputeOutputMasks(IReadOnlyList<Tensor> inputs, bool singleInput,
            IReadOnlyList<Tensor?> masks, IReadOnlyList<Tensor> outputs)
        {
            var result = new Tensor?[outputs.Count];
            var mask = ComputeMask(inputs[0], masks[0]);
            result[0] = mask;
            if (MergeMode == MergeMode.None)
                result[1] = mask;
            return result;
        }

        /// <summary>The (first) output's shape: the forward layer's, with the last dimension doubled for
        /// <see cref="Layers.MergeMode.Concat"/>.</summary>
        public override Shape ComputeOutputShape(Shape inputShape)
        {
            var shape = ForwardLayer.ComputeOutputShape(inputShape);
            return MergeMode == MergeMode.Concat ? shape.With(-1, shape[^1] * 2) : shape;
        }

        /// <summary>The (first) output's shape for a call with initial states: that of the sequence (the first shape).</summary>
        public override Shape ComputeOutputShape(IReadOnlyList<Shape> inputShapes)
        {
            ArgumentNullException.ThrowIfNull(inputShapes);
            return ComputeOutputShape(inputShapes[0]);
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig()
        {
            var config = GetLayerBaseConfig();
            RecurrentLayer.RecordSequenceBuildShape(config, BuildShapes);
            return config
                .With("merge_mode", MergeMode)
                .With("layer", ForwardLayer)
                .With("backward_layer", BackwardLayer);
        }
    }
}
