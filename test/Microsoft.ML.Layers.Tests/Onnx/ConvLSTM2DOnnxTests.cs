using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Onnx
{
    /// <summary>ConvLSTM2D exported with its time loop unrolled and run in ONNX Runtime (random weights and biases, 3 steps of
    /// 5x5 images, 2 filters), at the default and the minimum opset; the configurations the unrolled form cannot express fail
    /// naming the layer and the reason.</summary>
    public class ConvLSTM2DOnnxTests
    {
        private const int Steps = 3;
        private const int Size = 5;
        private const int Channels = 2;

        private static Shape StepShape(bool channelsFirst, long steps = Steps)
            => channelsFirst ? new Shape(steps, Channels, Size, Size) : new Shape(steps, Size, Size, Channels);

        /// <summary>A functional model over one ConvLSTM2D (all its outputs), every weight random.</summary>
        private static Model Wrap(ConvLSTM2D layer, bool channelsFirst)
        {
            var input = Input.Create(StepShape(channelsFirst), name: "frames");
            var model = new Model(new[] { input }, layer.ApplyAll(input).ToArray());
            model.SetWeights(model.Weights.Select(w => (Array)WeightArrays.ToArray(randn(w.shape) * 0.5f)).ToArray());
            return model;
        }

        private static Tensor Frames(bool channelsFirst, int batch = 2)
            => randn(channelsFirst ? new long[] { batch, Steps, Channels, Size, Size } : new long[] { batch, Steps, Size, Size, Channels });

        public static TheoryData<bool, Padding, int, bool, bool, bool, int> Configurations()
        {
            // returnSequences, padding, strides, channelsFirst, goBackwards, returnState
            var cases = new (bool, Padding, int, bool, bool, bool)[]
            {
                (false, Padding.Valid, 1, false, false, false),
                (true, Padding.Same, 1, false, false, false),
                (true, Padding.Same, 2, false, true, false),   // TensorFlow's uneven same split: 5 -> 3
                (false, Padding.Valid, 2, true, false, false),
                (true, Padding.Same, 1, true, true, true),
                (false, Padding.Valid, 1, false, true, true),
                (true, Padding.Valid, 1, true, false, false),
                (false, Padding.Same, 2, false, false, true),
            };
            var data = new TheoryData<bool, Padding, int, bool, bool, bool, int>();
            foreach (var (sequences, padding, strides, first, backwards, state) in cases)
                foreach (var opset in new[] { OnnxOpset.Minimum, OnnxOpset.Default })
                    data.Add(sequences, padding, strides, first, backwards, state, opset);
            return data;
        }

        [Theory]
        [MemberData(nameof(Configurations))]
        public void ConvLSTM2DMatchesOnnxRuntime(bool returnSequences, Padding padding, int strides, bool channelsFirst,
            bool goBackwards, bool returnState, int opset)
        {
            manual_seed(31);
            var layer = new ConvLSTM2D(2, 3, strides: strides, padding: padding,
                dataFormat: channelsFirst ? DataFormat.ChannelsFirst : DataFormat.ChannelsLast,
                returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards);
            var model = Wrap(layer, channelsFirst);
            using var x = Frames(channelsFirst);
            var onnx = OnnxCheck.MatchesModel(model, x, opset: opset);
            Assert.Equal(returnState ? 3 : 1, OnnxCheck.OutputNames(onnx).Count);
        }

        [Theory]
        [InlineData(OnnxOpset.Minimum)]
        [InlineData(OnnxOpset.Default)]
        public void DilationUnevenKernelNoBiasAndOtherActivations(int opset)
        {
            manual_seed(32);
            var dilated = Wrap(new ConvLSTM2D(2, new IntTuple(3, 2), padding: Padding.Same, dilationRate: 2, useBias: false,
                activation: "relu", recurrentActivation: Activations.Get("hard_sigmoid"), returnSequences: true), false);
            using var x = Frames(false);
            OnnxCheck.MatchesModel(dilated, x, opset: opset);
            // softmax runs over the channels (the last axis) in Call; the export keeps that axis.
            var softmax = Wrap(new ConvLSTM2D(2, 3, padding: Padding.Same, activation: "softmax", returnSequences: true), false);
            OnnxCheck.MatchesModel(softmax, x, opset: opset);
        }

        [Fact]
        public void BatchAxisIsDynamic()
        {
            manual_seed(33);
            var model = Wrap(new ConvLSTM2D(2, 3, padding: Padding.Same, returnSequences: true), false);
            var onnx = OnnxCheck.Export(model);
            foreach (var batch in new[] { 1, 4 })
            {
                using var x = Frames(false, batch);
                var actual = OnnxCheck.Run(onnx, new[] { ("frames", x) }).Single().Value;
                TensorAssert.Close(model.Apply(x, training: false), actual, 1e-4, 1e-5, $"batch {batch}");
            }
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void InitialStatesGivenAsInputs(bool channelsFirst)
        {
            manual_seed(34);
            var sequence = Input.Create(StepShape(channelsFirst), name: "frames");
            var stateShape = channelsFirst ? new Shape(2, 3, 3) : new Shape(3, 3, 2);
            var states = Enumerable.Range(0, 2).Select(i => Input.Create(stateShape, name: $"state{i}")).ToList();
            var layer = new ConvLSTM2D(2, 3, dataFormat: channelsFirst ? DataFormat.ChannelsFirst : DataFormat.ChannelsLast,
                returnSequences: true, goBackwards: true);
            var output = layer.Apply(states.Prepend(sequence).ToList());
            var model = new Model(states.Prepend(sequence).ToArray(), new[] { output });
            model.SetWeights(model.Weights.Select(w => (Array)WeightArrays.ToArray(randn(w.shape) * 0.5f)).ToArray());
            using var x = Frames(channelsFirst);
            var h = states.Select(_ => channelsFirst ? randn(2, 2, 3, 3) : randn(2, 3, 3, 2)).ToList();
            OnnxCheck.MatchesModel(model, h.Prepend(x).ToList());
            OnnxCheck.MatchesModel(model, h.Prepend(x).ToList(), opset: OnnxOpset.Minimum);
        }

        [Fact]
        public void UnknownSequenceLengthIsUnsupported()
        {
            var model = new Sequential(new InputLayer(new Shape(Shape.Unknown, Size, Size, 1)), new ConvLSTM2D(2, 3, name: "conv_lstm"));
            var error = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(new MemoryStream()));
            Assert.Contains("Layer 'conv_lstm' (ConvLSTM2D) cannot be exported to ONNX", error.Message, StringComparison.Ordinal);
            Assert.Contains("number of time steps (input axis 1) is not known at export", error.Message, StringComparison.Ordinal);
            Assert.Contains("unrolled", error.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void StatefulLayerIsUnsupported()
        {
            var model = new Sequential(new InputLayer(new Shape(Steps, Size, Size, 1), batchSize: 2),
                new ConvLSTM2D(2, 3, stateful: true, name: "conv_memory"));
            var error = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(new MemoryStream()));
            Assert.Contains("Layer 'conv_memory' (ConvLSTM2D) cannot be exported to ONNX", error.Message, StringComparison.Ordinal);
            Assert.Contains("stateful", error.Message, StringComparison.Ordinal);
        }
    }
}
