using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Onnx
{
    /// <summary>Attention, AdditiveAttention and MultiHeadAttention exported to ONNX and run in ONNX Runtime with random weights,
    /// compared with the model's inference output (and the attention scores when returned), at the default opset and the oldest
    /// one.</summary>
    public class AttentionOnnxTests
    {
        private static readonly int[] Opsets = { OnnxOpset.Default, OnnxOpset.Minimum };

        /// <summary>A functional model of <paramref name="layer"/> on [query, value(, key)] with every output, its weights
        /// replaced by random values; checked on random data at both opsets.</summary>
        private static void Check(Layer layer, long[] query, long[] value, long[]? key = null, int batch = 2)
        {
            var shapes = key is null ? new[] { query, value } : new[] { query, value, key };
            var names = new[] { "query", "value", "key" };
            var inputs = shapes.Select((s, i) => Input.Create(new Shape(s), name: names[i])).ToArray();
            var outputs = layer.ApplyAll(inputs);
            var model = new Model(inputs, outputs.ToArray());
            using (no_grad())
            {
                foreach (var weight in model.Weights)
                    weight.copy_(randn_like(weight) * 0.7);
            }
            var data = shapes.Select(s => randn(s.Prepend((long)batch).ToArray())).ToArray();
            foreach (var opset in Opsets)
                OnnxCheck.MatchesModel(model, data, opset: opset);
        }

        [Theory]
        [InlineData(false, AttentionScoreMode.Dot, false, false)]
        [InlineData(true, AttentionScoreMode.Dot, false, true)]
        [InlineData(false, AttentionScoreMode.Dot, true, true)]
        [InlineData(true, AttentionScoreMode.Dot, true, false)]
        [InlineData(false, AttentionScoreMode.Concat, false, false)]
        [InlineData(true, AttentionScoreMode.Concat, true, true)]
        public void AttentionMatchesOnnxRuntime(bool useScale, AttentionScoreMode scoreMode, bool causal, bool returnScores)
        {
            manual_seed(11);
            var layer = new Microsoft.ML.Layers.Attention(useScale, scoreMode, name: "attention")
            {
                UseCausalMask = causal,
                ReturnAttentionScores = returnScores,
            };
            Check(layer, new long[] { 4, 3 }, new long[] { 5, 2 }, new long[] { 5, 3 });
        }

        [Fact]
        public void AttentionWithoutKeyAndWithDropoutIsTheInferenceComputation()
        {
            manual_seed(12);
            var layer = new Microsoft.ML.Layers.Attention(dropout: 0.5, seed: 3) { UseCausalMask = true, ReturnAttentionScores = true };
            Check(layer, new long[] { 5, 3 }, new long[] { 5, 3 });
        }

        [Theory]
        [InlineData(true, false, false)]
        [InlineData(false, true, true)]
        [InlineData(true, true, true)]
        public void AdditiveAttentionMatchesOnnxRuntime(bool useScale, bool causal, bool returnScores)
        {
            manual_seed(13);
            var layer = new AdditiveAttention(useScale, name: "additive") { UseCausalMask = causal, ReturnAttentionScores = returnScores };
            Check(layer, new long[] { 3, 4 }, new long[] { 6, 2 }, new long[] { 6, 4 });
        }

        [Fact]
        public void ACausalMaskOfDynamicStepCountsMatchesOnnxRuntime()
        {
            // The steps axis is unknown in the model: the causal mask is built from the steps' positions at run time.
            manual_seed(14);
            var query = Input.Create(new Shape(Shape.Unknown, 3), name: "query");
            var value = Input.Create(new Shape(Shape.Unknown, 3), name: "value");
            var attention = new Microsoft.ML.Layers.Attention(useScale: true) { UseCausalMask = true };
            var mha = new MultiHeadAttention(numHeads: 2, keyDim: 2) { UseCausalMask = true };
            var a = attention.Apply(new[] { query, value });
            var b = mha.Apply(new[] { query, value });
            var model = new Model(new[] { query, value }, new[] { a, b });
            var onnx = OnnxCheck.Export(model, OnnxOpset.Minimum);
            foreach (var (steps, sourceSteps) in new[] { (4, 4), (3, 6), (7, 2) })
            {
                using var q = randn(2, steps, 3);
                using var v = randn(2, sourceSteps, 3);
                var expected = model.ApplyAll(new[] { q, v }, training: false);
                var actual = OnnxCheck.Run(onnx, new[] { ("query", q), ("value", v) });
                for (int i = 0; i < 2; i++)
                    TensorAssert.Close(expected[i], actual[i].Value, 1e-4, 1e-5, $"output {i}, {steps}x{sourceSteps} steps");
            }
        }

        public static TheoryData<string> MultiHeadCases() => new()
        {
            "self", "cross with key", "value dim and output shape", "no bias", "causal", "scores", "causal scores", "dropout",
        };

        [Theory]
        [MemberData(nameof(MultiHeadCases))]
        public void MultiHeadAttentionMatchesOnnxRuntime(string @case)
        {
            manual_seed(15);
            var (query, value, key) = (new long[] { 4, 6 }, new long[] { 5, 3 }, new long[] { 5, 7 });
            switch (@case)
            {
                case "self":
                    Check(new MultiHeadAttention(numHeads: 2, keyDim: 3), query, query);
                    break;
                case "cross with key":
                    Check(new MultiHeadAttention(numHeads: 3, keyDim: 2), query, value, key);
                    break;
                case "value dim and output shape":
                    Check(new MultiHeadAttention(numHeads: 2, keyDim: 3, valueDim: 4, outputShape: new IntTuple(2, 5)), query, value, key);
                    break;
                case "no bias":
                    Check(new MultiHeadAttention(numHeads: 2, keyDim: 2, useBias: false), query, value);
                    break;
                case "causal":
                    Check(new MultiHeadAttention(numHeads: 2, keyDim: 3) { UseCausalMask = true }, query, query);
                    break;
                case "scores":
                    Check(new MultiHeadAttention(numHeads: 3, keyDim: 2) { ReturnAttentionScores = true }, query, value, key);
                    break;
                case "causal scores":
                    Check(new MultiHeadAttention(numHeads: 2, keyDim: 2) { UseCausalMask = true, ReturnAttentionScores = true }, query,
                        value);
                    break;
                case "dropout":
                    Check(new MultiHeadAttention(numHeads: 2, keyDim: 2, dropout: 0.5, seed: 1) { ReturnAttentionScores = true }, query,
                        value);
                    break;
                default:
                    throw new ArgumentException(@case);
            }
        }

        [Theory]
        [InlineData(null)]
        [InlineData(new[] { 2 })]
        [InlineData(new[] { 1, 2 })]
        public void MultiHeadAttentionOverSeveralAxesMatchesOnnxRuntime(int[]? attentionAxes)
        {
            manual_seed(16);
            var axes = attentionAxes is null ? (IntTuple?)null : new IntTuple(attentionAxes);
            var mha = new MultiHeadAttention(numHeads: 2, keyDim: 2, attentionAxes: axes)
            {
                ReturnAttentionScores = attentionAxes is { Length: 1 },
            };
            Check(mha, new long[] { 3, 4, 5 }, new long[] { 3, 2, 4 });
        }

        [Fact]
        public void ATransformerBlockMatchesOnnxRuntime()
        {
            manual_seed(17);
            var input = Input.Create(new Shape(5, 8), name: "tokens");
            var attended = new MultiHeadAttention(numHeads: 2, keyDim: 4) { UseCausalMask = true }.Apply(new[] { input, input });
            var residual = new Add().Apply(new[] { input, attended });
            var hidden = new Dense(16, activation: "gelu").Apply(residual);
            var back = new Dense(8).Apply(hidden);
            var output = new Dense(3).Apply(new Flatten().Apply(new Add().Apply(new[] { residual, back })));
            var model = new Model(input, output);
            using var x = randn(3, 5, 8);
            foreach (var opset in Opsets)
                OnnxCheck.MatchesModel(model, x, opset: opset);
        }

        [Fact]
        public void ACausalMaskOverSeveralAxesIsRefusedNamingTheLayer()
        {
            var query = Input.Create(new Shape(3, 4, 5), name: "query");
            var mha = new MultiHeadAttention(numHeads: 2, keyDim: 2, name: "mha4d");
            var model = new Model(query, mha.Apply(new[] { query, query }));
            // The layer itself cannot apply Keras's (1, T, S) causal mask over two attention axes either; set after the model is
            // built, the export refuses it before writing anything.
            mha.UseCausalMask = true;
            var error = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(new MemoryStream()));
            Assert.Contains("'mha4d'", error.Message);
            Assert.Contains("use_causal_mask", error.Message);
            Assert.Contains("rank 4", error.Message);
        }
    }
}
