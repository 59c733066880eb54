using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    // ONNX export: SimpleRNN, LSTM and GRU as ONNX's RNN, LSTM and GRU operators (Keras's weights re-laid out for them);
    // The convolutional LSTMs with their time loop unrolled (BaseConvLSTM.Onnx.cs).
    public abstract partial class RecurrentLayer : IOnnxMultiExportable
    {
        /// <summary>
        /// Writes the layer as one ONNX <c>RNN</c>, <c>LSTM</c> or <c>GRU</c> node: the batch-major sequence is transposed to
        /// ONNX's time-major layout (which every opset reads), Keras's kernels are transposed and their gate blocks reordered
        /// (LSTM i, f, c, o to ONNX's i, o, f, c; GRU z, r, h as is), <c>go_backwards</c> is the <c>reverse</c> direction with
        /// the returned sequence put back in Keras's (processing) order. Initial states given as inputs are the node's initial
        /// states. Returns <c>[output]</c>, or <c>[output, state...]</c> with <see cref="ReturnState"/>. <see cref="ConvLSTM2D"/>,
        /// which has no ONNX operator, is written with its time loop unrolled (a known sequence length).
        /// </summary>
        IReadOnlyList<string> IOnnxMultiExportable.ExportOnnx(OnnxExportContext context, IReadOnlyList<OnnxValue> inputs)
        {
            ArgumentNullException.ThrowIfNull(context);
            ArgumentNullException.ThrowIfNull(inputs);
            if (Stateful)
                throw context.Unsupported("it is stateful (stateful=True): the states it carries from one call to the next are not " +
                    "exported. Export a copy built with stateful=False, passing the states as inputs if needed.");
            ThrowIfMasked(context, this);
            if (this is RNN)
                throw context.Unsupported("it runs a cell (RNN): only SimpleRNN, LSTM, GRU and ConvLSTM2D have an ONNX form.");
            if (inputs.Count != 1 && inputs.Count != 1 + StateCount)
                throw context.Unsupported($"it takes the sequence and {StateCount} initial state(s); received {inputs.Count} inputs.");
            var kernel = _kernel ?? throw context.Unsupported("it is not built (its weights do not exist yet).");
            if (this is Infrastructure.BaseConvLSTM convLstm)
                return convLstm.ExportUnrolledOnnx(context, inputs);
            var form = OnnxForm(context);

            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var order = tensor(form.GateOrder, ScalarType.Int64);
            var w = context.Weight(Reorder(kernel, order).t().unsqueeze(0), "W");
            var r = context.Weight(Reorder(_recurrentKernel!, order).t().unsqueeze(0), "R");
            var nodeInputs = new List<string> { context.Transpose(inputs[0].Name, 1, 0, 2), w, r };
            // B = [input bias, recurrent bias]: zeros without a bias (use_bias=False).
            var zero = zeros(GateCount * Units, dtype: kernel.dtype);
            var (inputBias, recurrentBias) = form.Biases;
            var b = cat(new[] { Reorder(inputBias ?? zero, order), Reorder(recurrentBias ?? zero, order) }, 0).unsqueeze(0);
            nodeInputs.Add(context.Weight(b, "B"));
            if (inputs.Count > 1)
            {
                nodeInputs.Add(""); // sequence_lens: every sequence has all its steps
                nodeInputs.AddRange(inputs.Skip(1).Select(s => context.Unsqueeze(s.Name, 0)));
            }

            var attributes = new OnnxAttributes
            {
                { "hidden_size", (long)Units },
                { "direction", GoBackwards ? "reverse" : "forward" },
                { "activations", form.Activations.Select(a => a.Name) },
            };
            var alphas = form.Activations.Where(a => a.Alpha is not null).Select(a => a.Alpha!.Value).ToArray();
            var betas = form.Activations.Where(a => a.Beta is not null).Select(a => a.Beta!.Value).ToArray();
            if (alphas.Length > 0)
                attributes.Add("activation_alpha", alphas);
            if (betas.Length > 0)
                attributes.Add("activation_beta", betas);
            if (form.LinearBeforeReset is bool linearBeforeReset)
                attributes.Add("linear_before_reset", linearBeforeReset ? 1L : 0L);
            var outputs = context.Nodes(form.OpType, nodeInputs, 1 + StateCount, attributes);

            var results = new List<string>();
            if (ReturnSequences)
            {
                // Y is (timesteps, 1, batch, units) in input order; Keras returns a backward layer's outputs in processing order.
                var y = context.Squeeze(outputs[0], 1);
                if (GoBackwards)
                    y = ReverseOnnx(context, y, 0);
                results.Add(context.Transpose(y, 1, 0, 2));
            }
            else
            {
                results.Add(context.Squeeze(outputs[1], 0));
            }
            if (ReturnState)
                results.AddRange(outputs.Skip(1).Select(state => context.Squeeze(state, 0)));
            return results;
        }

        /// <summary>Throws when a call of <paramref name="layer"/> in a model received a mask (from Masking, Embedding(maskZero),
        /// ...): the exported graph would ignore it.</summary>
        internal static void ThrowIfMasked(OnnxExportContext context, Layer layer)
        {
            if (layer.InboundNodes.Any(node => node.Inputs.Length > 0 && KerasMask.Get(node.Inputs[0]) is not null))
                throw context.Unsupported("its input sequence carries a mask (from Masking, Embedding(maskZero: true) or another " +
                    "masking layer), and masks are not exported: the exported graph would run every time step.");
        }

        /// <summary><paramref name="x"/> reversed along <paramref name="axis"/> (a <c>Slice</c> with step -1).</summary>
        internal static string ReverseOnnx(OnnxExportContext context, string x, long axis)
            => context.Node("Slice", x, context.Int64s(-1), context.Int64s(long.MinValue), context.Int64s(axis), context.Int64s(-1));

        /// <summary>The gate blocks of the last axis of <paramref name="weight"/> (<c>(..., gates * units)</c>) in
        /// <paramref name="order"/>.</summary>
        private Tensor Reorder(Tensor weight, Tensor order)
        {
            var shape = weight.shape;
            var blocks = weight.reshape(shape.SkipLast(1).Concat(new long[] { GateCount, Units }).ToArray());
            return blocks.index_select(blocks.ndim - 2, order).reshape(shape);
        }

        /// <summary>The ONNX operator this layer is written as, or an Unsupported exception naming what ONNX cannot express.</summary>
        private OnnxRecurrentForm OnnxForm(OnnxExportContext context)
        {
            switch (this)
            {
                case SimpleRNN:
                    return new OnnxRecurrentForm("RNN", new long[] { 0 }, new[] { OnnxActivation(context, Activation, "activation") },
                        (Bias, null), null);
                case LSTM lstm:
                {
                    var gate = OnnxActivation(context, lstm.RecurrentActivation, "recurrent_activation");
                    var act = OnnxActivation(context, Activation, "activation");
                    // Keras i, f, c, o; ONNX i, o, f, c.
                    return new OnnxRecurrentForm("LSTM", new long[] { 0, 3, 1, 2 }, new[] { gate, act, act }, (Bias, null), null);
                }
                case GRU gru:
                {
                    var gate = OnnxActivation(context, gru.RecurrentActivation, "recurrent_activation");
                    var act = OnnxActivation(context, Activation, "activation");
                    var biases = Bias is null ? ((Tensor?)null, (Tensor?)null) : gru.ResetAfter ? (Bias[0], Bias[1]) : (Bias, null);
                    return new OnnxRecurrentForm("GRU", new long[] { 0, 1, 2 }, new[] { gate, act }, biases, gru.ResetAfter);
                }
                default:
                    throw context.Unsupported($"it is a custom recurrent layer ({GetType().Name}); only SimpleRNN, LSTM and GRU have an " +
                        "ONNX form. Implement IOnnxMultiExportable on it to take part in the export.");
            }
        }

        /// <summary>The name (and alpha, beta) under which ONNX's recurrent operators know <paramref name="activation"/>.</summary>
        private static OnnxRecurrentActivation OnnxActivation(OnnxExportContext context, Activation activation, string argument)
        {
            string? name = Activations.IsBuiltIn(activation) ? activation.Name : null;
            return name switch
            {
                "tanh" => new("Tanh", null, null),
                "sigmoid" => new("Sigmoid", null, null),
                "relu" => new("Relu", null, null),
                "linear" => new("Affine", 1f, 0f),
                "hard_sigmoid" => new("HardSigmoid", 1f / 6f, 0.5f),
                "legacy_hard_sigmoid" => new("HardSigmoid", 0.2f, 0.5f),
                "elu" => new("Elu", 1f, null),
                "leaky_relu" => new("LeakyRelu", 0.2f, null),
                "softsign" => new("Softsign", null, null),
                "softplus" => new("Softplus", null, null),
                _ => throw context.Unsupported($"its {argument} '{activation.Name}' is not one ONNX's recurrent operators accept " +
                    "(tanh, sigmoid, relu, linear, hard_sigmoid, legacy_hard_sigmoid, elu, leaky_relu, softsign, softplus)."),
            };
        }

        private sealed record OnnxRecurrentActivation(string Name, float? Alpha, float? Beta);

        /// <param name="OpType">RNN, LSTM or GRU.</param>
        /// <param name="GateOrder">For each ONNX gate block, the Keras gate block it is.</param>
        /// <param name="Activations">ONNX's activations (f, g, h) of one direction.</param>
        /// <param name="Biases">The bias added to the input projection and the one added to the recurrent product (Keras order).</param>
        /// <param name="LinearBeforeReset">GRU's linear_before_reset (Keras's reset_after); null for the other operators.</param>
        private sealed record OnnxRecurrentForm(string OpType, long[] GateOrder, OnnxRecurrentActivation[] Activations,
            (Tensor? Input, Tensor? Recurrent) Biases, bool? LinearBeforeReset);
    }
}
