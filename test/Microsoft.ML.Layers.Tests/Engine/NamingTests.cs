using System;
using Xunit;

namespace Microsoft.ML.Layers.Tests.Engine
{
    [Collection(nameof(NameCounterCollection))]
    public sealed class NamingTests
    {
        [Fact]
        public void DefaultNamesAreSnakeCaseClassNamesMadeUniqueWithACounter()
        {
            Layer.ResetNameCounters();

            var first = new SimpleDense(1);
            var second = new SimpleDense(1);
            var probe = new ProbeLayer();

            Assert.Equal("simple_dense", first.Name);
            Assert.Equal("simple_dense_1", second.Name);
            Assert.Equal("probe_layer", probe.Name);
        }

        [Fact]
        public void ResettingTheCountersStartsNamesOver()
        {
            _ = new SimpleDense(1);
            Layer.ResetNameCounters();

            Assert.Equal("simple_dense", new SimpleDense(1).Name);
        }

        [Fact]
        public void ExplicitNamesAreKeptAndDoNotConsumeTheCounter()
        {
            Layer.ResetNameCounters();

            var named = new SimpleDense(1, name: "head");
            var unnamed = new SimpleDense(1);

            Assert.Equal("head", named.Name);
            Assert.Equal("simple_dense", unnamed.Name);
        }

        [Fact]
        public void ANameWithASlashIsRefused()
        {
            var error = Assert.Throws<ArgumentException>(() => new SimpleDense(1, name: "a/b"));
            Assert.Contains("name='a/b'", error.Message);
        }

        [Theory]
        [InlineData("SimpleRNN", "simple_rnn")]
        [InlineData("Conv2DTranspose", "conv2d_transpose")]
        [InlineData("MultiHeadAttention", "multi_head_attention")]
        [InlineData("LSTM", "lstm")]
        [InlineData("ConvLSTM2D", "conv_lstm2d")]
        [InlineData("kernelInitializer", "kernel_initializer")]
        [InlineData("useBias", "use_bias")]
        public void SnakeCaseFollowsKeras(string name, string expected) => Assert.Equal(expected, KerasJson.SnakeCase(name));
    }

    /// <summary>Tests that reset the global name counters must not run in parallel with each other.</summary>
    [CollectionDefinition(nameof(NameCounterCollection), DisableParallelization = true)]
    public sealed class NameCounterCollection
    {
    }
}
