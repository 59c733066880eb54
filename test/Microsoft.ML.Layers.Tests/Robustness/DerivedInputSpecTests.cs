using System;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Tests.Engine;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Robustness
{
    /// <summary>
    /// A layer that sets no InputSpec gets Keras's Dense spec from its build shape (rank at least 2, the last axis's size),
    /// so a wrong size is an exception before Call instead of a native abort in matmul (the abort itself: NativeAbortTests).
    /// </summary>
    public sealed class DerivedInputSpecTests
    {
        [Fact]
        public void AUserLayerWithWeightsGetsTheLastAxisAndMinimumRankOfItsBuildShape()
        {
            var layer = new SimpleDense(4, name: "user_dense");
            using var scope = NewDisposeScope();
            layer.Apply(ones(2, 3));

            Assert.NotNull(layer.InputSpec);
            Assert.Equal(2, layer.InputSpec!.MinNDim);
            Assert.Null(layer.InputSpec.NDim);
            Assert.Equal(3, layer.InputSpec.Axes![-1]);
            var error = Assert.Throws<ArgumentException>(() => layer.Apply(ones(5, 7)));
            Assert.Contains("'user_dense'", error.Message);
            Assert.Contains("value 3", error.Message);
            Assert.Contains("(5, 7)", error.Message);
            Assert.Contains("DerivesInputSpecFromBuildShape", error.Message);
            Assert.Throws<ArgumentException>(() => layer.Apply(ones(3)));
        }

        [Fact]
        public void OnlyTheLastAxisIsFixedNotTheBatchNorTheAxesBetween()
        {
            var layer = new SimpleDense(4);
            using var scope = NewDisposeScope();
            layer.Apply(ones(2, 3));

            Assert.Equal(new long[] { 9, 4 }, layer.Apply(ones(9, 3)).shape);
            Assert.Equal(new long[] { 1, 5, 4 }, layer.Apply(ones(1, 5, 3)).shape);
        }

        [Fact]
        public void ALayerWithoutWeightsOrThatOptsOutOrSetsItsOwnSpecIsLeftAlone()
        {
            using var scope = NewDisposeScope();
            var weightless = new Weightless();
            weightless.Apply(ones(2, 3));
            Assert.Null(weightless.InputSpec);
            Assert.Equal(new long[] { 2, 7 }, weightless.Apply(ones(2, 7)).shape);

            var optedOut = new ScalarScale();
            optedOut.Apply(ones(2, 3));
            Assert.Null(optedOut.InputSpec);
            Assert.Equal(new long[] { 2, 7 }, optedOut.Apply(ones(2, 7)).shape);

            var dense = new Dense(2);
            dense.Apply(ones(2, 3));
            Assert.Equal(2, dense.InputSpec!.MinNDim);
            Assert.Equal(3, dense.InputSpec.Axes![-1]);
        }

        [Fact]
        public void BuiltInLayersThatAcceptOtherLastAxisSizesStillDo()
        {
            using var scope = NewDisposeScope();
            // Embedding: the last axis is the sequence length.
            var embedding = new Embedding(10, 4);
            embedding.Apply(zeros(new long[] { 2, 3 }, ScalarType.Int64));
            Assert.Equal(new long[] { 2, 8, 4 }, embedding.Apply(zeros(new long[] { 2, 8 }, ScalarType.Int64)).shape);

            // LayerNormalization over axis 1: only that axis is fixed.
            var norm = new LayerNormalization(axis: new IntTuple(1));
            norm.Apply(torch.randn(2, 5, 3));
            Assert.Equal(new long[] { 2, 5, 7 }, norm.Apply(torch.randn(2, 5, 7)).shape);
            var error = Assert.Throws<ArgumentException>(() => norm.Apply(torch.randn(2, 6, 3)));
            Assert.Contains("axis 1", error.Message);

            // A recurrent layer called with its initial states after a plain call.
            var rnn = new SimpleRNN(4);
            rnn.Apply(torch.randn(2, 5, 3));
            Assert.Equal(new long[] { 2, 4 }, rnn.Apply(new[] { torch.randn(2, 6, 3), torch.zeros(2, 4) }).shape);
        }

        [Fact]
        public void AModelDerivesNoSpecItsLayersCheckTheirOwnAndARebuildForgetsTheDerivedOne()
        {
            using var scope = NewDisposeScope();
            var model = new Sequential(new SimpleDense(4));
            model.Apply(ones(2, 3));
            Assert.Null(model.InputSpec);
            var layer = model.Layers[0];
            Assert.NotNull(layer.InputSpec);

            layer.ResetBuild();
            Assert.Null(layer.InputSpec);
        }

        private sealed class Weightless : Layer
        {
            protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null) => inputs * 2;
        }

        private sealed class ScalarScale : Layer
        {
            private Parameter? _scale;

            protected override bool DerivesInputSpecFromBuildShape => false;

            protected override void Build(Shape inputShape) => _scale = AddWeight("scale", Shape.Scalar, Initializer.Ones());

            protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null) => inputs * _scale!;
        }
    }
}
