using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Core
{
    public sealed class DenseTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Dense(5, activation: "tanh", dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 2) },
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(4, 3, 5),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
        });

        [Fact]
        public void ComputesActivationOfInputTimesKernelPlusBias()
        {
            var dense = new Dense(3, activation: "relu");
            using var x = randn(6, 4);
            var y = dense.Apply(x);

            // The same maths written directly: the kernel is (input_dim, units), Keras's layout.
            var expected = (x.matmul(dense.Kernel!) + dense.Bias!).relu();
            Assert.Equal(new long[] { 4, 3 }, dense.Kernel!.shape);
            Assert.True(y.allclose(expected, rtol: 1e-5, atol: 1e-6));
        }

        [Fact]
        public void WithoutBiasHasOnlyAKernel()
        {
            var dense = new Dense(2, useBias: false);
            using var x = randn(3, 4);

            var y = dense.Apply(x);

            Assert.Single(dense.Weights);
            Assert.True(y.allclose(x.matmul(dense.Kernel!), rtol: 1e-5, atol: 1e-6));
        }

        [Fact]
        public void RejectsANonPositiveUnitCountWithTheReceivedValue()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Dense(-3));
            Assert.Contains("units=-3", error.Message);
        }

        [Fact]
        public void AnInputWithAnotherLastDimensionThanTheBuildOneFailsNamingTheLayer()
        {
            var dense = new Dense(2, name: "head");
            dense.Apply(ones(1, 4));

            var error = Assert.Throws<ArgumentException>(() => dense.Apply(ones(1, 5)));

            Assert.Contains("'head'", error.Message);
            Assert.Contains("value 4", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense_7", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "units": 8, "activation": "sigmoid", "use_bias": true,
                 "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
                 "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                 "kernel_regularizer": null, "bias_regularizer": null, "kernel_constraint": null, "bias_constraint": null},
                 "registered_name": null, "build_config": {"input_shape": [null, 3]}}
                """;

            var dense = Assert.IsType<Dense>(Layer.Deserialize(json));

            Assert.Equal(("dense_7", 8, "sigmoid"), (dense.Name, dense.Units, dense.Activation.Name));
            Assert.True(dense.Built);
            Assert.Equal(new long[] { 3, 8 }, dense.Kernel!.shape);
        }
    }
}
