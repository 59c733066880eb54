using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Models
{
    public sealed class SequentialTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = _ => new Sequential(new Dense(4, activation: "relu"), new Dense(2)),
            InputShapes = new Shape[] { new(3, 5) },
            ExpectedTrainableWeights = 4,
            ExpectedOutputShape = new Shape(3, 2),
            ExpectedSupportsMasking = true,
            DTypeVariants = Array.Empty<TorchSharp.torch.ScalarType>(),
        });

        [Fact]
        public void ComputesTheLayersOneAfterTheOther()
        {
            var first = new Dense(4, activation: "tanh");
            var second = new Dense(2);
            var model = new Sequential(first, second);
            using var x = randn(3, 5);

            var y = model.Apply(x);

            var expected = (x.matmul(first.Kernel!) + first.Bias!).tanh().matmul(second.Kernel!) + second.Bias!;
            Assert.True(y.allclose(expected, rtol: 1e-5, atol: 1e-6));
        }

        [Fact]
        public void AnInputLayerBuildsTheModelAtOnceAndIsNotListedAmongTheLayers()
        {
            var model = new Sequential(new InputLayer(shape: new Shape(5)), new Dense(4), new Dense(2));

            Assert.True(model.Built);
            Assert.Equal(2, model.Layers.Count);
            Assert.Equal(new[] { new Shape(Shape.Unknown, 4), new Shape(Shape.Unknown, 2) }, model.LayerOutputShapes);
            Assert.Equal(5 * 4 + 4 + 4 * 2 + 2, model.CountParams());
        }

        [Fact]
        public void AddAndPopChangeTheStack()
        {
            var model = new Sequential(new InputLayer(shape: new Shape(3)));
            model.Add(new Dense(4));
            model.Add(new Dense(1));

            var popped = model.Pop();

            Assert.IsType<Dense>(popped);
            Assert.Single(model.Layers);
            Assert.Equal(new long[] { 2, 4 }, model.Apply(ones(2, 3)).shape);
        }

        [Fact]
        public void AnInputLayerAfterOtherLayersIsRefused()
        {
            var model = new Sequential(new Dense(2));
            Assert.Throws<ArgumentException>(() => model.Add(new InputLayer(shape: new Shape(3))));
        }

        [Fact]
        public void MasksFlowFromLayerToLayer()
        {
            var model = new Sequential(new FirstFeatureMasker(), new MaskedSum());
            using var x = tensor(new float[] { 1, 1, 0, 5, 2, 2 }, 1, 3, 2);

            var y = model.Apply(x);

            // The middle step has first feature 0: masked out. Sum of steps 1 and 3: (1+2, 1+2).
            Assert.Equal(new float[] { 3, 3 }, y.data<float>().ToArray());
        }

        [Fact]
        public void ReadsAKeras2ConfigWhoseFirstLayerDeclaresTheInputShape()
        {
            const string json = """
                {"class_name": "Sequential", "config": {"name": "sequential_1", "layers": [
                  {"class_name": "Dense", "config": {"name": "dense_1", "trainable": true, "batch_input_shape": [null, 3], "dtype": "float32",
                   "units": 2, "activation": "linear", "use_bias": true,
                   "kernel_initializer": {"class_name": "VarianceScaling", "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": null}},
                   "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null, "bias_regularizer": null,
                   "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}}]}}
                """;

            var model = Assert.IsType<Sequential>(Layer.Deserialize(json));

            Assert.True(model.Built);
            Assert.Equal(new Shape(Shape.Unknown, 3), model.InputLayerOrNull!.BatchShape);
            Assert.Equal("dense_1", Assert.Single(model.Layers).Name);
        }

        [Fact]
        public void SummaryListsLayersShapesAndParameterTotals()
        {
            Layer.ResetNameCounters();
            var model = new Sequential(new Layer[] { new InputLayer(shape: new Shape(20)), new Dense(32, name: "hidden"), new Dense(1, name: "out") }, name: "mlp");

            string table = model.Summary(print: false);

            Assert.Contains("Model: \"mlp\"", table);
            Assert.Contains("hidden (Dense)", table);
            Assert.Contains("(None, 32)", table);
            Assert.Contains("672", table);          // 20*32 + 32
            Assert.Contains("Total params: 705", table);  // 672 + 32 + 1
            Assert.Contains("Trainable params: 705", table);
            Assert.Contains("Non-trainable params: 0", table);
            Assert.DoesNotContain("InputLayer", table);
        }
    }
}
