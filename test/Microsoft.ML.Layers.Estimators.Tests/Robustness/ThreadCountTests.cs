using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;

namespace Microsoft.ML.Layers.Estimators.Tests.Robustness
{
    /// <summary>
    /// NumberOfThreads reaches libtorch's set_num_threads, which ends the process on 0 or a negative count (no CATCH in
    /// TorchSharp 0.107): the trainer refuses such a count, and one far above the core count, when it is created.
    /// </summary>
    public sealed class ThreadCountTests : IClassFixture<ThreadCountApplicationFixture>
    {
        private readonly ThreadCountApplicationFixture _app;

        public ThreadCountTests(ThreadCountApplicationFixture app) => _app = app;

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
            {
                var options = new NeuralNetworkOptions { NumberOfThreads = threads };
                Assert.Equal(threads, ml.Regression.Trainers.NeuralNetwork(Network(), options).Options.NumberOfThreads);
            }
        }
    
        [Fact]
        public void AThreadCountChangedAfterTheTrainerWasCreatedIsCheckedAgainAtFit()
        {
            // Run in a child process: without the check, Fit would pass 0 to libtorch, which ends the process.
            var result = _app.Application.Run();

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("caught ArgumentOutOfRangeException", result.StandardOutput);
            Assert.Contains("NumberOfThreads=0", result.StandardOutput);
        }
    }

    /// <summary>A console application that changes NumberOfThreads to 0 after creating the trainer, then calls Fit.</summary>
    public sealed class ThreadCountApplicationFixture : IDisposable
    {
        private const string ProgramText = """
            using System;
            using Microsoft.ML;
            using Microsoft.ML.Layers;
            using Microsoft.ML.Layers.Estimators;

            var ml = new MLContext(seed: 1);
            var options = new NeuralNetworkOptions { NumberOfThreads = 1, Epochs = 1 };
            var trainer = ml.Regression.Trainers.NeuralNetwork(new Sequential(new Dense(1)), options);
            options.NumberOfThreads = 0;
            var data = ml.Data.LoadFromEnumerable(new[] { new Row { Features = new float[] { 1, 2 }, Label = 3 } });
            try
            {
                trainer.Fit(data);
                Console.WriteLine("no exception");
                return 1;
            }
            catch (Exception e)
            {
                Console.WriteLine($"caught {e.GetType().Name}: {e.Message}");
                return 0;
            }

            sealed class Row
            {
                [Microsoft.ML.Data.VectorType(2)]
                public float[] Features { get; set; } = Array.Empty<float>();

                public float Label { get; set; }
            }
            """;

        public ThreadCountApplicationFixture()
            => Application = new ExternalApplication("ThreadCount", "Estimators/Microsoft.ML.Layers.Estimators.csproj", ProgramText);

        public ExternalApplication Application { get; }

        public void Dispose() => Application.Dispose();
    }
}
