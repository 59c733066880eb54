using System.IO;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Augmentation
{
    public sealed class AugmentationInAModelTests
    {
        private static Sequential Augmented(Dense head) => new(
            new InputLayer(shape: new Shape(6, 6, 1)),
            new RandomFlip(seed: 1), new RandomRotation(0.2, seed: 2), new RandomZoom(0.2, seed: 3),
            new RandomTranslation(0.1, 0.1, seed: 4), new RandomContrast(0.2, seed: 5), new RandomBrightness(0.2, seed: 6),
            new Flatten(), head);

        [Fact]
        public void PredictSkipsTheAugmentationExactly()
        {
            var head = new Dense(3, name: "head");
            var model = Augmented(head);
            using var x = rand(5, 6, 6, 1).mul(255);

            var predicted = model.Predict(x);

            Assert.True(predicted.equal(head.Apply(x.flatten(1))).all().item<bool>());
        }

        [Fact]
        public void FitTrainsThroughTheAugmentationAndASavedModelReadsBack()
        {
            var model = Augmented(new Dense(1, name: "head"));
            model.Compile("adam", "mse");
            using var x = rand(16, 6, 6, 1).mul(255);
            using var y = rand(16, 1);

            var history = model.Fit(x, y, batchSize: 8, epochs: 2);
            Assert.Equal(2, history.Epochs.Count);

            using var stream = new MemoryStream();
            model.Save(stream);
            stream.Position = 0;
            var loaded = Model.Load(stream, "augmented model");
            TensorAssert.Close(model.Predict(x), loaded.Predict(x), rtol: 0, atol: 0);
        }
    }
}
