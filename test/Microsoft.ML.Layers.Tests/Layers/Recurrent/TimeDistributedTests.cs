using System;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Recurrent
{
    public sealed class TimeDistributedTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new TimeDistributed(new Dense(3, activation: "tanh", dtype: dtype), dtype: dtype),
            InputShapes = new Shape[] { new(4, 5, 2) },
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(4, 5, 3),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 5),
        });

        [Fact]
        public void PassesTheSharedLayerCheckAroundALayerThatTakesSequences() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new TimeDistributed(new GRU(2, dtype: dtype), dtype: dtype),
            InputShapes = new Shape[] { new(3, 4, 5, 2) },
            ExpectedTrainableWeights = 3,
            ExpectedOutputShape = new Shape(3, 4, 2),
            ExpectedSupportsMasking = true,
        });

        [Fact]
        public void EqualsDenseOnTheBatchWithTimeFoldedIn()
        {
            var dense = new Dense(3);
            var td = new TimeDistributed(dense);
            var x = randn(2, 5, 4);

            var y = td.Apply(x);

            // Dense on the (batch * time, features) rows, unfolded again; and step by step with the kernel written out.
            var folded = dense.Apply(x.reshape(10, 4)).reshape(2, 5, 3);
            Assert.True(folded.allclose(y, rtol: 1e-6, atol: 1e-6));
            for (int t = 0; t < 5; t++)
                Assert.True((x.select(1, t).mm(dense.Kernel!) + dense.Bias!).allclose(y.select(1, t), rtol: 1e-5, atol: 1e-6), $"step {t}");
        }

        [Fact]
        public void BuildsTheWrappedLayerForOneStepAndSharesItsWeightsOverTime()
        {
            var td = new TimeDistributed(new Dense(3));
            td.EnsureBuilt(new Shape(Shape.Unknown, 7, 4));

            Assert.Equal(new[] { new Shape(4, 3), new Shape(3) }, td.Weights.Select(w => w.Shape));
            Assert.Equal(new Shape(Shape.Unknown, 7, 3), td.ComputeOutputShape(new Shape(Shape.Unknown, 7, 4)));
        }

        [Fact]
        public void KeepsTheInputMaskOnTheOutput()
        {
            var td = new TimeDistributed(new Dense(2));
            var mask = tensor(new[] { true, false, true, true, true, false }, 2, 3);

            var y = td.Apply(randn(2, 3, 4), mask: mask);

            Assert.True(KerasMask.Get(y)!.equal(mask).all().item<bool>());
        }

        [Fact]
        public void AnInputWithoutATimeAxisFailsNamingTheLayer()
        {
            var td = new TimeDistributed(new Dense(2), name: "per_step");

            var error = Assert.Throws<ArgumentException>(() => td.Apply(ones(4, 3)));

            Assert.Contains("'per_step'", error.Message);
            Assert.Contains("min_ndim=3", error.Message);
        }

        [Fact]
        public void ConfigNestsTheWrappedLayerAndReadsBack()
        {
            var td = new TimeDistributed(new Dense(3, name: "head"), name: "td");
            td.EnsureBuilt(new Shape(Shape.Unknown, 7, 4));

            var json = JsonNode.Parse(td.ToJson())!;
            var copy = Assert.IsType<TimeDistributed>(Layer.Deserialize(td.ToJson()));

            Assert.Equal("Dense", (string?)json["config"]!["layer"]!["class_name"]);
            Assert.Equal("head", (string?)json["config"]!["layer"]!["config"]!["name"]);
            Assert.Equal(new long[] { 4, 3 }, ((Dense)copy.Layer).Kernel!.shape);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "TimeDistributed", "config": {"name": "time_distributed", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "layer": {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "trainable": true,
                   "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                   "units": 8, "activation": "relu", "use_bias": true,
                   "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
                   "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                   "kernel_regularizer": null, "bias_regularizer": null, "kernel_constraint": null, "bias_constraint": null},
                   "registered_name": null, "build_config": {"input_shape": [null, 16]}}},
                 "registered_name": null, "build_config": {"input_shape": [null, 10, 16]}}
                """;

            var td = Assert.IsType<TimeDistributed>(Layer.Deserialize(json));

            Assert.True(td.Built);
            Assert.Equal(8, Assert.IsType<Dense>(td.Layer).Units);
            Assert.Equal(new long[] { 2, 10, 8 }, td.Apply(randn(2, 10, 16)).shape);
        }
    }
}
