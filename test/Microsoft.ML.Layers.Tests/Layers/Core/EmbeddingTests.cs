using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Core
{
    public sealed class EmbeddingTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Embedding(10, 3, dtype: dtype),
            InputShapes = new Shape[] { new(4, 5) },
            InputDType = ScalarType.Int64,
            ExpectedTrainableWeights = 1,
            ExpectedOutputShape = new Shape(4, 5, 3),
            // Without mask_zero, Keras's Embedding does not support masking: an incoming mask is dropped.
            ExpectedSupportsMasking = false,
        });

        [Fact]
        public void PassesTheSharedLayerCheckWithMaskZero() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Embedding(10, 3, maskZero: true, dtype: dtype),
            InputShapes = new Shape[] { new(4, 5) },
            InputDType = ScalarType.Int64,
            ExpectedTrainableWeights = 1,
            ExpectedOutputShape = new Shape(4, 5, 3),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 5),
        });

        [Fact]
        public void LooksUpOneRowPerIndex()
        {
            var embedding = new Embedding(6, 4);
            using var indices = tensor(new long[] { 1, 0, 5, 1, 3, 2 }).reshape(2, 3);

            var y = embedding.Apply(indices);

            // The same lookup as a one-hot matrix product.
            var expected = nn.functional.one_hot(indices, 6).to(ScalarType.Float32).matmul(embedding.Embeddings!);
            Assert.Equal(new long[] { 2, 3, 4 }, y.shape);
            Assert.True(y.equal(expected).all().item<bool>());
        }

        [Fact]
        public void MaskZeroMasksThePaddingIndex()
        {
            var embedding = new Embedding(5, 2, maskZero: true);

            var y = embedding.Apply(tensor(new long[] { 3, 0, 1, 0 }).reshape(2, 2));

            var mask = KerasMask.Get(y);
            Assert.NotNull(mask);
            Assert.Equal(new[] { true, false, true, false }, mask!.data<bool>().ToArray());
        }

        [Fact]
        public void WithoutMaskZeroThereIsNoMask()
        {
            var y = new Embedding(5, 2).Apply(tensor(new long[] { 3, 0 }).reshape(1, 2));
            Assert.Null(KerasMask.Get(y));
        }

        [Theory]
        [InlineData(ScalarType.Int8)]
        [InlineData(ScalarType.Byte)]
        [InlineData(ScalarType.Int16)]
        [InlineData(ScalarType.Int32)]
        [InlineData(ScalarType.Float32)]
        [InlineData(ScalarType.Float64)]
        public void AcceptsAnyIntegerDTypeAndFloatsHoldingIntegers(ScalarType type)
        {
            var embedding = new Embedding(8, 3);
            using var reference = tensor(new long[] { 7, 0, 2 }).reshape(1, 3);

            var expected = embedding.Apply(reference);
            var y = embedding.Apply(reference.to(type));

            Assert.True(y.equal(expected).all().item<bool>());
        }

        [Fact]
        public void AFloatIndexIsNotRoundedByAHalfPrecisionPolicy()
        {
            // 301 is not a bfloat16 value: autocasting the input (which Keras's Embedding does not do) would pick row 300 or 302.
            var embedding = new Embedding(400, 2, dtype: ScalarType.BFloat16);

            var fromFloat = embedding.Apply(tensor(new[] { 301.0f }).reshape(1, 1));

            Assert.True(fromFloat[0, 0].equal(embedding.Embeddings![301]).all().item<bool>());
        }

        [Fact]
        public void TheOutputFollowsAMixedPolicysComputeDType()
        {
            var embedding = new Embedding(4, 2);
            embedding.DTypePolicy = new DTypePolicy("mixed_bfloat16");

            var y = embedding.Apply(tensor(new long[] { 1, 2 }).reshape(1, 2));

            Assert.Equal(ScalarType.BFloat16, y.dtype);
            Assert.Equal(ScalarType.Float32, embedding.Embeddings!.dtype);
            Assert.True(y.equal(embedding.Embeddings!.index_select(0, tensor(new long[] { 1, 2 })).to(ScalarType.BFloat16).unsqueeze(0)).all().item<bool>());
        }

        [Theory]
        [InlineData(10)]
        [InlineData(-1)]
        public void AnIndexOutOfRangeFailsClearly(long index)
        {
            var embedding = new Embedding(10, 2, name: "tokens");

            var error = Assert.Throws<ArgumentException>(() => embedding.Apply(tensor(new long[] { 3, index }).reshape(1, 2)));

            Assert.Contains("'tokens'", error.Message);
            Assert.Contains($"index {index}", error.Message);
            Assert.Contains("[0, 10)", error.Message);
        }

        [Fact]
        public void TheDefaultInitializerIsUniformWithinFiveHundredths()
        {
            var embedding = new Embedding(200, 8);
            embedding.EnsureBuilt(new Shape(Shape.Unknown, 3));

            Assert.True(embedding.Embeddings!.abs().max().item<float>() <= 0.05f);
            var initializer = embedding.GetConfig().Values["embeddings_initializer"]!;
            Assert.Equal("RandomUniform", (string?)initializer["class_name"]);
            Assert.Equal(-0.05, (double)initializer["config"]!["minval"]!);
            Assert.Equal(0.05, (double)initializer["config"]!["maxval"]!);
        }

        [Theory]
        [InlineData(0, 3, "input_dim=0")]
        [InlineData(3, -2, "output_dim=-2")]
        public void RejectsNonPositiveSizesWithTheReceivedValue(int inputDim, int outputDim, string expected)
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Embedding(inputDim, outputDim));
            Assert.Contains(expected, error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Embedding", "config": {"name": "embedding", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "input_dim": 1000, "output_dim": 64,
                 "embeddings_initializer": {"module": "keras.initializers", "class_name": "RandomUniform", "config": {"seed": null, "minval": -0.05, "maxval": 0.05}, "registered_name": null},
                 "embeddings_regularizer": null, "activity_regularizer": null, "embeddings_constraint": null, "mask_zero": true},
                 "registered_name": null, "build_config": {"input_shape": [null, 10]}}
                """;

            var embedding = Assert.IsType<Embedding>(Layer.Deserialize(json));

            Assert.Equal((1000, 64, true), (embedding.InputDim, embedding.OutputDim, embedding.MaskZero));
            Assert.Equal(new long[] { 1000, 64 }, embedding.Embeddings!.shape);
            // input_dim is Embedding's own argument, not Keras 2's declaration of a model input (which would be (None, 1000)).
            Assert.Null(embedding.DeclaredBatchInputShape);
        }

        [Fact]
        public void ReadsAKeras2ConfigWithInputLength()
        {
            const string json = """
                {"class_name": "Embedding", "config": {"name": "embedding_1", "trainable": true, "batch_input_shape": [null, 12],
                 "dtype": "float32", "input_dim": 50, "output_dim": 8,
                 "embeddings_initializer": {"class_name": "RandomUniform", "config": {"minval": -0.05, "maxval": 0.05, "seed": null}},
                 "embeddings_regularizer": null, "activity_regularizer": null, "embeddings_constraint": null, "mask_zero": false,
                 "input_length": 12}}
                """;

            var embedding = Assert.IsType<Embedding>(Layer.Deserialize(json));

            Assert.Equal(new Shape(Shape.Unknown, 12), embedding.DeclaredBatchInputShape);
            Assert.False(embedding.GetConfig().Values.ContainsKey("input_length"));
        }
    }
}
