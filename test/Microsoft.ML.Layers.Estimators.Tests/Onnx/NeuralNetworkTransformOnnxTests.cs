using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Estimators.Tests.Onnx
{
    /// <summary><c>ConvertToOnnx</c> of <c>Transforms.NeuralNetwork</c>, and the errors of what cannot be exported.</summary>
    [Collection(SerialTrainingCollection.Name)]
    public sealed class NeuralNetworkTransformOnnxTests
    {
        public sealed class Row
        {
            [VectorType(6)]
            public float[] Features { get; set; } = Array.Empty<float>();

            public float Weight { get; set; }
        }

        private static IDataView Rows(MLContext ml, int count)
        {
            var random = new Random(3);
            return ml.Data.LoadFromEnumerable(Enumerable.Range(0, count).Select(_ => new Row
            {
                Features = Enumerable.Range(0, 6).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray(),
                Weight = (float)random.NextDouble(),
            }).ToArray());
        }

        [Fact]
        public void TransformsNeuralNetworkAfterANormalizerScoresTheSameInOnnxRuntime()
        {
            var ml = new MLContext(seed: 1);
            var data = Rows(ml, 50);
            // A Sequential without an Input: ConvertToOnnx runs before any batch has built it.
            // relu6 and gelu write rank-0 constants (ML.NET's context takes them through its single-value overloads).
            var network = new Sequential(new Dense(8, activation: "relu6"), new Dense(8, activation: "gelu"),
                new Dense(3, activation: "softmax"));
            var model = ml.Transforms.NormalizeMinMax("Features")
                .Append(ml.Transforms.NeuralNetwork(network, "Embedding", "Features"))
                .Fit(data);

            PipelineOnnx.AssertSameScores(ml, model, data, "Embedding");
        }

        public sealed class Labelled
        {
            [VectorType(6)]
            public float[] Features { get; set; } = Array.Empty<float>();

            public string Label { get; set; } = "";
        }

        [Fact]
        public void MulticlassWithTextLabelsMappedBackToTextScoresTheSameInOnnxRuntime()
        {
            var ml = new MLContext(seed: 1);
            var random = new Random(5);
            var rows = Enumerable.Range(0, 120).Select(i =>
            {
                var features = Enumerable.Range(0, 6).Select(_ => (float)random.NextDouble()).ToArray();
                features[i % 3] += 1;
                return new Labelled { Features = features, Label = new[] { "red", "green", "blue" }[i % 3] };
            }).ToArray();
            var data = ml.Data.LoadFromEnumerable(rows);
            var model = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.NeuralNetwork(new Sequential(new Dense(8, activation: "relu"), new Dense(3)),
                    new NeuralNetworkOptions { Epochs = 3, BatchSize = 16 }))
                .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedColour", "PredictedLabel"))
                .Fit(data);

            PipelineOnnx.AssertSameScores(ml, model, data, "Score", "PredictedLabel", "PredictedColour");
        }

        /// <summary>A layer without an ONNX form, so the network cannot be exported.</summary>
        private sealed class Doubler : Layer
        {
            public Doubler() : base("doubler") { }

            protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null) => inputs * 2;
        }

        [Fact]
        public void ANetworkWithALayerWithoutOnnxFormFailsNamingTheLayer()
        {
            var ml = new MLContext(seed: 1);
            var data = Rows(ml, 10);
            var model = ml.Transforms.NeuralNetwork(new Sequential(new Dense(4), new Doubler()), "Embedding", "Features")
                .Fit(data);

            var error = Assert.Throws<NotSupportedException>(() => PipelineOnnx.Convert(ml, model, data));
            Assert.Contains("Layer 'doubler' (Doubler) cannot be exported to ONNX", error.Message);
        }

        [Fact]
        public void AFeatureColumnOfVariableSizeFailsNamingTheColumn()
        {
            var ml = new MLContext(seed: 1);
            var text = ml.Data.LoadFromEnumerable(new[] { new { Text = "a b c" }, new { Text = "b" } });
            var keys = ml.Transforms.Text.TokenizeIntoWords("Words", "Text").Append(ml.Transforms.Conversion.MapValueToKey("Words"));
            var network = new Sequential(new Embedding(4, 2), new GlobalAveragePooling1D());
            var model = keys.Append(ml.Transforms.NeuralNetwork(network, "Embedding", "Words")).Fit(text);

            var error = Assert.Throws<NotSupportedException>(() => PipelineOnnx.Convert(ml, model, text));
            Assert.Contains("feature column 'Words' is a vector of variable size", error.Message);
        }
    }
}
