using System.Linq;
using Microsoft.ML.Layers.Onnx;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Onnx
{
    /// <summary>Flatten, Reshape, Permute and RepeatVector exported to ONNX and run in ONNX Runtime, compared with the model's
    /// inference output, at the default opset and the oldest one.</summary>
    public class ReshapingOnnxTests
    {
        private static readonly int[] Opsets = { OnnxOpset.Default, OnnxOpset.Minimum };

        private static void Check(Layer layer, params long[] sampleShape)
        {
            var model = new Sequential(new InputLayer(new Shape(sampleShape), name: "x"), layer);
            using var x = randn(sampleShape.Prepend(3L).ToArray());
            foreach (var opset in Opsets)
                OnnxCheck.MatchesModel(model, x, opset: opset);
        }

        [Theory]
        [InlineData(DataFormat.ChannelsLast, new long[] { 5 })]
        [InlineData(DataFormat.ChannelsLast, new long[] { 2, 3, 4 })]
        [InlineData(DataFormat.ChannelsFirst, new long[] { 5 })]
        [InlineData(DataFormat.ChannelsFirst, new long[] { 3, 4 })]
        [InlineData(DataFormat.ChannelsFirst, new long[] { 2, 3, 4 })]
        [InlineData(DataFormat.ChannelsFirst, new long[] { 2, 3, 4, 2 })]
        public void FlattenMatchesOnnxRuntime(DataFormat dataFormat, long[] sampleShape)
        {
            Check(new Flatten(dataFormat), sampleShape);
        }

        [Fact]
        public void FlattenAfterAChannelsFirstTensorKeepsTheChannelsLastOrder()
        {
            // A channels_first feature map (batch, channels, height, width): the flattened values must come out in
            // channels-last order, so a dense layer after it sees what it sees in the model.
            manual_seed(7);
            var input = Input.Create(new Shape(2, 4, 3), name: "image");
            var features = new Permute(new IntTuple(3, 1, 2)).Apply(input);   // (batch, 3, 2, 4), channels first
            var flat = new Flatten(DataFormat.ChannelsFirst, name: "flatten").Apply(features);
            var model = new Model(input, new Dense(2, name: "head").Apply(flat));
            using var x = randn(2, 2, 4, 3);
            foreach (var opset in Opsets)
                OnnxCheck.MatchesModel(model, x, opset: opset);

            // The flattened vector itself, against the channels-last order written by hand.
            var flattenOnly = new Model(input, flat);
            var onnx = OnnxCheck.Export(flattenOnly);
            var actual = OnnxCheck.Run(onnx, new[] { ("image", x) }).Single().Value;
            TensorAssert.Close(x.reshape(2, 24), actual, 0, 0, "channels-last order");
        }

        [Theory]
        [InlineData(new[] { 3, 4 }, new long[] { 12 })]
        [InlineData(new[] { -1, 2 }, new long[] { 3, 4 })]
        [InlineData(new[] { 2, -1, 3 }, new long[] { 12 })]
        [InlineData(new[] { -1 }, new long[] { 2, 3, 2 })]
        public void ReshapeMatchesOnnxRuntime(int[] target, long[] sampleShape)
        {
            Check(new Reshape(new IntTuple(target)), sampleShape);
        }

        [Theory]
        [InlineData(new[] { 2, 1 }, new long[] { 3, 4 })]
        [InlineData(new[] { 3, 1, 2 }, new long[] { 2, 3, 4 })]
        [InlineData(new[] { 1, 2 }, new long[] { 3, 4 })]
        public void PermuteMatchesOnnxRuntime(int[] dims, long[] sampleShape)
        {
            Check(new Permute(new IntTuple(dims)), sampleShape);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(4)]
        public void RepeatVectorMatchesOnnxRuntime(int n)
        {
            Check(new RepeatVector(n), 5);
        }

        [Fact]
        public void TheBatchAxisStaysDynamicThroughReshapingLayers()
        {
            manual_seed(8);
            var model = new Sequential(new InputLayer(new Shape(2, 6), name: "x"), new Reshape(-1, 3), new Permute(new IntTuple(2, 1)),
                new Flatten(), new RepeatVector(2), new Flatten(), new Dense(3));
            var onnx = OnnxCheck.Export(model, OnnxOpset.Minimum);
            foreach (var batch in new[] { 1, 5 })
            {
                using var x = randn(batch, 2, 6);
                var actual = OnnxCheck.Run(onnx, new[] { ("x", x) }).Single().Value;
                TensorAssert.Close(model.Apply(x, training: false), actual, 1e-5, 1e-6, $"batch {batch}");
            }
        }
    }
}
