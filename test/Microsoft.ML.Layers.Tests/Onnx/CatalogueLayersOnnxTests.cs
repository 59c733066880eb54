using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Onnx
{
    /// <summary>The layers of issue 19 that export (SpectralNormalization, ReversibleEmbedding's forward call, ConvLSTM1D and
    /// ConvLSTM3D unrolled, GroupQueryAttention) run in ONNX Runtime.</summary>
    public sealed class CatalogueLayersOnnxTests
    {
        [Fact]
        public void SpectralNormalizationExportsTheWrappedLayerAsItIs()
        {
            // In inference the wrapper runs the layer with its kernel as it is (normalized by the last training call).
            LayerOnnx.Matches(new SpectralNormalization(new Dense(3)), randn(4, 5));
            LayerOnnx.Matches(new SpectralNormalization(new Conv2D(2, 3, padding: Padding.Same)), randn(2, 5, 5, 3));
        }

        [Fact]
        public void ReversibleEmbeddingExportsItsForwardLookup()
            => LayerOnnx.Matches(new ReversibleEmbedding(10, 3, tieWeights: false), randint(0, 10, new long[] { 4, 5 }, dtype: ScalarType.Int64));

        [Theory]
        [InlineData(true, false)]
        [InlineData(false, true)]
        public void ConvLSTM1DMatchesOnnxRuntime(bool returnSequences, bool channelsFirst)
        {
            var layer = new ConvLSTM1D(2, 3, padding: Padding.Same, returnSequences: returnSequences,
                dataFormat: channelsFirst ? DataFormat.ChannelsFirst : DataFormat.ChannelsLast);
            LayerOnnx.Matches(layer, channelsFirst ? randn(2, 3, 2, 6) : randn(2, 3, 6, 2));
        }

        [Theory]
        [InlineData(true, false)]
        [InlineData(false, true)]
        public void ConvLSTM3DMatchesOnnxRuntime(bool returnSequences, bool channelsFirst)
        {
            var layer = new ConvLSTM3D(2, 2, strides: 1, returnSequences: returnSequences, goBackwards: true,
                dataFormat: channelsFirst ? DataFormat.ChannelsFirst : DataFormat.ChannelsLast);
            LayerOnnx.Matches(layer, channelsFirst ? randn(new long[] { 2, 3, 2, 4, 3, 3 }) : randn(new long[] { 2, 3, 4, 3, 3, 2 }));
        }

        [Theory]
        [InlineData(4, 2, false, false)]
        [InlineData(6, 3, true, true)]
        [InlineData(4, 1, true, false)]
        public void GroupQueryAttentionMatchesOnnxRuntime(int queryHeads, int kvHeads, bool causal, bool returnScores)
        {
            var query = Input.Create(new Shape(3, 4), name: "query");
            var value = Input.Create(new Shape(5, 4), name: "value");
            var key = Input.Create(new Shape(5, 6), name: "key");
            var gqa = new GroupQueryAttention(2, queryHeads, kvHeads) { UseCausalMask = causal, ReturnAttentionScores = returnScores };
            var model = new Model(new[] { query, value, key }, gqa.ApplyAll(new[] { query, value, key }).ToArray());
            LayerOnnx.Randomize(model);
            var inputs = new[] { randn(2, 3, 4), randn(2, 5, 4), randn(2, 5, 6) };

            foreach (var opset in LayerOnnx.Opsets)
                OnnxCheck.MatchesModel(model, inputs, opset: opset);
        }
    }
}
