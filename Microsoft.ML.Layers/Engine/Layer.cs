using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
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
    /// <para>The hooks a subclass overrides, by what the layer does (everything else is machinery to leave alone):</para>
    /// <list type="table">
    /// <listheader><term>The layer ...</term><description>Override (or set)</description></listheader>
    /// <item><term>takes one input (every layer)</term><description><see cref="Call(Tensor, bool?, Tensor?)"/> (required:
    /// the maths, with <c>training</c> and <c>mask</c>); <see cref="Build(Shape)"/> to create weights that depend on the
    /// input shape with <see cref="AddWeight"/> (weights that do not may be created in the constructor).</description></item>
    /// <item><term>takes several inputs (merge, attention)</term><description>
    /// <see cref="Call(IReadOnlyList{Tensor}, bool?, IReadOnlyList{Tensor?}?)"/> and
    /// <see cref="Build(IReadOnlyList{Shape})"/>; the single-input <c>Call</c> must still be written (it may throw, or treat
    /// one tensor as a list of one).</description></item>
    /// <item><term>returns several outputs</term><description><see cref="CallOutputs"/> (the first output is what
    /// <see cref="Apply(Tensor, bool?, Tensor?)"/> returns; <see cref="ApplyAll(Tensor, bool?, Tensor?)"/> returns them all);
    /// <see cref="ComputeOutputMasks"/> when the outputs carry masks.</description></item>
    /// <item><term>propagates, makes or consumes masks</term><description>set <see cref="SupportsMasking"/> in the
    /// constructor (without it a mask is dropped with a warning); <see cref="ComputeMask(Tensor, Tensor?)"/> (default: pass
    /// the input mask on), or <see cref="ComputeMask(IReadOnlyList{Tensor}, IReadOnlyList{Tensor?}?)"/> for several inputs
    /// (default: none).</description></item>
    /// <item><term>knows its output shape cheaply, or the probe run is wrong</term><description>
    /// <see cref="ComputeOutputShape(Shape)"/> or <see cref="ComputeOutputShape(IReadOnlyList{Shape})"/> (default: run the
    /// layer on zeros).</description></item>
    /// <item><term>has constructor arguments</term><description><see cref="GetConfig"/>
    /// (<c>base.GetConfig().With(...)</c>), and a <c>public static FromConfig(LayerConfig)</c> only when the constructor's
    /// parameters do not match the config's keys; mark the class <see cref="RegisterLayerAttribute"/> so configs and model
    /// files find it.</description></item>
    /// <item><term>has a C# name that differs from Keras's</term><description><see cref="DefaultNameBase"/> (a
    /// constant).</description></item>
    /// <item><term>checks its inputs, or takes integer inputs</term><description>set <see cref="InputSpec"/> (in the
    /// constructor or <c>Build</c>); turn <see cref="Autocast"/> off for inputs that must not be cast (indices).</description></item>
    /// <item><term>has weights but accepts other last-axis sizes after build</term><description>override
    /// <see cref="DerivesInputSpecFromBuildShape"/> to return <see langword="false"/>, or set <see cref="InputSpec"/>
    /// (otherwise the spec is derived from the build shape: rank at least 2 and the last axis's size).</description></item>
    /// </list>
    /// <para>Never call <c>Call</c>, <c>CallOutputs</c> or <c>Build</c> directly, not even on a nested layer: call
    /// <see cref="Apply(Tensor, bool?, Tensor?)"/>, <see cref="ApplyAll(Tensor, bool?, Tensor?)"/> or
    /// <see cref="EnsureBuilt(Shape)"/>, which run the machinery (build once, dtype, training flag, masks, losses, dispose
    /// scopes). The TorchSharp overrides (<see cref="forward"/>, <see cref="RegisterComponents"/>, <c>_toEpilog</c>) are
    /// machinery: do not override them. A tensor a layer keeps in a field from inside <c>Call</c> is disposed when the call
    /// returns unless it is detached (<c>DetachFromDisposeScope()</c>). docs/writing-layers.md walks through each case.</para>
    /// </remarks>
    public abstract partial class Layer : nn.Module<Tensor, Tensor>, IKerasSerializable
    {
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
        /// <param name="name">The layer's name; by default the snake_case class name, made unique with a counter (<c>dense</c>,
        /// <c>dense_1</c>, ...).</param>
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

        /// <summary>Where a layer's warnings go (a layer that drops a mask, ...). Defaults to
        /// <see cref="Trace.TraceWarning(string)"/>.</summary>
        public static Action<string> WarningWriter { get; set; } = message => Trace.TraceWarning(message);

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

        /// <summary>Keras's <c>dynamic</c> flag, kept for configs; it has no effect on execution.</summary>
        public bool Dynamic { get; internal set; }

        /// <summary>Whether the layer has been built (its weights exist).</summary>
        public bool Built { get; private set; }

        /// <summary>Whether the layer propagates masks: if not, a mask reaching it is dropped with a warning.</summary>
        public bool SupportsMasking { get; protected set; }

        /// <summary>What the layer accepts; checked on every call. Typically set in the constructor or in
        /// <see cref="Build(Shape)"/>.</summary>
        public InputSpec? InputSpec { get; protected set; }

        /// <summary>A penalty on the layer's output, added to <see cref="Losses"/> (divided by the batch size) on every call.</summary>
        public Regularizer? ActivityRegularizer { get; set; }

        /// <inheritdoc />
        public override string ToString() => $"{GetType().Name}(name={Name})";
    }
}
