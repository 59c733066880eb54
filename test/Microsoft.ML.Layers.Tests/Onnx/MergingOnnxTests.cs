using System;
using System.Linq;
using Microsoft.ML.Layers.Infrastructure;
using Microsoft.ML.Layers.Onnx;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Onnx
{
    /// <summary>The merge layers exported to ONNX and run in ONNX Runtime, compared with the model's inference output, at the
    /// default opset and the oldest one.</summary>
    public class MergingOnnxTests
    {
        private static readonly int[] Opsets = { OnnxOpset.Default, OnnxOpset.Minimum };

        private static Merge Create(string kind) => kind switch
        {
            "add" => new Add(name: "merge"),
            "subtract" => new Subtract(name: "merge"),
            "multiply" => new Multiply(name: "merge"),
            "average" => new Average(name: "merge"),
            "maximum" => new Maximum(name: "merge"),
            "minimum" => new Minimum(name: "merge"),
            _ => throw new ArgumentException(kind),
        };

        public static TheoryData<string, int> ElementwiseKinds()
        {
            var data = new TheoryData<string, int>();
            foreach (var kind in new[] { "add", "subtract", "multiply", "average", "maximum", "minimum" })
            {
                foreach (var opset in Opsets)
                    data.Add(kind, opset);
            }
            return data;
        }

        /// <summary>A model of the layer on inputs of the given per-sample shapes, checked on random data (batch 3).</summary>
        private static void Check(Layer layer, int opset, params long[][] sampleShapes)
        {
            var inputs = sampleShapes.Select((s, i) => Input.Create(new Shape(s), name: $"in{i}")).ToArray();
            var model = new Model(inputs, new[] { layer.Apply(inputs) });
            var data = sampleShapes.Select(s => randn(s.Prepend(3L).ToArray())).ToArray();
            OnnxCheck.MatchesModel(model, data, opset: opset);
        }

        [Theory]
        [MemberData(nameof(ElementwiseKinds))]
        public void TwoInputsOfOneShapeMatchOnnxRuntime(string kind, int opset)
        {
            manual_seed(1);
            Check(Create(kind), opset, new long[] { 4, 5 }, new long[] { 4, 5 });
        }

        [Theory]
        [MemberData(nameof(ElementwiseKinds))]
        public void BroadcastShapesAndLowerRanksMatchOnnxRuntime(string kind, int opset)
        {
            manual_seed(2);
            // (3, 1) against (1, 4); then a rank-2 input, which gets a size-1 axis after the batch axis.
            Check(Create(kind), opset, new long[] { 3, 1 }, new long[] { 1, 4 });
            Check(Create(kind), opset, new long[] { 3, 4 }, new long[] { 4 });
        }

        [Theory]
        [InlineData("add")]
        [InlineData("multiply")]
        [InlineData("average")]
        [InlineData("maximum")]
        [InlineData("minimum")]
        public void ThreeInputsMatchOnnxRuntime(string kind)
        {
            manual_seed(3);
            foreach (var opset in Opsets)
                Check(Create(kind), opset, new long[] { 2, 3 }, new long[] { 2, 3 }, new long[] { 2, 3 });
        }

        [Theory]
        [InlineData(-1)]
        [InlineData(1)]
        [InlineData(2)]
        public void ConcatenateMatchesOnnxRuntime(int axis)
        {
            manual_seed(4);
            foreach (var opset in Opsets)
            {
                var shapes = new[] { new long[] { 2, 3 }, new long[] { 2, 3 }, new long[] { 2, 3 } };
                shapes[1][axis == -1 ? 1 : axis - 1] = 4;
                Check(new Concatenate(axis, name: "concat"), opset, shapes);
            }
        }

        public static TheoryData<int[], bool, long[], long[]> DotCases() => new()
        {
            { new[] { 1 }, false, new long[] { 5 }, new long[] { 5 } },
            { new[] { 1 }, true, new long[] { 5 }, new long[] { 5 } },
            { new[] { 1, 2 }, false, new long[] { 3, 5 }, new long[] { 4, 3 } },
            { new[] { 2, 2 }, true, new long[] { 3, 5 }, new long[] { 4, 5 } },
            { new[] { -1, 1 }, false, new long[] { 4 }, new long[] { 4, 6 } },
            { new[] { 2, 1 }, false, new long[] { 3, 4 }, new long[] { 4 } },
            { new[] { 3, 1 }, true, new long[] { 2, 3, 4 }, new long[] { 4, 5, 2 } },
        };

        [Theory]
        [MemberData(nameof(DotCases))]
        public void DotMatchesOnnxRuntime(int[] axes, bool normalize, long[] first, long[] second)
        {
            manual_seed(5);
            foreach (var opset in Opsets)
                Check(new Dot(new IntTuple(axes), normalize, name: "dot"), opset, first, second);
        }

        [Fact]
        public void NormalizedDotOfAZeroVectorMatchesOnnxRuntime()
        {
            var a = Input.Create(new Shape(4), name: "a");
            var b = Input.Create(new Shape(4), name: "b");
            var model = new Model(new[] { a, b }, new[] { new Dot(1, normalize: true).Apply(new[] { a, b }) });
            using var x = zeros(2, 4);
            using var y = randn(2, 4);
            foreach (var opset in Opsets)
                OnnxCheck.MatchesModel(model, new[] { x, y }, opset: opset);
        }

        [Fact]
        public void AFunctionalModelMergingTwoInputsMatchesOnnxRuntime()
        {
            manual_seed(6);
            var left = Input.Create(new Shape(6), name: "left");
            var right = Input.Create(new Shape(4), name: "right");
            var a = new Dense(5, activation: "relu").Apply(left);
            var b = new Dense(5, activation: "tanh").Apply(right);
            var sum = new Add().Apply(new[] { a, b });
            var product = new Multiply().Apply(new[] { a, b });
            var joined = new Concatenate().Apply(new[] { sum, product, right });
            var output = new Dense(2).Apply(joined);
            var model = new Model(new[] { left, right }, new[] { output });
            using var l = randn(7, 6);
            using var r = randn(7, 4);
            foreach (var opset in Opsets)
                OnnxCheck.MatchesModel(model, new[] { l, r }, opset: opset);
        }
    }
}
