using System;
using Xunit;

namespace Microsoft.ML.Layers.Estimators.Tests.Robustness
{
    /// <summary>
    /// NumberOfThreads reaches libtorch's set_num_threads, which ends the process on 0 or a negative count (no CATCH in
    /// TorchSharp 0.107): the trainer refuses such a count, and one far above the core count, when it is created.
    /// </summary>
    public sealed class ThreadCountTests
    {
        private static Sequential Network() => new(new Dense(1));

        [Theory]
        [InlineData(0)]
        [InlineData(-1)]
        [InlineData(int.MinValue)]
        [InlineData(4096)]
        public void AnUnusableThreadCountFailsWhenTheTrainerIsCreated(int threads)
        {
            var ml = new MLContext(seed: 1);
            var options = new NeuralNetworkOptions { NumberOfThreads = threads };

            foreach (Action create in new Action[]
            {
                () => ml.Regression.Trainers.NeuralNetwork(Network(), options),
                () => ml.BinaryClassification.Trainers.NeuralNetwork(Network(), options),
                () => ml.MulticlassClassification.Trainers.NeuralNetwork(Network(), options),
            })
            {
                var error = Assert.Throws<ArgumentOutOfRangeException>(create);
                Assert.Contains($"NumberOfThreads={threads}", error.Message);
                Assert.Contains($"between 1 and {NeuralNetworkOptions.MaxNumberOfThreads}", error.Message);
                Assert.Equal(threads, error.ActualValue);
            }
        }

        [Fact]
        public void OneToFourThreadsPerProcessorAndNullAreAccepted()
        {
            var ml = new MLContext(seed: 1);
            Assert.Equal(4 * Environment.ProcessorCount, NeuralNetworkOptions.MaxNumberOfThreads);
            foreach (int? threads in new int?[] { null, 1, NeuralNetworkOptions.MaxNumberOfThreads })
                Assert.Equal(threads, ml.Regression.Trainers.NeuralNetwork(Network(), new NeuralNetworkOptions { NumberOfThreads = threads })
                    .Options.NumberOfThreads);
        }
    }
}
