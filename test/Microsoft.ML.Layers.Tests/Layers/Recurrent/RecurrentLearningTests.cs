using Microsoft.ML.Layers.Optimizers;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Recurrent
{
    // Data, initial weights and shuffling come from the reseeded global generator: no other test may draw from it meanwhile.
    [Collection(Components.GlobalGeneratorCollection.Name)]
    public sealed class RecurrentLearningTests
    {
        /// <summary>Sequences of 12 standard normal numbers; the label is whether their sum is positive.</summary>
        private static (Tensor X, Tensor Y) SumSign(int count)
        {
            var x = randn(count, 12, 1);
            var y = x.sum(dim: 1).gt(0).to(ScalarType.Float32);
            return (x, y);
        }

        [Fact]
        public void ASmallLstmLearnsTheSignOfASequenceSumToNinetyPercentAccuracy()
        {
            manual_seed(2024);
            var (x, y) = SumSign(2048);
            var (testX, testY) = SumSign(512);
            var model = new Sequential(new InputLayer(shape: new Shape(12, 1)), new LSTM(8), new Dense(1, activation: "sigmoid"));
            model.Compile(new Adam(0.01), "binary_crossentropy", new[] { "accuracy" });

            var history = model.Fit(x, y, batchSize: 64, epochs: 12, verbose: 0);

            double accuracy = model.EvaluateAll(testX, testY)["accuracy"];
            Assert.True(accuracy >= 0.9, $"held-out accuracy {accuracy:F3} (training loss {history["loss"][0]:F3} -> {history["loss"][^1]:F3})");
        }
    }
}
