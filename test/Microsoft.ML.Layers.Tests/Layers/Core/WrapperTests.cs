using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Core
{
    public sealed class WrapperTests
    {
        /// <summary>A user's wrapper: the wrapped layer applied twice.</summary>
        private sealed class Twice : Wrapper
        {
            public Twice(Layer layer, string? name = null) : base(layer, name)
            {
            }

            protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
                => Layer.Apply(Layer.Apply(inputs, training), training);
        }

        [Fact]
        public void AUserWrapperTracksTheWrappedLayersWeightsAndBuildsIt()
        {
            var dense = new Dense(4, name: "inner");
            var twice = new Twice(dense, name: "twice");
            var x = randn(3, 4);

            var y = twice.Apply(x);

            Assert.True(dense.Built);
            Assert.Same(dense, Assert.Single(twice.Sublayers));
            Assert.True(twice.TrainableWeights.SequenceEqual(new[] { dense.Kernel!, dense.Bias! }, ReferenceEqualityComparer.Instance));
            var once = x.matmul(dense.Kernel!) + dense.Bias!;
            Assert.True((once.matmul(dense.Kernel!) + dense.Bias!).allclose(y, rtol: 1e-5, atol: 1e-6));
            Assert.Equal(new Shape(Shape.Unknown, 4), twice.ComputeOutputShape(new Shape(Shape.Unknown, 4)));

            twice.Trainable = false;
            Assert.Empty(twice.TrainableWeights);
        }

        [Fact]
        public void AUserWrapperWritesTheWrappedConfigUnderLayer()
        {
            var config = JsonNode.Parse(new Twice(new Dense(2, name: "inner"), name: "twice").ToJson())!["config"]!;

            Assert.Equal(new[] { "name", "trainable", "dtype", "layer" }, config.AsObject().Select(p => p.Key));
            Assert.Equal("Dense", (string?)config["layer"]!["class_name"]);
            Assert.Equal("inner", (string?)config["layer"]!["config"]!["name"]);
        }

        [Fact]
        public void ANullLayerFailsNamingTheWrapper()
        {
            var error = Assert.Throws<ArgumentNullException>(() => new Twice(null!));
            Assert.Contains("Twice", error.Message);
        }

        [Fact]
        public void TheBuiltInWrappersAreWrappers()
        {
            var dense = new Dense(2);
            Assert.Same(dense, new TimeDistributed(dense).Layer);
            var bi = new Bidirectional(new LSTM(2));
            Assert.Same(bi.ForwardLayer, bi.Layer);
            Assert.Same(dense, new SpectralNormalization(dense).Layer);
        }

        /// <summary>The weight paths of saved files did not move when Bidirectional and TimeDistributed became wrappers: the
        /// forward layer is still tracked as <c>ForwardLayer</c>, TimeDistributed's layer as <c>Layer</c>.</summary>
        [Fact]
        public void SavedWeightPathsOfTheBuiltInWrappersAreUnchanged()
        {
            var model = new Sequential(new InputLayer(shape: new Shape(4, 3)),
                new Bidirectional(new LSTM(2, returnSequences: true), name: "bi"),
                new TimeDistributed(new Dense(1, name: "head"), name: "td"));
            model.Apply(randn(2, 4, 3));

            var paths = model.NamedWeights().Select(p => p.Key).ToList();

            Assert.Equal(new[]
            {
                "bi/ForwardLayer/kernel", "bi/ForwardLayer/recurrent_kernel", "bi/ForwardLayer/bias",
                "bi/BackwardLayer/kernel", "bi/BackwardLayer/recurrent_kernel", "bi/BackwardLayer/bias",
                "td/Layer/kernel", "td/Layer/bias",
            }, paths);
            Assert.Equal(new Layer[] { ((Bidirectional)model.Layers[0]).ForwardLayer, ((Bidirectional)model.Layers[0]).BackwardLayer },
                model.Layers[0].Sublayers);
        }
    }
}
