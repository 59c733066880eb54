using System.Linq;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Normalization
{
    public sealed class BatchNormalizationTrainingTests
    {
        [Fact]
        public void FitMovesTheMovingStatisticsTowardTheDataAndPredictUsesThem()
        {
            var bn = new BatchNormalization(momentum: 0.5, name: "bn");
            var model = new Sequential(new InputLayer(shape: new Shape(2)), bn, new Dense(1));
            model.Compile("sgd", "mse");
            var x = randn(64, 2) * 3 + 5;
            var y = zeros(64, 1);

            model.Fit(x, y, batchSize: 16, epochs: 4, shuffle: false, verbose: 0);

            // 16 updates with momentum 0.5: the moving mean is the data's mean up to the last batches' noise.
            var mean = bn.MovingMean!;
            Assert.True((mean - x.mean(new long[] { 0 })).abs().max().item<float>() < 1.5f, $"moving mean {string.Join(", ", mean.data<float>().ToArray())}");
            Assert.True(bn.MovingVariance!.data<float>().ToArray().All(v => v > 3));
            var before = bn.GetWeights();
            model.Predict(x);
            Assert.Equal(before[2].Cast<float>(), bn.GetWeights()[2].Cast<float>());
        }
    }
}
