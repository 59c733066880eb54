using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Engine
{
    public sealed class ConcurrencyTests
    {
        [Fact]
        public void ManyThreadsMakingTheFirstCallTogetherBuildTheLayerOnce()
        {
            var block = new GatedBlock(4);
            using var start = new Barrier(8);

            Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
            {
                using var scope = NewDisposeScope();
                start.SignalAndWait();
                block.Apply(ones(2, 3));
            });

            Assert.Equal(8, block.Weights.Count);
            Assert.Equal(8, block.parameters().Count());
        }

        [Fact]
        public void ManyThreadsScoringOneLayerGetTheSingleThreadedResults()
        {
            var block = new GatedBlock(6) { ActivityRegularizer = new HalfSquaredSumRegularizer() };
            var inputs = Enumerable.Range(0, 8).Select(i => randn(16, 5, 7)).ToArray();
            var expected = inputs.Select(x => { using var _ = no_grad(); return block.Apply(x).detach().clone(); }).ToArray();

            var actual = new Tensor[8];
            Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            {
                using var noGrad = no_grad();
                for (int repeat = 0; repeat < 20; repeat++)
                {
                    using var scope = NewDisposeScope();
                    var y = block.Apply(inputs[i]);
                    if (repeat == 19)
                        actual[i] = y.detach().clone().MoveToOuterDisposeScope();
                }
            });

            for (int i = 0; i < 8; i++)
                Assert.True(expected[i].equal(actual[i]).all().item<bool>(), $"thread {i} differs");
        }

        [Fact]
        public void ConfigsAreWrittenAndReadFromManyThreadsAtOnce()
        {
            // Registry lookups race with the first scan of loaded assemblies when many threads start together.
            using var start = new Barrier(8);
            var errors = new System.Collections.Concurrent.ConcurrentBag<System.Exception>();
            Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
            {
                start.SignalAndWait();
                try
                {
                    for (int i = 0; i < 20; i++)
                        Layer.Deserialize(new Dense(3, kernelInitializer: "he_normal").ToJson());
                }
                catch (System.Exception e)
                {
                    errors.Add(e);
                }
            });

            Assert.Empty(errors);
        }
    }
}
