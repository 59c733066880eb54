using System;
using System.Linq;
using Microsoft.ML.Layers.Losses;
using Microsoft.ML.Layers.Optimizers;
using Microsoft.ML.Layers.Tests.Components;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Training
{
    [Collection(GlobalGeneratorCollection.Name)]
    public sealed class ConvolutionalTrainingTests
    {
        /// <summary>
        /// 8x8 images of one bright line: class 0 a vertical line, 1 a horizontal line, 2 a diagonal, 3 an anti-diagonal,
        /// at random positions and with noise. Flattened to 64 values, like optdigits.
        /// </summary>
        private static (Tensor X, Tensor Y) Lines(int count, int seed)
        {
            var random = new Random(seed);
            var pixels = new float[count * 64];
            var labels = new long[count];
            for (int n = 0; n < count; n++)
            {
                int kind = n % 4;
                labels[n] = kind;
                int offset = random.Next(8);
                for (int i = 0; i < 8; i++)
                {
                    var (r, c) = kind switch { 0 => (i, offset), 1 => (offset, i), 2 => (i, i), _ => (i, 7 - i) };
                    pixels[n * 64 + r * 8 + c] = 1;
                }
                for (int p = 0; p < 64; p++)
                    pixels[n * 64 + p] += (float)(random.NextDouble() * 0.3);
            }
            return (tensor(pixels, new long[] { count, 64 }), tensor(labels));
        }

        [Fact]
        public void TheApiSampleCnnLearnsLineOrientationsTo95PercentAccuracy()
        {
            manual_seed(2);
            var (x, y) = Lines(800, 1);
            var (xTest, yTest) = Lines(200, 2);
            // The model of docs/api.md, written the same way.
            var model = new Sequential(
                new Reshape(8, 8, 1),
                new Conv2D(16, kernelSize: 3, activation: "relu"),
                new MaxPooling2D(2),
                new Flatten(),
                new Dense(64, activation: "relu"),
                new Dropout(0.25),
                new Dense(4));
            model.Compile(optimizer: new Adam(1e-2), loss: new SparseCategoricalCrossentropyLoss(fromLogits: true), metrics: new[] { "accuracy" });

            var history = model.Fit(x, y, epochs: 8, batchSize: 32, validationSplit: 0.1, verbose: 0);
            var accuracy = model.EvaluateAll(xTest, yTest)["accuracy"];

            Assert.True(accuracy >= 0.95, $"test accuracy {accuracy}; training curve {string.Join(", ", history["accuracy"].Select(a => a.ToString("0.00")))}");
            Assert.Contains("conv2d", model.Summary(print: false));
        }
    }
}
