using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Engine
{
    public sealed class CallMachineryTests
    {
        [Fact]
        public void TrainingIsExplicitElseInheritedFromTheOuterCallElseNull()
        {
            var inner = new ProbeLayer();
            var outer = new ProbeLayer { Inner = inner };
            using var x = ones(1, 2);

            outer.Apply(x, training: true);
            outer.Apply(x);
            outer.Apply(x, training: false);

            Assert.Equal(new bool?[] { true, null, false }, outer.TrainingSeen);
            Assert.Equal(new bool?[] { true, null, false }, inner.TrainingSeen);
        }

        [Fact]
        public void AnExplicitTrainingValueInsideACallOverridesTheInheritedOneForThatCallOnly()
        {
            var innermost = new ProbeLayer();
            var inner = new OverridingLayer(innermost);
            var sibling = new ProbeLayer();
            var outer = new SequenceLayer(inner, sibling);

            outer.Apply(ones(1, 2), training: true);

            Assert.Equal(new bool?[] { false }, innermost.TrainingSeen);
            Assert.Equal(new bool?[] { true }, sibling.TrainingSeen);
        }

        [Fact]
        public void TheMaskAttachedByThePreviousLayerReachesTheNextLayer()
        {
            var first = new ProbeLayer(supportsMasking: true);
            var second = new ProbeLayer(supportsMasking: true);
            using var x = ones(2, 3, 1);
            using var mask = tensor(new[] { true, false, true, true, true, false }, 2, 3);

            var h = first.Apply(x, mask: mask);
            second.Apply(h);

            Assert.Same(mask, first.MasksSeen.Single());
            Assert.True(second.MasksSeen.Single()!.equal(mask).all().item<bool>());
        }

        [Fact]
        public void ALayerWithoutMaskSupportDropsTheMaskAndWarnsOnce()
        {
            var warnings = new List<string>();
            var previous = Layer.WarningWriter;
            Layer.WarningWriter = warnings.Add;
            try
            {
                var layer = new ProbeLayer(name: "no_mask_probe");
                using var x = ones(2, 3);
                using var mask = ones(2, 3, dtype: ScalarType.Bool);

                var y1 = layer.Apply(x, mask: mask);
                var y2 = layer.Apply(x, mask: mask);

                Assert.Null(KerasMask.Get(y1));
                Assert.Single(warnings, w => w.Contains("'no_mask_probe'") && w.Contains("does not support masking"));
            }
            finally
            {
                Layer.WarningWriter = previous;
            }
        }

        [Fact]
        public void LossesAreClearedAtEachOutermostCallAndCollectedFromNestedLayers()
        {
            var inner = new ProbeLayer(addLoss: true);
            var outer = new ProbeLayer(addLoss: true) { Inner = inner };

            outer.Apply(ones(1, 2));
            // outer adds sum(x) = 2; inner sees 2x and adds 4.
            Assert.Equal(new[] { 2f, 4f }, outer.Losses.Select(l => l.item<float>()));

            outer.Apply(ones(1, 2) * 3);
            Assert.Equal(new[] { 6f, 12f }, outer.Losses.Select(l => l.item<float>()));
        }

        [Fact]
        public void ActivityRegularizationIsAddedPerCallDividedByTheBatchSize()
        {
            var layer = new ProbeLayer { ActivityRegularizer = new HalfSquaredSumRegularizer() };
            using var x = tensor(new float[] { 1, 2, 3, 4 }, 2, 2);

            layer.Apply(x);

            // Output 2x = [2,4,6,8]: 0.5 * (4+16+36+64) = 60, divided by the batch size 2.
            Assert.Equal(30f, Assert.Single(layer.Losses).item<float>(), 5);
        }

        [Fact]
        public void FloatingInputsAreCastToTheComputeDTypeAndIntegersAreNot()
        {
            var layer = new ProbeLayer();
            layer.DTypePolicy = new DTypePolicy("float64");

            Assert.Equal(ScalarType.Float64, layer.Apply(ones(2, 2)).dtype);
            Assert.Equal(ScalarType.Int64, layer.Apply(ones(2, 2, dtype: ScalarType.Int64)).dtype);
        }

        [Fact]
        public void ListInputsReachTheMultiInputCall()
        {
            var layer = new SumLayer();

            var y = layer.Apply(new[] { ones(2, 3), ones(2, 3) * 2, ones(2, 3) * 3 });

            Assert.Equal(6f, y[0, 0].item<float>());
            Assert.Equal(new[] { new Shape(2, 3), new Shape(2, 3), new Shape(2, 3) }, layer.BuildShapes);
        }

        [Fact]
        public void ASingleInputLayerCalledWithSeveralInputsFailsNamingTheLayer()
        {
            var layer = new ProbeLayer(name: "single");

            var error = Assert.Throws<ArgumentException>(() => layer.Apply(new[] { ones(1), ones(1) }));

            Assert.Contains("'single'", error.Message);
            Assert.Contains("list of 2 inputs", error.Message);
        }

        [Fact]
        public void ComputeOutputShapeKeepsAnUnknownBatchUnknown()
        {
            var layer = new SimpleDense(5);

            Assert.Equal(new Shape(Shape.Unknown, 5), layer.ComputeOutputShape(new Shape(Shape.Unknown, 3)));
            Assert.Equal(new Shape(Shape.Unknown, Shape.Unknown, 5), layer.ComputeOutputShape(new Shape(Shape.Unknown, Shape.Unknown, 3)));
        }

        [Fact]
        public void TorchSharpForwardFollowsTheModulesTrainEvalMode()
        {
            var probe = new ProbeLayer();
            using var x = ones(1, 1);

            probe.train();
            probe.forward(x);
            probe.eval();
            probe.forward(x);

            Assert.Equal(new bool?[] { true, false }, probe.TrainingSeen);
        }

        [Fact]
        public void ALayerWithSeveralOutputsReturnsThemAllFromApplyAllAndTheFirstFromApply()
        {
            var layer = new TwoOutputLayer();
            using var x = tensor(new float[] { 1, 2 }, 1, 2);
            using var mask = tensor(new[] { true, false }, 1, 2);

            var outputs = layer.ApplyAll(x, mask: mask);
            var first = layer.Apply(x);

            Assert.Equal(2, outputs.Count);
            Assert.Equal(new float[] { 2, 4 }, outputs[0].data<float>().ToArray());
            Assert.Equal(new float[] { 3, 6 }, outputs[1].data<float>().ToArray());
            Assert.Equal(new float[] { 2, 4 }, first.data<float>().ToArray());
            Assert.Same(mask, KerasMask.Get(outputs[0]));
            Assert.Null(KerasMask.Get(outputs[1]));
        }

        private sealed class TwoOutputLayer : Layer
        {
            public TwoOutputLayer() => SupportsMasking = true;

            protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null) => inputs * 2;

            protected override IReadOnlyList<Tensor> CallOutputs(IReadOnlyList<Tensor> inputs, bool singleInput, bool? training, IReadOnlyList<Tensor?> masks)
                => new[] { Call(inputs[0], training, masks[0]), inputs[0] * 3 };
        }

        private sealed class OverridingLayer : Layer
        {
            private readonly Layer _inner;

            public OverridingLayer(Layer inner) => _inner = inner;

            protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null) => _inner.Apply(inputs, training: false);
        }

        private sealed class SequenceLayer : Layer
        {
            private readonly Layer _first;
            private readonly Layer _second;

            public SequenceLayer(Layer first, Layer second) => (_first, _second) = (first, second);

            protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null) => _second.Apply(_first.Apply(inputs));
        }

        private sealed class SumLayer : Layer
        {
            protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
                => throw new ArgumentException("SumLayer takes a list of inputs.");

            protected override Tensor Call(IReadOnlyList<Tensor> inputs, bool? training = null, IReadOnlyList<Tensor?>? masks = null)
                => inputs.Aggregate((a, b) => a + b);
        }
    }
}
