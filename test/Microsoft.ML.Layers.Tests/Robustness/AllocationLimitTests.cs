using System;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Tests.Components;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Robustness
{
    /// <summary>
    /// Shapes from a config, a file or an argument are checked against Layer.MaxAllocationBytes before anything is allocated
    /// (the overflowing shapes that used to crash the process run here only after NativeAbortTests showed, in a child
    /// process, that they throw).
    /// </summary>
    public sealed class AllocationLimitTests
    {
        [Fact]
        public void ASavedDenseWithAHugeInputDimensionFailsNamingTheLayerTheWeightTheShapeAndTheSize()
        {
            var error = Assert.ThrowsAny<Exception>(() => Layer.Deserialize(
                "{\"class_name\":\"Dense\",\"config\":{\"name\":\"big\",\"units\":8}," +
                "\"build_config\":{\"input_shape\":[null,1099511627776]}}"));

            var inner = Innermost(error);
            Assert.IsType<ArgumentException>(inner);
            Assert.Contains("weight 'kernel' of layer 'big' (Dense)", inner.Message);
            Assert.Contains("(1099511627776, 8)", inner.Message);
            Assert.Contains("35184372088832 bytes", inner.Message);
            Assert.Contains("Layer.MaxAllocationBytes", inner.Message);
        }

        [Fact]
        public void ASavedDenseWithTwoBillionUnitsFailsBeforeAllocating()
        {
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            var error = Assert.ThrowsAny<Exception>(() => Layer.Deserialize(
                "{\"class_name\":\"Dense\",\"config\":{\"units\":2147483647},\"build_config\":{\"input_shape\":[null,4]}}"));

            Assert.Contains("(4, 2147483647)", Innermost(error).Message);
            Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }

        [Fact]
        public void AnOverflowingElementCountIsReportedAsSuch()
        {
            Assert.Equal(-1, NativeGuards.ElementCount(new[] { 1L << 40, 1L << 40 }));
            Assert.Equal(-1, NativeGuards.ElementCount(new[] { 2L, -1L }));
            Assert.Equal(0, NativeGuards.ElementCount(new[] { 0L, 5L }));
            Assert.Equal(1, NativeGuards.ElementCount(Array.Empty<long>()));

            var error = Assert.Throws<ArgumentException>(() => Initializer.GlorotUniform().Create(new Shape(1L << 40, 1L << 40),
                ScalarType.Float32));
            Assert.Contains("overflows", error.Message);
            Assert.Contains("GlorotUniform", error.Message);
        }

        [Theory]
        [InlineData("zeros")]
        [InlineData("ones")]
        [InlineData("glorot_uniform")]
        [InlineData("he_normal")]
        [InlineData("orthogonal")]
        [InlineData("identity")]
        public void EveryBuiltInInitializerChecksTheSizeFirst(string name)
        {
            // 2^31 float32 elements: 8 GiB, over the default limit of 4 GiB, and cheap to refuse.
            var error = Assert.Throws<ArgumentException>(() => Initializer.Get(name).Create(new Shape(1L << 16, 1L << 15),
                ScalarType.Float32));
            Assert.Contains("8 GiB", error.Message);
        }

        [Fact]
        public void TheLimitIsPositiveAndDefaultsToFourGiB()
        {
            Assert.Equal(4L << 30, Layer.MaxAllocationBytes);
            Assert.Throws<ArgumentOutOfRangeException>(() => Layer.MaxAllocationBytes = 0);
            Assert.Equal(4L << 30, Layer.MaxAllocationBytes);
        }

        [Fact]
        public void ASymbolicInputTooLargeForItsProbeFailsNamingIt()
        {
            var error = Assert.Throws<ArgumentException>(() => Input.Create(new Shape(1L << 20, 1L << 20)));
            Assert.Contains("symbolic input", error.Message);
        }

        private static Exception Innermost(Exception error)
        {
            while (error.InnerException is not null)
                error = error.InnerException;
            return error;
        }
    }

    /// <summary>The initializers fill one tensor in place: the values are those of Keras's out-of-place formulas.</summary>
    [Collection(GlobalGeneratorCollection.Name)]
    public sealed class InPlaceInitializerTests
    {
        [Fact]
        public void UniformIsKerasFormulaOnTheSameDraw()
        {
            var shape = new long[] { 64, 33 };
            using var generator = new Generator(7);
            using var draw = rand(shape, ScalarType.Float32, generator: generator);
            using var expected = draw * 0.3 + (-0.1);

            using var actual = new RandomUniformInitializer(-0.1, 0.2, seed: 7).Create(new Shape(shape), ScalarType.Float32);

            Assert.True(expected.equal(actual).all().item<bool>());
        }

        [Fact]
        public void TruncatedNormalKeepsTheFirstCandidateInsideTwoStandardDeviations()
        {
            // Keras's algorithm written out: four draws per element, the first strictly inside (-2, 2) by argmax.
            var shape = new long[] { 300, 41 };
            using var scope = NewDisposeScope();
            using var generator = new Generator(11);
            var candidates = empty(new long[] { 300, 41, 4 }, ScalarType.Float32).normal_(0.0, 1.0, generator);
            var valid = candidates.gt(-2).logical_and(candidates.lt(2));
            var (_, first) = valid.max(-1, keepdim: true);
            var expected = candidates.gather(-1, first).squeeze(-1) * 0.5 + 1.0;
            var inside = expected.gt(0).logical_and(expected.lt(2));

            var actual = new TruncatedNormalInitializer(1.0, 0.5, seed: 11).Create(new Shape(shape), ScalarType.Float32);

            // Elements whose four draws were all outside are drawn again (both versions); all others are Keras's.
            Assert.True(expected.masked_select(inside).equal(actual.masked_select(inside)).all().item<bool>());
            Assert.True(actual.gt(0).logical_and(actual.lt(2)).all().item<bool>());
        }
    }
}
