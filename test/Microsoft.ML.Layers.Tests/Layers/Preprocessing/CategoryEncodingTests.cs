using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Preprocessing
{
    public sealed class CategoryEncodingTests
    {
        private static float[] Floats(Tensor t) => t.to(ScalarType.Float32).contiguous().data<float>().ToArray();

        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new CategoryEncoding(numTokens: 6, outputMode: EncodingMode.Count, dtype: dtype),
            InputShapes = new Shape[] { new(4, 3) },
            InputDType = ScalarType.Int64,
            InputFactory = (shape, _) => randint(0, 6, shape.ToArray(), dtype: ScalarType.Int64),
            ExpectedOutputShape = new Shape(4, 6),
        });

        [Fact]
        public void KerasDocstringOneHot()
        {
            var y = new CategoryEncoding(numTokens: 4, outputMode: EncodingMode.OneHot).Apply(tensor(new long[] { 3, 2, 0, 1 }));
            Assert.Equal(new long[] { 4, 4 }, y.shape);
            Assert.Equal(new[] { 0f, 0f, 0f, 1f, 0f, 0f, 1f, 0f, 1f, 0f, 0f, 0f, 0f, 1f, 0f, 0f }, Floats(y));
        }

        [Fact]
        public void KerasDocstringMultiHot()
        {
            var y = new CategoryEncoding(numTokens: 4).Apply(tensor(new long[] { 0, 1, 0, 0, 1, 2, 3, 1 }).reshape(4, 2));
            Assert.Equal(new[] { 1f, 1f, 0f, 0f, 1f, 0f, 0f, 0f, 0f, 1f, 1f, 0f, 0f, 1f, 0f, 1f }, Floats(y));
        }

        [Fact]
        public void CountCountsEachIndexInTheSample()
        {
            var y = new CategoryEncoding(numTokens: 3, outputMode: EncodingMode.Count)
                .Apply(tensor(new long[] { 2, 2, 0, 1, 1, 1 }).reshape(2, 3));
            Assert.Equal(new[] { 1f, 0f, 2f, 0f, 3f, 0f }, Floats(y));
        }

        [Fact]
        public void OneHotOfALastAxisOfOneReplacesIt()
        {
            var layer = new CategoryEncoding(numTokens: 3, outputMode: EncodingMode.OneHot);
            var y = layer.Apply(tensor(new long[] { 2, 0 }).reshape(2, 1));
            Assert.Equal(new long[] { 2, 3 }, y.shape);
            Assert.Equal(new Shape(Shape.Unknown, 3), layer.ComputeOutputShape(new Shape(Shape.Unknown, 1)));
            Assert.Equal(new Shape(Shape.Unknown, 4, 3), layer.ComputeOutputShape(new Shape(Shape.Unknown, 4)));
        }

        [Fact]
        public void AnIndexOutOfRangeFailsNamingTheLayer()
        {
            var layer = new CategoryEncoding(numTokens: 3, name: "cats");
            var error = Assert.Throws<ArgumentException>(() => layer.Apply(tensor(new long[] { 0, 3 })));
            Assert.Contains("'cats'", error.Message);
            Assert.Contains("num_tokens=3", error.Message);
        }

        [Fact]
        public void ReadsAKeras3ConfigAndRoundTrips()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "CategoryEncoding", "config": {"name": "category_encoding", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "num_tokens": 5, "output_mode": "binary"}, "registered_name": null}
                """;
            var layer = Assert.IsType<CategoryEncoding>(Layer.Deserialize(json));

            Assert.Equal(EncodingMode.MultiHot, layer.OutputMode);
            Assert.Equal("\"multi_hot\"", layer.GetConfig().Values["output_mode"]!.ToJsonString());
            Assert.Equal(layer.ToJson(), Layer.Deserialize(layer.ToJson()).ToJson());
        }

        [Fact]
        public void RejectsMissingOrNonPositiveNumTokens()
        {
            Assert.Contains("num_tokens must be set", Assert.Throws<ArgumentException>(() => new CategoryEncoding()).Message);
            Assert.Contains("num_tokens=0", Assert.Throws<ArgumentException>(() => new CategoryEncoding(numTokens: 0)).Message);
        }
    }
}
