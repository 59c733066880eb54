using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Preprocessing
{
    public sealed class IntegerLookupTests
    {
        private static long[] Ints(Tensor t) => t.to(ScalarType.Int64).contiguous().data<long>().ToArray();

        private static float[] Floats(Tensor t) => t.to(ScalarType.Float32).contiguous().data<float>().ToArray();

        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new IntegerLookup(vocabulary: new long[] { 0, 1, 2, 3 }, outputMode: EncodingMode.MultiHot, dtype: dtype),
            InputShapes = new Shape[] { new(4, 3) },
            InputDType = ScalarType.Int64,
            ExpectedOutputShape = new Shape(4, 5),
            CheckMixedPolicy = false,
        });

        [Fact]
        public void OneOovIndexPutsTheVocabularyAfterIt()
        {
            // Hand-worked: OOV is index 0, then 10 -> 1, 20 -> 2, 30 -> 3.
            var y = new IntegerLookup(vocabulary: new long[] { 10, 20, 30 }).Apply(tensor(new long[] { 20, 10, 99, 30 }));

            Assert.Equal(ScalarType.Int64, y.dtype);
            Assert.Equal(new long[] { 2, 1, 0, 3 }, Ints(y));
        }

        [Fact]
        public void AMaskTokenTakesIndexZeroInIntMode()
        {
            // mask 0 -> 0, OOV -> 1, 10 -> 2, 20 -> 3.
            var y = new IntegerLookup(vocabulary: new long[] { 10, 20 }, maskToken: 0).Apply(tensor(new long[] { 0, 20, 7, 10 }));
            Assert.Equal(new long[] { 0, 3, 1, 2 }, Ints(y));
        }

        [Fact]
        public void SeveralOovIndicesUseFloormodOfTheToken()
        {
            // Three OOV indices (0, 1, 2): floormod(-1, 3) = 2 (Python's sign rule), floormod(7, 3) = 1, floormod(9, 3) = 0;
            // 5 -> 3, 6 -> 4.
            var y = new IntegerLookup(numOovIndices: 3, vocabulary: new long[] { 5, 6 }).Apply(tensor(new long[] { 5, -1, 7, 9, 6 }));
            Assert.Equal(new long[] { 3, 2, 1, 0, 4 }, Ints(y));
        }

        [Fact]
        public void NoOovIndexRejectsAnUnknownTokenNamingIt()
        {
            var layer = new IntegerLookup(numOovIndices: 0, vocabulary: new long[] { 10, 20 }, name: "strict");

            Assert.Equal(new long[] { 1, 0 }, Ints(layer.Apply(tensor(new long[] { 20, 10 }))));
            var error = Assert.Throws<ArgumentException>(() => layer.Apply(tensor(new long[] { 10, 42 })));
            Assert.Contains("'strict'", error.Message);
            Assert.Contains("[42]", error.Message);
        }

        [Fact]
        public void KerasDocstringInverseLookup()
        {
            // Keras's docstring: vocab [12, 36, 1138, 42], [[1, 3, 4], [4, 0, 2]] -> [[12, 1138, 42], [42, -1, 36]].
            var layer = new IntegerLookup(vocabulary: new long[] { 12, 36, 1138, 42 }, invert: true);
            var y = layer.Apply(tensor(new long[] { 1, 3, 4, 4, 0, 2 }).reshape(2, 3));
            Assert.Equal(new long[] { 12, 1138, 42, 42, -1, 36 }, Ints(y));
        }

        [Fact]
        public void AVocabularyStartingWithTheSpecialTokensIsAccepted()
        {
            var layer = new IntegerLookup(vocabulary: new long[] { 0, -1, 10, 20 }, maskToken: 0);
            Assert.Equal(new long?[] { 0, -1, 10, 20 }, layer.GetVocabulary());
            Assert.Equal(new long?[] { 10, 20 }, layer.GetVocabulary(includeSpecialTokens: false));
            Assert.Equal(4, layer.VocabularySize());
        }

        [Fact]
        public void MultiHotAndCountEncodeTheIndicesAndDropTheMask()
        {
            // No mask index outside int mode: OOV 0, 10 -> 1, 20 -> 2; depth 3. Row [10, 10, 0(mask), 99] -> counts [1, 2, 0].
            var input = tensor(new long[] { 10, 10, 0, 99, 20, 20, 20, 0 }).reshape(2, 4);
            var multi = new IntegerLookup(vocabulary: new long[] { 10, 20 }, maskToken: 0, outputMode: EncodingMode.MultiHot).Apply(input);
            var count = new IntegerLookup(vocabulary: new long[] { 10, 20 }, maskToken: 0, outputMode: EncodingMode.Count).Apply(input);

            Assert.Equal(new long[] { 2, 3 }, multi.shape);
            Assert.Equal(new[] { 1f, 1f, 0f, 0f, 0f, 1f }, Floats(multi));
            Assert.Equal(new[] { 1f, 2f, 0f, 0f, 0f, 3f }, Floats(count));
        }

        [Fact]
        public void OneHotReplacesALastAxisOfOneAndPadsToMaxTokens()
        {
            var layer = new IntegerLookup(maxTokens: 5, padToMaxTokens: true, vocabulary: new long[] { 10, 20 },
                outputMode: EncodingMode.OneHot);
            var y = layer.Apply(tensor(new long[] { 20, 7 }).reshape(2, 1));

            Assert.Equal(new long[] { 2, 5 }, y.shape);
            Assert.Equal(new[] { 0f, 0f, 1f, 0f, 0f, 1f, 0f, 0f, 0f, 0f }, Floats(y));
        }

        [Fact]
        public void AdaptOrdersByCountThenByTheLargerToken()
        {
            var layer = new IntegerLookup(maxTokens: 4);
            layer.Adapt(tensor(new long[] { 5, 7, 7, 3, 3, 9, -1 }));

            // 7 and 3 twice (7 first), then 9 and 5 once (9 first); max_tokens 4 minus one OOV index keeps three; -1 is the OOV token.
            Assert.Equal(new long?[] { -1, 7, 3, 9 }, layer.GetVocabulary());
            Assert.Equal(new long[] { 1, 3, 0 }, Ints(layer.Apply(tensor(new long[] { 7, 9, 5 }))));
        }

        [Fact]
        public void ReadsAKeras3ConfigAndWritesTheSameKeys()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "IntegerLookup", "config": {"name": "integer_lookup", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "invert": false, "max_tokens": null, "num_oov_indices": 1, "oov_token": -1, "mask_token": null,
                 "output_mode": "int", "sparse": false, "pad_to_max_tokens": false, "vocabulary_dtype": "int64",
                 "idf_weights": null, "vocabulary": [10, 20, 30], "vocabulary_size": 4, "oov_method": "floormod"},
                 "registered_name": null}
                """;

            var layer = Assert.IsType<IntegerLookup>(Layer.Deserialize(json));

            Assert.Equal(new long[] { 2 }, Ints(layer.Apply(tensor(new long[] { 20 }))));
            var config = layer.GetConfig();
            foreach (var key in new[] { "invert", "max_tokens", "num_oov_indices", "oov_token", "mask_token", "output_mode", "sparse",
                "pad_to_max_tokens", "vocabulary_dtype", "idf_weights", "vocabulary", "vocabulary_size", "oov_method" })
                Assert.True(config.Values.ContainsKey(key), key);
            Assert.Equal("[10,20,30]", config.Values["vocabulary"]!.ToJsonString());
            var copy = Assert.IsType<IntegerLookup>(Layer.Deserialize(layer.ToJson()));
            Assert.Equal(layer.ToJson(), copy.ToJson());
        }

        [Fact]
        public void ReadsATfKeras2Config()
        {
            // tf.keras 2.x writes the dtype as a name, has_input_vocabulary, and no oov_method.
            const string json = """
                {"class_name": "IntegerLookup", "config": {"name": "integer_lookup", "trainable": true, "dtype": "int64",
                 "invert": false, "max_tokens": null, "num_oov_indices": 1, "oov_token": -1, "mask_token": null, "output_mode": "int",
                 "sparse": false, "pad_to_max_tokens": false, "vocabulary": [3, 1, 2], "vocabulary_dtype": "int64",
                 "idf_weights": null, "has_input_vocabulary": true, "vocabulary_size": 4}}
                """;

            var layer = Assert.IsType<IntegerLookup>(Layer.Deserialize(json));

            Assert.Equal(new long[] { 2, 3, 1, 0 }, Ints(layer.Apply(tensor(new long[] { 1, 2, 3, 4 }))));
        }

        [Fact]
        public void UnsupportedArgumentsAreRefusedByName()
        {
            Assert.Contains("idf_weights", Assert.Throws<ArgumentException>(() => new IntegerLookup(idfWeights: new[] { 1.0 })).Message);
            Assert.Contains("tf_idf", Assert.Throws<FormatException>(() => Layer.Deserialize(
                """{"class_name": "IntegerLookup", "config": {"name": "l", "output_mode": "tf_idf", "vocabulary": [1]}}""")).Message);
            Assert.Contains("repeated", Assert.Throws<ArgumentException>(() => new IntegerLookup(vocabulary: new long[] { 1, 1 })).Message);
            Assert.Contains("invert", Assert.Throws<ArgumentException>(
                () => new IntegerLookup(invert: true, outputMode: EncodingMode.Count)).Message);
        }

        [Fact]
        public void AModelWithALookupInFrontOfDenseSavesAndLoads()
        {
            var inputs = Input.Create(new Shape(3), ScalarType.Int64);
            var encoded = new IntegerLookup(vocabulary: new long[] { 10, 20, 30 }, outputMode: EncodingMode.Count).Apply(inputs);
            var model = new Model(inputs, new Dense(2).Apply(encoded));
            string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"lookup-{Guid.NewGuid():N}.zip");
            try
            {
                model.Save(path);
                var loaded = Model.Load(path);

                using var x = tensor(new long[] { 10, 10, 99, 30, 20, 20 }).reshape(2, 3);
                // Counts [[1, 2, 0, 0], [0, 0, 2, 1]] times the kernel, plus the bias.
                var dense = model.Layers.OfType<Dense>().Single();
                var expected = tensor(new[] { 1f, 2f, 0f, 0f, 0f, 0f, 2f, 1f }).reshape(2, 4).matmul(dense.Weights[0].detach())
                    + dense.Weights[1].detach();
                Assert.True(loaded.Apply(x).allclose(expected, rtol: 1e-6, atol: 1e-6));
                Assert.True(loaded.Apply(x).equal(model.Apply(x)).all().item<bool>());
            }
            finally
            {
                System.IO.File.Delete(path);
            }
        }

        [Fact]
        public void CallingWithoutAVocabularyFailsNamingTheLayer()
        {
            var error = Assert.Throws<InvalidOperationException>(() => new IntegerLookup(name: "ids").Apply(tensor(new long[] { 1 })));
            Assert.Contains("'ids'", error.Message);
        }
    }
}
