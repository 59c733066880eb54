using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;
using R = Microsoft.ML.Layers.Tests.Layers.Recurrent.RecurrentReference;

namespace Microsoft.ML.Layers.Tests.Layers.Recurrent
{
    /// <summary>ConvLSTM1D and ConvLSTM3D: the shared check, Keras's layouts and names, and every step against the cell written
    /// with libtorch's conv1d / conv3d (channels last, TensorFlow's same padding), independently of the layers.</summary>
    public sealed class ConvLSTM1D3DTests
    {
        [Fact]
        public void ConvLSTM1DPassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new ConvLSTM1D(3, 3, padding: Padding.Same, returnSequences: true, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 6, 2) },
            ExpectedTrainableWeights = 3,
            ExpectedOutputShape = new Shape(2, 3, 6, 3),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(2, 3),
        });

        [Fact]
        public void ConvLSTM3DPassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new ConvLSTM3D(2, 2, returnState: true, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 4, 4, 3, 2) },
            ExpectedTrainableWeights = 3,
            ExpectedOutputShape = new Shape(2, 3, 3, 2, 2),
            ExpectedSupportsMasking = true,
        });

        [Fact]
        public void HaveKerasWeightLayoutsAndDefaultNames()
        {
            var one = new ConvLSTM1D(4, 3);
            one.EnsureBuilt(new Shape(Shape.Unknown, 5, 8, 2));
            var three = new ConvLSTM3D(4, (3, 2, 1));
            three.EnsureBuilt(new Shape(Shape.Unknown, 5, 6, 6, 6, 2));

            Assert.Matches("^conv_lstm1d(_[0-9]+)?$", one.Name);
            Assert.Matches("^conv_lstm3d(_[0-9]+)?$", three.Name);
            Assert.Equal(new[] { new Shape(3, 2, 16), new Shape(3, 4, 16), new Shape(16) }, one.Weights.Select(w => w.Shape));
            Assert.Equal(new[] { new Shape(3, 2, 1, 2, 16), new Shape(3, 2, 1, 4, 16), new Shape(16) }, three.Weights.Select(w => w.Shape));
            Assert.Equal((1, 3), (one.SpatialRank, three.SpatialRank));
            Assert.Equal(4, new Bidirectional(new ConvLSTM1D(2, 3)).ForwardLayer.SequenceSpec.NDim);
            Assert.Equal(6, new ConvLSTM3D(2, 3).SequenceSpec.NDim);
        }

        [Fact]
        public void ConfigsUseKerasKeysAndClassNames()
        {
            var layer = new ConvLSTM1D(2, 3, strides: 2, padding: Padding.Same, name: "c1");
            var config = layer.GetConfig();

            Assert.Equal("ConvLSTM1D", config.ClassName);
            Assert.Equal(new[] { 3 }, config.Get<int[]>("kernel_size"));
            Assert.Equal(new[] { 2 }, config.Get<int[]>("strides"));
            Assert.False(config.Contains("units"));
            Assert.Equal("ConvLSTM3D", new ConvLSTM3D(2, 3).GetConfig().ClassName);
            var copy = Assert.IsType<ConvLSTM3D>(Layer.Deserialize(new ConvLSTM3D(2, (1, 2, 3), dataFormat: DataFormat.ChannelsFirst).ToJson()));
            Assert.Equal(new[] { 1, 2, 3 }, copy.KernelSize.Values);
            Assert.Equal(DataFormat.ChannelsFirst, copy.DataFormat);
        }

        [Theory]
        [InlineData(1, Padding.Valid, 1, false, false)]
        [InlineData(1, Padding.Same, 2, true, true)]
        [InlineData(1, Padding.Same, 1, true, false)]
        [InlineData(3, Padding.Valid, 1, true, false)]
        [InlineData(3, Padding.Same, 2, false, true)]
        [InlineData(3, Padding.Same, 1, true, false)]
        public void EveryStepMatchesTheCellWrittenWithConvolutions(int rank, Padding padding, int stride, bool returnSequences,
            bool channelsFirst)
        {
            manual_seed(rank * 10 + stride);
            var dataFormat = channelsFirst ? DataFormat.ChannelsFirst : DataFormat.ChannelsLast;
            RecurrentLayer layer = rank == 1
                ? new ConvLSTM1D(3, 3, strides: stride, padding: padding, dataFormat: dataFormat, returnSequences: returnSequences,
                    returnState: true)
                : new ConvLSTM3D(3, 2, strides: stride, padding: padding, dataFormat: dataFormat, returnSequences: returnSequences,
                    returnState: true);
            // Channels last, sizes that differ per axis (a swap of axes shows).
            var x = rank == 1 ? randn(2, 4, 7, 2) : randn(new long[] { 2, 3, 5, 4, 3, 2 });
            var input = channelsFirst ? ChannelsFirst(x, 1) : x;
            layer.EnsureBuilt(Shape.Of(input));
            layer.SetWeights(R.RandomWeights(layer));

            var outputs = layer.ApplyAll(input);

            var cell = new Cell(rank, layer.Kernel!, layer.RecurrentKernel!, layer.Bias!, stride, padding == Padding.Same);
            var (expected, states) = R.Run(x, cell.ZeroStates(x), cell.Step);
            Tensor Last(Tensor t) => channelsFirst ? ChannelsLast(t, t.ndim == x.ndim ? 1 : 0) : t;
            Assert.Equal(3, outputs.Count);
            TensorAssert.Close(returnSequences ? expected : expected.select(1, -1), Last(outputs[0]), 1e-5, 1e-5, "output");
            TensorAssert.Close(states[0], Last(outputs[1]), 1e-5, 1e-5, "final h");
            TensorAssert.Close(states[1], Last(outputs[2]), 1e-5, 1e-5, "final c");
        }

        /// <summary>Channels last to first, the axes before <paramref name="lead"/> + 1 kept: (N, [T,] d..., C) to (N, [T,] C, d...).</summary>
        private static Tensor ChannelsFirst(Tensor x, int lead)
        {
            int rank = (int)x.ndim;
            var order = Enumerable.Range(0, lead + 1).Append(rank - 1).Concat(Enumerable.Range(lead + 1, rank - lead - 2));
            return x.permute(order.Select(i => (long)i).ToArray());
        }

        private static Tensor ChannelsLast(Tensor x, int lead)
        {
            int rank = (int)x.ndim;
            var order = Enumerable.Range(0, lead + 1).Concat(Enumerable.Range(lead + 2, rank - lead - 2)).Append(lead + 1);
            return x.permute(order.Select(i => (long)i).ToArray());
        }

        /// <summary>The convolutional LSTM step on channels-last tensors, gates i, f, c, o sliced from the Keras kernels.</summary>
        private sealed class Cell
        {
            private readonly int _rank;
            private readonly Tensor _kernel, _recurrentKernel, _bias;
            private readonly int _stride;
            private readonly bool _same;
            private readonly long _filters;

            public Cell(int rank, Tensor kernel, Tensor recurrentKernel, Tensor bias, int stride, bool same)
            {
                (_rank, _kernel, _recurrentKernel, _bias, _stride, _same) =
                    (rank, kernel.detach(), recurrentKernel.detach(), bias.detach(), stride, same);
                _filters = recurrentKernel.shape[^2];
            }

            public Tensor[] ZeroStates(Tensor x)
            {
                var probe = Conv(x.select(1, 0), _kernel.narrow(-1, 0, _filters), _stride, _same);
                return new[] { zeros_like(probe), zeros_like(probe) };
            }

            public Tensor[] Step(Tensor x, Tensor[] states)
            {
                var (h, c) = (states[0], states[1]);
                Tensor Pre(int g) => Conv(x, _kernel.narrow(-1, g * _filters, _filters), _stride, _same)
                    + Conv(h, _recurrentKernel.narrow(-1, g * _filters, _filters), 1, same: true) + _bias.narrow(0, g * _filters, _filters);
                var i = sigmoid(Pre(0));
                var f = sigmoid(Pre(1));
                var candidate = tanh(Pre(2));
                var o = sigmoid(Pre(3));
                var newC = f * c + i * candidate;
                return new[] { o * tanh(newC), newC };
            }

            private Tensor Conv(Tensor channelsLast, Tensor kernel, int stride, bool same)
            {
                var x = ChannelsFirst(channelsLast, 0);
                if (same)
                {
                    // TensorFlow's same padding, the odd element after; F.pad lists the last axis first.
                    var pads = new long[2 * _rank];
                    for (int a = 0; a < _rank; a++)
                    {
                        long n = x.shape[2 + a], k = kernel.shape[a];
                        long total = Math.Max(((n + stride - 1) / stride - 1) * stride + k - n, 0);
                        int slot = 2 * (_rank - 1 - a);
                        (pads[slot], pads[slot + 1]) = (total / 2, total - total / 2);
                    }
                    x = nn.functional.pad(x, pads);
                }
                // Keras (k..., in, out) to libtorch (out, in, k...).
                var weight = kernel.permute(new long[] { _rank + 1, _rank }.Concat(Enumerable.Range(0, _rank).Select(i => (long)i)).ToArray());
                var strides = Enumerable.Repeat((long)stride, _rank).ToArray();
                var y = _rank == 1 ? nn.functional.conv1d(x, weight, stride: stride) : nn.functional.conv3d(x, weight, strides: strides);
                return ChannelsLast(y, 0);
            }
        }
    }
}
