using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Core
{
    public sealed class EinsumDenseTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new EinsumDense("abc,cd->abd", new Shape(Shape.Unknown, 5), activation: "tanh", biasAxes: "d", dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 2) },
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(4, 3, 5),
        });

        [Fact]
        public void PassesTheSharedLayerCheckWithALeftEllipsis() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new EinsumDense("...b,bc->...c", 4, biasAxes: "c", dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 5, 6) },
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(2, 3, 5, 4),
        });

        [Fact]
        public void ComputesAThreeDimensionalKernelLikeAReshapedMatmulPlusBias()
        {
            var layer = new EinsumDense("abc,cde->abde", new Shape(Shape.Unknown, 4, 5), biasAxes: "de");
            using var x = randn(2, 3, 6);

            var y = layer.Apply(x);

            // Keras's layout: kernel (c, d, e) = (6, 4, 5); bias (d, e) = (4, 5).
            Assert.Equal(new long[] { 6, 4, 5 }, layer.Kernel!.shape);
            Assert.Equal(new long[] { 4, 5 }, layer.Bias!.shape);
            var expected = x.matmul(layer.Kernel!.reshape(6, 20)).reshape(2, 3, 4, 5) + layer.Bias!;
            Assert.True(y.allclose(expected, rtol: 1e-5, atol: 1e-6));
        }

        [Fact]
        public void ALeftEllipsisAppliesTheKernelToTheLastAxis()
        {
            var layer = new EinsumDense("...b,bc->...c", 5, biasAxes: "c", activation: "relu");
            using var x = randn(2, 3, 4);

            var y = layer.Apply(x);

            Assert.Equal(new long[] { 4, 5 }, layer.Kernel!.shape);
            Assert.True(y.allclose((x.matmul(layer.Kernel!) + layer.Bias!).relu(), rtol: 1e-5, atol: 1e-6));
        }

        [Fact]
        public void ARightEllipsisKeepsTheTrailingAxesAndPadsTheBiasWithOnes()
        {
            var layer = new EinsumDense("ab...,bc->ac...", 3, biasAxes: "c");
            using var x = randn(2, 4, 7);

            var y = layer.Apply(x);

            // Keras: bias spans 'c' and gets a 1 for the elided axis, so it broadcasts over it.
            Assert.Equal(new long[] { 4, 3 }, layer.Kernel!.shape);
            Assert.Equal(new long[] { 3, 1 }, layer.Bias!.shape);
            var expected = layer.Kernel!.t().matmul(x) + layer.Bias!;
            Assert.Equal(new long[] { 2, 3, 7 }, y.shape);
            Assert.True(y.allclose(expected, rtol: 1e-5, atol: 1e-6));
        }

        [Fact]
        public void TheBiasSpansTheOutputFromItsFirstLetterWithOnesElsewhere()
        {
            // bias_axes "b" in "abc,cd->abd": the bias covers "bd" with size 1 on "d", as Keras computes it.
            var layer = new EinsumDense("abc,cd->abd", new Shape(Shape.Unknown, 5), biasAxes: "b");
            using var x = randn(2, 3, 4);

            var y = layer.Apply(x);

            Assert.Equal(new long[] { 3, 1 }, layer.Bias!.shape);
            Assert.True(y.allclose(x.matmul(layer.Kernel!) + layer.Bias!, rtol: 1e-5, atol: 1e-6));
        }

        [Fact]
        public void WithoutBiasAxesThereIsOnlyAKernel()
        {
            var layer = new EinsumDense("ab,bc->ac", 3);
            layer.Apply(ones(2, 4));

            Assert.Single(layer.Weights);
            Assert.Null(layer.Bias);
        }

        [Fact]
        public void ComputesTheOutputShapeWithoutBeingBuilt()
        {
            var layer = new EinsumDense("abc,cd->abd", new Shape(Shape.Unknown, 64), biasAxes: "d");

            Assert.Equal(new Shape(Shape.Unknown, 32, 64), layer.ComputeOutputShape(new Shape(Shape.Unknown, 32, 128)));
            Assert.False(layer.Built);
        }

        [Fact]
        public void RejectsAnEquationOfAnotherFormWithTheEquation()
        {
            var error = Assert.Throws<ArgumentException>(() => new EinsumDense("ab->b", 3));
            Assert.Contains("'ab->b'", error.Message);
        }

        [Fact]
        public void RejectsABiasLetterMissingFromTheOutput()
        {
            var error = Assert.Throws<ArgumentException>(() => new EinsumDense("ab,bc->ac", 3, biasAxes: "x"));
            Assert.Contains("bias_axes='x'", error.Message);
        }

        [Fact]
        public void AnOutputShapeThatContradictsTheInputFailsNamingTheLayer()
        {
            var layer = new EinsumDense("abc,cd->abd", new Shape(7, 5), name: "proj");
            var error = Assert.Throws<ArgumentException>(() => layer.Apply(ones(2, 3, 4)));
            Assert.Contains("'proj'", error.Message);
            Assert.Contains("'b'", error.Message);
        }

        [Fact]
        public void AnInputOfAnotherSizeThanTheBuildOneFailsNamingTheLayer()
        {
            var layer = new EinsumDense("abc,cd->abd", new Shape(Shape.Unknown, 5), name: "mixer");
            layer.Apply(ones(2, 3, 4));

            var error = Assert.Throws<ArgumentException>(() => layer.Apply(ones(2, 3, 6)));
            Assert.Contains("'mixer'", error.Message);
            Assert.Contains("value 4", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "EinsumDense", "config": {"name": "einsum_dense", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "output_shape": [null, 64], "equation": "abc,cd->abd", "activation": "linear", "bias_axes": "d",
                 "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
                 "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                 "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null,
                 "kernel_constraint": null, "bias_constraint": null},
                 "registered_name": null, "build_config": {"input_shape": [null, 32, 128]}}
                """;

            var layer = Assert.IsType<EinsumDense>(Layer.Deserialize(json));

            Assert.Equal(("abc,cd->abd", "d"), (layer.Equation, layer.BiasAxes));
            Assert.Equal(new long[] { 128, 64 }, layer.Kernel!.shape);
            Assert.Equal(new long[] { 64 }, layer.Bias!.shape);
            Assert.Equal(new long[] { 2, 32, 64 }, layer.Apply(ones(2, 32, 128)).shape);
        }

        [Fact]
        public void WritesKeras3sConfigKeys()
        {
            var config = new EinsumDense("ab,bc->ac", 3).GetConfig().Values;

            Assert.Equal(new[] { "name", "trainable", "dtype", "output_shape", "equation", "activation", "bias_axes", "kernel_initializer",
                "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint" },
                System.Linq.Enumerable.Select(config, p => p.Key));
            Assert.Equal("[3]", config["output_shape"]!.ToJsonString());
        }
    }
}
