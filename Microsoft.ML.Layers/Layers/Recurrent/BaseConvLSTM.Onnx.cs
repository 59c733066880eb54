using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Infrastructure
{
    // ONNX export: ONNX has no convolutional LSTM operator, so the time loop is written unrolled, one step after the other.
    public abstract partial class BaseConvLSTM
    {
        /// <summary>
        /// Writes the layer with its time loop unrolled (the number of steps must be known at export): per step, in processing
        /// order (reversed with <see cref="RecurrentLayer.GoBackwards"/>), a <c>Gather</c> of the step, the input <c>Conv</c>
        /// (with the bias), the recurrent <c>Conv</c> of <c>h</c> (stride 1, <c>same</c>), the gate split and the cell update,
        /// all channels-first; the outputs are put back in the layer's layout. The first step of zero initial states skips
        /// the recurrent convolution and the forget product (both zero). Called by <see cref="RecurrentLayer"/>'s export after
        /// its checks (stateful, masks, inputs, built); returns <c>[output]</c> or <c>[output, h, c]</c>.
        /// </summary>
        internal IReadOnlyList<string> ExportUnrolledOnnx(OnnxExportContext context, IReadOnlyList<OnnxValue> inputs)
        {
            var sequence = inputs[0];
            long steps = sequence.Shape[1];
            if (steps == Shape.Unknown || steps < 1)
            {
                throw context.Unsupported("its number of time steps (input axis 1) is not known at export " +
                    $"(received input shape {sequence.Shape}). ONNX has no convolutional LSTM operator, so the time loop is " +
                    "written unrolled, which needs a fixed sequence length (this version writes no Loop/Scan graph). Give the " +
                    "input a fixed number of steps.");
            }

            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var kernel = context.Weight(ConvolutionWindow.ToTorchKernel(Kernel!), "kernel");
            var recurrentKernel = context.Weight(ConvolutionWindow.ToTorchKernel(RecurrentKernel!), "recurrent_kernel");
            var bias = Bias is null ? null : context.Weight(Bias, "bias");
            int firstSpatial = ChannelsLast ? 2 : 3;
            var inputSizes = Enumerable.Range(0, SpatialRank).Select(i => sequence.Shape[firstSpatial + i]).ToArray();
            var stateSizes = inputSizes.Select((size, i) => _window.OutputLength(size, i)).ToArray();

            // Zero initial states (no inputs) are null: the first step then has no recurrent term and no forget product.
            string? h = inputs.Count > 1 ? ToChannelsFirst(context, inputs[1].Name) : null;
            string? c = inputs.Count > 1 ? ToChannelsFirst(context, inputs[2].Name) : null;
            var sequenceOutputs = new List<string>();
            for (long k = 0; k < steps; k++)
            {
                long t = GoBackwards ? steps - 1 - k : k;
                var x = context.Node("Gather", new[] { sequence.Name, context.Int64(t) }, new OnnxAttributes { { "axis", 1L } });
                var z = SpatialOnnx.Convolution(context, ToChannelsFirst(context, x), kernel, bias, _window, inputSizes, 1);
                if (h is not null)
                    z = context.Node("Add", z, SpatialOnnx.Convolution(context, h, recurrentKernel, null, _recurrentWindow, stateSizes, 1));
                var gates = context.Split(z, 1, Units, Units, Units, Units);
                var candidate = context.Node("Mul", Activate(context, gates[0], RecurrentActivation),
                    Activate(context, gates[2], Activation));
                c = c is null ? candidate
                    : context.Node("Add", context.Node("Mul", Activate(context, gates[1], RecurrentActivation), c), candidate);
                h = context.Node("Mul", Activate(context, gates[3], RecurrentActivation), Activate(context, c, Activation));
                if (ReturnSequences)
                    sequenceOutputs.Add(context.Unsqueeze(h, 1));
            }

            var results = new List<string>();
            if (ReturnSequences)
            {
                // (batch, steps, filters, rows, cols) in processing order, as Keras returns a backward layer's outputs.
                var y = sequenceOutputs.Count == 1 ? sequenceOutputs[0]
                    : context.Node("Concat", sequenceOutputs, new OnnxAttributes { { "axis", 1L } });
                var order = new long[] { 0, 1 }.Concat(Enumerable.Range(3, SpatialRank).Select(i => (long)i)).Append(2L).ToArray();
                results.Add(ChannelsLast ? context.Transpose(y, order) : y);
            }
            else
            {
                results.Add(ToLayerLayout(context, h!));
            }
            if (ReturnState)
            {
                results.Add(ToLayerLayout(context, h!));
                results.Add(ToLayerLayout(context, c!));
            }
            return results;
        }

        /// <summary>One step or state <c>(batch, ...)</c> in the layer's layout to channels-first.</summary>
        private string ToChannelsFirst(OnnxExportContext context, string x)
            => ChannelsLast ? SpatialOnnx.ToChannelsFirst(context, x, SpatialRank) : x;

        /// <summary>A channels-first step or state back to the layer's layout.</summary>
        private string ToLayerLayout(OnnxExportContext context, string x)
            => ChannelsLast ? SpatialOnnx.ToChannelsLast(context, x, SpatialRank) : x;

        /// <summary>
        /// <paramref name="activation"/> of a channels-first value, as <c>Call</c> applies it to the layer's layout: elementwise
        /// activations directly; <c>softmax</c> and <c>log_softmax</c> (over the last axis) of a <c>channels_last</c> layer
        /// between transposes, so that they run over the channels as in <c>Call</c>.
        /// </summary>
        private string Activate(OnnxExportContext context, string x, Activation activation)
        {
            bool alongLastAxis = Activations.IsBuiltIn(activation) && activation.Name is "softmax" or "log_softmax";
            if (!ChannelsLast || !alongLastAxis)
                return context.Activation(x, activation);
            return ToChannelsFirst(context, context.Activation(ToLayerLayout(context, x), activation));
        }
    }
}
