using System;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Normalization
{
    public sealed class SpectralNormalizationTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new SpectralNormalization(new Dense(3, dtype: dtype), dtype: dtype),
            InputShapes = new Shape[] { new(4, 5) },
            ExpectedTrainableWeights = 2,
            ExpectedNonTrainableWeights = 1,
            ExpectedOutputShape = new Shape(4, 3),
            NonTrainableWeightsUpdateInTraining = true,
        });

        [Fact]
        public void PassesTheSharedLayerCheckAroundAConvolution() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new SpectralNormalization(new Conv2D(2, 3, dtype: dtype), powerIterations: 2, dtype: dtype),
            InputShapes = new Shape[] { new(2, 5, 5, 3) },
            ExpectedTrainableWeights = 2,
            ExpectedNonTrainableWeights = 1,
            ExpectedOutputShape = new Shape(2, 3, 3, 2),
            NonTrainableWeightsUpdateInTraining = true,
        });

        // Keras's normalize: x / ||x|| over all elements (written here with the norm, not the layer's rsqrt form).
        private static Tensor Normalize(Tensor x) => x / x.norm();

        private static (SpectralNormalization Layer, Dense Dense) Built(int iterations = 1)
        {
            var dense = new Dense(3);
            var layer = new SpectralNormalization(dense, powerIterations: iterations);
            layer.EnsureBuilt(new Shape(2, 4));
            manual_seed(7);
            layer.SetWeights(layer.Weights.Select(w => (Array)WeightArrays.ToArray(randn(w.shape))).ToArray());
            return (layer, dense);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(3)]
        public void ATrainingCallDividesTheKernelByThePowerIterationSigmaAndUpdatesU(int iterations)
        {
            var (layer, dense) = Built(iterations);
            var w = dense.Kernel!.detach().clone();
            var b = dense.Bias!.detach().clone();
            var u = layer.VectorU!.detach().clone();
            var v = u;
            for (int i = 0; i < iterations; i++)
            {
                v = Normalize(u.matmul(w.t()));
                u = Normalize(v.matmul(w));
            }
            var sigma = v.matmul(w).matmul(u.t()).item<float>();
            var x = randn(2, 4);

            var y = layer.Apply(x, training: true);

            TensorAssert.Close(w / sigma, dense.Kernel!, 1e-5, 1e-6, "kernel assigned kernel / sigma");
            TensorAssert.Close(u, layer.VectorU!, 1e-5, 1e-6, "vector_u");
            TensorAssert.Close(x.matmul(w / sigma) + b, y, 1e-5, 1e-5, "output with the normalized kernel");
        }

        [Fact]
        public void AnInferenceCallLeavesTheKernelAsItIs()
        {
            var (layer, dense) = Built();
            var w = dense.Kernel!.detach().clone();
            var u = layer.VectorU!.detach().clone();
            var x = randn(2, 4);

            var y = layer.Apply(x);

            Assert.True(dense.Kernel!.equal(w).all().item<bool>());
            Assert.True(layer.VectorU!.equal(u).all().item<bool>());
            TensorAssert.Close(x.matmul(w) + dense.Bias!, y, 1e-5, 1e-6, "output");
        }

        [Fact]
        public void ManyTrainingCallsBringTheSpectralNormToOne()
        {
            var conv = new Conv2D(4, 3);
            var layer = new SpectralNormalization(conv, powerIterations: 5);
            var x = randn(1, 6, 6, 3);
            layer.Apply(x);
            conv.Kernel!.Assign(conv.Kernel! * 10);
            for (int i = 0; i < 10; i++)
                layer.Apply(x, training: true);

            // The largest singular value of the kernel as a (kh * kw * in, out) matrix, from an SVD.
            var singular = linalg.svdvals(conv.Kernel!.detach().reshape(-1, 4));
            Assert.InRange(singular.max().item<float>(), 0.999f, 1.001f);
        }

        [Fact]
        public void NormalizesTheEmbeddingsOfAnEmbeddingLayer()
        {
            var embedding = new Embedding(6, 4);
            var layer = new SpectralNormalization(embedding, powerIterations: 30);
            var ids = tensor(new long[] { 1, 2, 5 }).reshape(1, 3);
            layer.Apply(ids);

            Assert.Equal(new long[] { 1, 4 }, layer.VectorU!.shape);
            layer.Apply(ids, training: true);
            Assert.InRange(linalg.svdvals(embedding.Embeddings!.detach()).max().item<float>(), 0.99f, 1.01f);
        }

        [Fact]
        public void AnAllZeroKernelIsLeftAlone()
        {
            var (layer, dense) = Built();
            dense.Kernel!.Assign(zeros(4, 3));
            var u = layer.VectorU!.detach().clone();

            layer.Apply(randn(2, 4), training: true);

            Assert.True(dense.Kernel!.equal(zeros(4, 3)).all().item<bool>());
            Assert.True(layer.VectorU!.equal(u).all().item<bool>());
        }

        [Fact]
        public void GradientsReachTheKernelThroughTheWrappedLayer()
        {
            var (layer, dense) = Built();
            layer.Apply(randn(2, 4), training: true).sum().backward();

            Assert.NotNull(dense.Kernel!.grad);
            Assert.Null(layer.VectorU!.grad);
        }

        [Fact]
        public void WeightsAreVectorUThenTheWrappedLayers()
        {
            var layer = new SpectralNormalization(new Dense(3));
            layer.EnsureBuilt(new Shape(Shape.Unknown, 5));

            Assert.Equal(new[] { "vector_u", "kernel", "bias" }, layer.Weights.Select(w => w.Name));
            Assert.Equal(new[] { new Shape(1, 3), new Shape(5, 3), new Shape(3) }, layer.Weights.Select(w => w.Shape));
            Assert.False(layer.VectorU!.Trainable);
        }

        [Fact]
        public void ArgumentErrorsNameTheLayerAndTheValue()
        {
            var zero = Assert.Throws<ArgumentOutOfRangeException>(() => new SpectralNormalization(new Dense(2), powerIterations: 0));
            Assert.Contains("power_iterations=0", zero.Message);
            Assert.Throws<ArgumentNullException>(() => new SpectralNormalization(null!));

            var noKernel = new SpectralNormalization(new ReLU(), name: "sn");
            var error = Assert.Throws<ArgumentException>(() => noKernel.Apply(randn(2, 3)));
            Assert.Contains("'sn'", error.Message);
            Assert.Contains("nor 'embeddings'", error.Message);
        }

        [Fact]
        public void ConfigNestsTheLayerAndReadsAKeras3Config()
        {
            var layer = new SpectralNormalization(new Dense(3, name: "d"), powerIterations: 2, name: "sn");
            var json = JsonNode.Parse(layer.ToJson())!["config"]!;
            Assert.Equal(new[] { "name", "trainable", "dtype", "layer", "power_iterations" },
                json.AsObject().Select(p => p.Key));
            Assert.Equal("Dense", (string?)json["layer"]!["class_name"]);

            const string keras = """
                {"module": "keras.layers", "class_name": "SpectralNormalization", "config": {"name": "spectral_normalization",
                 "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "layer": {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "trainable": true,
                   "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                   "units": 10, "activation": "linear", "use_bias": true,
                   "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
                   "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                   "kernel_regularizer": null, "bias_regularizer": null, "kernel_constraint": null, "bias_constraint": null},
                   "registered_name": null}, "power_iterations": 3},
                 "registered_name": null, "build_config": {"input_shape": [null, 4]}}
                """;
            var read = Assert.IsType<SpectralNormalization>(Layer.Deserialize(keras));
            Assert.Equal(3, read.PowerIterations);
            Assert.True(read.Built);
            Assert.Equal(new long[] { 2, 10 }, read.Apply(randn(2, 4), training: true).shape);
        }
    }
}
