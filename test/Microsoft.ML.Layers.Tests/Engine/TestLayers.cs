using System;
using System.Collections.Generic;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Regularizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Engine
{
    /// <summary>A user-written regularizer: 0.5 * sum(x^2), registered like any component.</summary>
    [RegisterComponent("HalfSquaredSum")]
    public sealed class HalfSquaredSumRegularizer : Regularizer
    {
        public override Tensor Compute(Tensor value) => value.pow(2).sum() * 0.5;
    }

    /// <summary>
    /// A custom layer with nested sublayers (two SimpleDense in fields, one more in a list), a non-trainable weight, a
    /// regularized weight and mask support: y = (value(x) * sigmoid(gate(x)) * scale + offset), masked steps zeroed.
    /// </summary>
    [RegisterLayer("GatedBlock")]
    public sealed class GatedBlock : Layer
    {
        private readonly SimpleDense _value;
        private readonly SimpleDense _gate;
        private Parameter? _scale;
        private Parameter? _offset;

        public GatedBlock(int units = 4, string? name = null, bool trainable = true, ScalarType? dtype = null, bool dynamic = false)
            : base(name, trainable, dtype, dynamic)
        {
            if (units <= 0)
                throw new ArgumentOutOfRangeException(nameof(units), $"Received: units={units}");
            Units = units;
            _value = new SimpleDense(units, dtype: dtype);
            _gate = new SimpleDense(units, dtype: dtype);
            Extra = new List<Layer> { new SimpleDense(units, dtype: dtype) };
            SupportsMasking = true;
        }

        public int Units { get; }

        public SimpleDense ValueLayer => _value;

        public SimpleDense GateLayer => _gate;

        public List<Layer> Extra { get; }

        protected override void Build(Shape inputShape)
        {
            _scale = AddWeight("scale", new Shape(Units), Initializer.Ones(), trainable: false);
            _offset = AddWeight("offset", new Shape(Units), Initializer.RandomNormal(), regularizer: new HalfSquaredSumRegularizer());
            _value.EnsureBuilt(inputShape);
            _gate.EnsureBuilt(inputShape);
            Extra[0].EnsureBuilt(inputShape[..^1].Append(Units));
        }

        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            var y = _value.Apply(inputs) * _gate.Apply(inputs).sigmoid() * _scale! + _offset!;
            y = Extra[0].Apply(y);
            return mask is null ? y : y * mask.unsqueeze(-1).to(y.dtype);
        }

        public override LayerConfig GetConfig() => base.GetConfig().With("units", Units);
    }

    /// <summary>Records the training flag and mask each call receives, and can add a loss.</summary>
    [RegisterLayer("Probe")]
    public sealed class ProbeLayer : Layer
    {
        public ProbeLayer(string? name = null, bool supportsMasking = false, bool addLoss = false) : base(name)
        {
            SupportsMasking = supportsMasking;
            AddsLoss = addLoss;
        }

        public bool AddsLoss { get; }

        public List<bool?> TrainingSeen { get; } = new();

        public List<Tensor?> MasksSeen { get; } = new();

        public Layer? Inner { get; set; }

        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            TrainingSeen.Add(training);
            MasksSeen.Add(mask);
            if (AddsLoss)
                AddLoss(inputs.sum());
            return Inner is null ? inputs * 2 : Inner.Apply(inputs * 2);
        }

        public override LayerConfig GetConfig() => base.GetConfig().With("supports_masking", SupportsMasking).With("add_loss", AddsLoss);
    }

    /// <summary>A layer whose config names a constructor parameter it does not have: deserializing must refuse it.</summary>
    [RegisterLayer("NoArguments")]
    public sealed class NoArgumentsLayer : Layer
    {
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null) => inputs + 1;
    }

    /// <summary>A layer that tries to add a weight after it was built.</summary>
    public sealed class LateWeightLayer : Layer
    {
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            AddWeight("late", new Shape(1));
            return inputs;
        }
    }

    /// <summary>A layer with an input spec: rank 3, last axis 5.</summary>
    public sealed class RankThreeLayer : Layer
    {
        public RankThreeLayer() => InputSpec = new InputSpec { NDim = 3, Axes = new Dictionary<int, long> { [-1] = 5 } };

        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null) => inputs;
    }
}
