using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Optimizers;
using Microsoft.ML.Layers.Regularizers;
using Microsoft.ML.Layers.TestFramework;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Engine
{
    /// <summary>A user-written constraint: clamps values into [0, 1].</summary>
    [RegisterComponent("UnitInterval")]
    public sealed class UnitIntervalConstraint : Constraint
    {
        public override Tensor Apply(Tensor weight) => weight.clamp(0, 1);
    }

    /// <summary>
    /// A layer with no FromConfig of its own: deserialization binds snake_case config keys to its camelCase constructor
    /// parameters, including nested initializer, regularizer, constraint and activation objects.
    /// </summary>
    [RegisterLayer("Projection")]
    public sealed class ProjectionLayer : Layer
    {
        private Parameter? _kernel;

        public ProjectionLayer(int units, Activation? activation = null, Initializer? kernelInitializer = null,
            Regularizer? kernelRegularizer = null, Constraint? kernelConstraint = null, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            Units = units;
            Activation = activation ?? Activations.Linear;
            KernelInitializer = kernelInitializer ?? Initializer.GlorotUniform();
            KernelRegularizer = kernelRegularizer;
            KernelConstraint = kernelConstraint;
        }

        public int Units { get; }

        public Activation Activation { get; }

        public Initializer KernelInitializer { get; }

        public Regularizer? KernelRegularizer { get; }

        public Constraint? KernelConstraint { get; }

        public Parameter Kernel => _kernel!;

        protected override void Build(Shape inputShape)
            => _kernel = AddWeight("kernel", new Shape(inputShape[^1], Units), KernelInitializer, regularizer: KernelRegularizer, constraint: KernelConstraint);

        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null) => Activation.Apply(inputs.matmul(_kernel!));

        public override LayerConfig GetConfig() => base.GetConfig()
            .With("units", Units)
            .With("activation", Activation)
            .With("kernel_initializer", KernelInitializer)
            .With("kernel_regularizer", KernelRegularizer)
            .With("kernel_constraint", KernelConstraint);
    }

    /// <summary>Holds its nested layers in a dictionary.</summary>
    public sealed class DictionaryHolder : Layer
    {
        private readonly Dictionary<string, Layer> _parts;

        public DictionaryHolder() => _parts = new Dictionary<string, Layer> { ["a"] = new SimpleDense(2), ["b"] = new SimpleDense(3) };

        public IReadOnlyDictionary<string, Layer> Parts => _parts;

        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
            => torch.cat(new[] { _parts["a"].Apply(inputs), _parts["b"].Apply(inputs) }, 1);
    }

    public sealed class ConfigBindingTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new ProjectionLayer(3, Activations.Get("tanh"), Initializer.RandomNormal(0, 0.5, seed: 7), new HalfSquaredSumRegularizer(), new UnitIntervalConstraint(), dtype: dtype),
            InputShapes = new Shape[] { new(4, 2) },
            ExpectedTrainableWeights = 1,
            ExpectedOutputShape = new Shape(4, 3),
        });

        [Fact]
        public void NestedObjectsAreWrittenTheKerasWay()
        {
            var layer = new ProjectionLayer(3, Activations.Get("tanh"), Initializer.RandomNormal(0, 0.5, seed: 7), kernelConstraint: new UnitIntervalConstraint());

            var config = JsonNode.Parse(layer.ToJson())!["config"]!;

            Assert.Equal("tanh", (string?)config["activation"]);
            Assert.Equal("RandomNormal", (string?)config["kernel_initializer"]!["class_name"]);
            Assert.Equal("keras.initializers", (string?)config["kernel_initializer"]!["module"]);
            Assert.Equal(0.5, (double)config["kernel_initializer"]!["config"]!["stddev"]!);
            Assert.Equal(7, (long)config["kernel_initializer"]!["config"]!["seed"]!);
            Assert.Null(config["kernel_regularizer"]);
            Assert.Equal("UnitInterval", (string?)config["kernel_constraint"]!["class_name"]);
            Assert.Equal("Microsoft.ML.Layers.Tests", (string?)config["kernel_constraint"]!["module"]);
        }

        [Fact]
        public void ConstructorParametersAreBoundFromSnakeCaseKeysIncludingNestedObjects()
        {
            const string json = """
                {"class_name": "Projection", "config": {"name": "proj", "trainable": false, "dtype": "float64", "units": 5,
                 "activation": "relu", "kernel_initializer": "ones",
                 "kernel_regularizer": {"class_name": "HalfSquaredSum", "config": {}},
                 "kernel_constraint": null}}
                """;

            var layer = Assert.IsType<ProjectionLayer>(Layer.Deserialize(json));

            Assert.Equal(("proj", false, ScalarType.Float64, 5), (layer.Name, layer.Trainable, layer.DType, layer.Units));
            Assert.Equal("relu", layer.Activation.Name);
            Assert.IsType<OnesInitializer>(layer.KernelInitializer);
            Assert.IsType<HalfSquaredSumRegularizer>(layer.KernelRegularizer);
            Assert.Null(layer.KernelConstraint);
        }

        [Fact]
        public void AnInitializerNamedInAConfigMustBeARegisteredInitializer()
        {
            const string json = """{"class_name": "Projection", "config": {"units": 2, "kernel_initializer": "UnitInterval"}}""";

            var error = Assert.Throws<KeyNotFoundException>(() => Layer.Deserialize(json));

            Assert.Contains("registered as a Constraint, not an Initializer", error.Message);
        }

        [Fact]
        public void ConstraintsProjectTheirWeightsAfterAnOptimizerStep()
        {
            var layer = new ProjectionLayer(3, kernelInitializer: Initializer.RandomNormal(0.5, 0.01), kernelConstraint: new UnitIntervalConstraint());
            using var x = ones(2, 4);
            layer.Apply(x);
            using var optimizer = optim.SGD(layer.TrainableWeights, 10.0);

            (-layer.Apply(x, training: true)).sum().backward();
            optimizer.step();
            Assert.True(layer.Kernel.max().item<float>() > 1); // the step pushed values out of [0, 1]
            layer.ApplyConstraints();

            Assert.True(layer.Kernel.max().item<float>() <= 1);
            Assert.True(layer.Kernel.min().item<float>() >= 0);
        }

        [Fact]
        public void LayersHeldInADictionaryAreTracked()
        {
            var holder = new DictionaryHolder();
            holder.Apply(ones(1, 4));

            Assert.Equal(holder.Parts["a"].Weights.Concat(holder.Parts["b"].Weights), holder.Weights);
            Assert.Equal(4, holder.parameters().Count());
        }
    }
}
