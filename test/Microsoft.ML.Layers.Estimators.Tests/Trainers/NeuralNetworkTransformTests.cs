using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Estimators.Tests.Trainers
{
    public sealed class NeuralNetworkTransformTests
    {
        private static NeuralNetworkTrainerTests.Row[] Rows(int count) => Enumerable.Range(0, count).Select(i => new NeuralNetworkTrainerTests.Row
        {
            Features = new[] { i % 7 / 7f, i % 3 / 3f, i % 5 / 5f, (i % 11) / 11f },
            Target = i % 7,
        }).ToArray();

        [Fact]
        public void AnInnerLayersOutputOfATrainedNetworkBecomesAVectorColumn()
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(Rows(200));
            var trained = ml.Regression.Trainers.NeuralNetwork(new Sequential(new Dense(6, activation: "relu", name: "hidden"), new Dense(1, name: "head")),
                new NeuralNetworkOptions { LabelColumnName = "Target", Epochs = 2 }).Fit(data);
            var network = trained.Model.Network;

            var embedded = ml.Transforms.NeuralNetwork(network, "Embedding", "Features", outputLayerName: "hidden").Fit(data).Transform(data);

            var hidden = (Dense)network.GetLayer("hidden");
            var features = data.GetColumn<float[]>("Features").ToArray();
            var embeddings = embedded.GetColumn<float[]>("Embedding").ToArray();
            Assert.Equal(6, embeddings[0].Length);
            using var x = tensor(features.SelectMany(f => f).ToArray(), features.Length, 4);
            var expected = (x.matmul(hidden.Kernel!) + hidden.Bias!).relu().data<float>().ToArray();
            Assert.Equal(expected.Length, embeddings.Sum(e => e.Length));
            var actual = embeddings.SelectMany(e => e).ToArray();
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5, $"element {i}: {expected[i]} vs {actual[i]}");
        }

        [Fact]
        public void AFeaturePipelineRoundTripsThroughTheModelZip()
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(Rows(50));
            var model = ml.Transforms.NeuralNetwork(new Dense(3, activation: "tanh"), "Embedding").Fit(data);
            string path = Path.Combine(Path.GetTempPath(), $"mllayers-transform-{Guid.NewGuid():N}.zip");
            try
            {
                ml.Model.Save(model, data.Schema, path);
                var loaded = new MLContext().Model.Load(path, out _);

                var before = model.Transform(data).GetColumn<float[]>("Embedding").SelectMany(e => e).ToArray();
                var after = loaded.Transform(data).GetColumn<float[]>("Embedding").SelectMany(e => e).ToArray();
                Assert.Equal(before, after);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void AnUnknownInnerLayerNameListsTheLayers()
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(Rows(10));
            var error = Assert.Throws<InvalidOperationException>(() =>
                ml.Transforms.NeuralNetwork(new Sequential(new Dense(3, name: "a")), "E", outputLayerName: "b").Fit(data));
            Assert.Contains("'b'", error.Message);
            Assert.Contains("a", error.Message);
        }

        [Fact]
        public void ACorruptedModelZipFailsCleanly()
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(Rows(50));
            var model = ml.Regression.Trainers.NeuralNetwork(new Dense(1), labelColumnName: "Target").Fit(data);
            string path = Path.Combine(Path.GetTempPath(), $"mllayers-corrupt-{Guid.NewGuid():N}.zip");
            try
            {
                ml.Model.Save(model, data.Schema, path);
                var bytes = File.ReadAllBytes(path);
                File.WriteAllBytes(path, bytes.Take(bytes.Length * 2 / 3).ToArray());

                var error = Record.Exception(() => new MLContext().Model.Load(path, out _));

                // ML.NET reads the zip itself: a truncated file fails as invalid data, never as a crash or a half-loaded model.
                Assert.True(error is InvalidDataException or FormatException or InvalidOperationException, $"unexpected: {error}");
            }
            finally
            {
                File.Delete(path);
            }
        }
    }
}
