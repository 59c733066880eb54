using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Onnx;
using Microsoft.ML.Model.OnnxConverter;
using static TorchSharp.torch;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Microsoft.ML.Layers.Estimators
{
    /// <summary>
    /// Writes what <see cref="NetworkScorer"/> computes into ML.NET's ONNX context (<c>mlContext.Model.ConvertToOnnx</c>): the
    /// feature columns cast as <see cref="ColumnBuffer"/> feeds them, the network through the core exporter, then the added
    /// columns exactly as <see cref="ScoreColumns.Compute"/> derives them (regression <c>Score</c>; binary <c>Score</c>,
    /// <c>Probability</c>, <c>PredictedLabel</c>; multiclass <c>Score</c> and <c>PredictedLabel</c>; a feature extraction's
    /// output column).
    /// </summary>
    internal static class NetworkOnnxWriter
    {
        /// <summary>The opset the network is written in: ML.NET's converter writes opset 12 at most, this library 12 at least.</summary>
        public const int Opset = OnnxOpset.Minimum;

        private const string Prefix = "NeuralNetwork/";

        /// <summary>Writes the scorer's added columns into <paramref name="ctx"/>, reading the feature columns from it.</summary>
        /// <exception cref="NotSupportedException">A feature column or a layer of the network that ONNX cannot take; the message
        /// names it.</exception>
        public static void Write(OnnxContext ctx, NetworkScorer scorer, DataViewSchema added)
        {
            ctx.CheckOpSetVersion(Opset, "NeuralNetwork");
            var model = scorer.Model;
            var network = model.Network;
            if (network is Sequential { BuildShapes: null } && scorer.Inputs is [{ IsVariableLength: false } only])
            {
                // A Sequential without an Input is built by its first batch (what Transform would run): build it on one row.
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                network.ApplyAll(zeros(1, only.Width, dtype: only.TensorType), training: false);
            }
            var networkInputs = OnnxGraphWriter.Inputs(network);
            if (networkInputs.Count != scorer.Inputs.Count)
                throw new InvalidOperationException($"Network '{network.Name}' has {networkInputs.Count} inputs but is fed " +
                    $"{scorer.Inputs.Count} columns.");
            var bound = new Dictionary<string, string>(StringComparer.Ordinal);
            var entry = new List<string>();
            for (int i = 0; i < scorer.Inputs.Count; i++)
            {
                var column = scorer.Inputs[i];
                string name = column.Column.Name;
                if (column.IsVariableLength)
                    throw new NotSupportedException($"Cannot export the neural network to ONNX: the feature column '{name}' is a " +
                        $"vector of variable size ({column.Column.Type}); its rows are padded and masked, and masks are not exported. " +
                        "Give the column a fixed size.");
                if (!ctx.ContainsColumn(name))
                    throw new NotSupportedException($"Cannot export the neural network to ONNX: the feature column '{name}' has no " +
                        "ONNX value, so the pipeline step that makes it cannot be exported to ONNX.");
                bool integral = network is Sequential { InputLayerOrNull: null } ? column.IsIntegral
                    : !DTypes.IsFloating(networkInputs[i].DType);
                var cast = ctx.AddIntermediateVariable(null, Prefix + name, skip: true);
                var node = ctx.CreateNode("Cast", ctx.GetVariableName(name), cast, ctx.GetNodeName("Cast"), "");
                node.AddAttribute("to", (long)(integral ? DataType.Int64 : DataType.Float));
                string placeholder = $"{Prefix}input{i}";
                bound[placeholder] = cast;
                entry.Add(placeholder);
            }

            var fragment = OnnxGraphWriter.Write(network, entry, Opset, Prefix, Array.Empty<string>());
            var names = OnnxContextReplay.Replay(ctx, fragment.Graph, bound);
            var writer = new Writer(ctx);
            var output = names[fragment.Outputs[0]];
            var rank = fragment.OutputShapes[0].Rank;
            if (rank == 1)
                output = writer.Node("Unsqueeze", new[] { output }, n => n.AddAttribute("axes", new long[] { 1 }));
            else if (rank > 2 && model.Task != NeuralNetworkTask.FeatureExtraction)
                throw new NotSupportedException($"Cannot export the neural network to ONNX: network '{network.Name}' outputs " +
                    $"{fragment.OutputShapes[0]}; a {model.Task} network is exported when it outputs (batch, values).");

            switch (model.Task)
            {
                case NeuralNetworkTask.Regression:
                    writer.Column(added[0], writer.FirstColumn(output));
                    break;
                case NeuralNetworkTask.BinaryClassification:
                {
                    var first = writer.FirstColumn(output);
                    string probability, score;
                    if (model.OutputsProbabilities)
                    {
                        // ScoreColumns: the logit of the probability clamped to [1e-7, 1 - 1e-7].
                        probability = first;
                        var clamped = writer.Node("Clip", new[] { first, Scalar(ctx, (float)1e-7, "low"),
                            Scalar(ctx, (float)(1 - 1e-7), "high") });
                        var complement = writer.Node("Sub", new[] { Scalar(ctx, 1f, "one"), clamped });
                        score = writer.Node("Log", new[] { writer.Node("Div", new[] { clamped, complement }) });
                    }
                    else
                    {
                        score = first;
                        probability = writer.Node("Sigmoid", new[] { first });
                    }
                    writer.Column(added["Score"], score);
                    writer.Column(added["Probability"], probability);
                    writer.Column(added["PredictedLabel"], writer.Node("Greater", new[] { probability, Scalar(ctx, 0.5f, "half") }));
                    break;
                }
                case NeuralNetworkTask.MulticlassClassification:
                {
                    var probabilities = model.OutputsProbabilities ? output
                        : writer.Node("Softmax", new[] { output }, n => n.AddAttribute("axis", 1L));
                    // ScoreColumns.PredictedKeys: one plus the index of the largest score, the first of equal scores.
                    var index = writer.Node("ArgMax", new[] { probabilities }, n =>
                    {
                        n.AddAttribute("axis", 1L);
                        n.AddAttribute("keepdims", 1L);
                    });
                    var key = writer.Node("Add", new[] { index, ctx.AddInitializer(1L, Prefix + "one") });
                    writer.Column(added["Score"], probabilities);
                    writer.Column(added["PredictedLabel"],
                        writer.Node("Cast", new[] { key }, n => n.AddAttribute("to", (long)DataType.Uint32)));
                    break;
                }
                default:
                    writer.Column(added[0], rank > 2 ? writer.Node("Flatten", new[] { output }, n => n.AddAttribute("axis", 1L)) : output);
                    break;
            }
        }

        /// <summary>A float32 scalar (rank 0, as <c>Clip</c>'s bounds must be).</summary>
        private static string Scalar(OnnxContext ctx, float value, string name) => ctx.AddInitializer(value, Prefix + name);

        /// <summary>Writes nodes with outputs named by the context.</summary>
        private sealed class Writer
        {
            private readonly OnnxContext _ctx;

            public Writer(OnnxContext ctx) => _ctx = ctx;

            public string Node(string opType, IReadOnlyList<string> inputs, Action<OnnxNode>? attributes = null)
            {
                var output = _ctx.AddIntermediateVariable(null, Prefix + opType, skip: true);
                var node = _ctx.CreateNode(opType, inputs, new[] { output }, _ctx.GetNodeName(opType), "");
                attributes?.Invoke(node);
                return output;
            }

            /// <summary>The first value of each row, as a (batch, 1) column (<c>values[.., 0]</c>).</summary>
            public string FirstColumn(string values) => Node("Slice", new[]
            {
                values, Int64s(0, "starts"), Int64s(1, "ends"), Int64s(1, "axes"),
            });

            private string Int64s(long value, string name) => _ctx.AddInitializer(new[] { value }, new long[] { 1 }, Prefix + name);

            /// <summary>Makes <paramref name="value"/> the ONNX value of <paramref name="column"/>.</summary>
            public void Column(DataViewSchema.Column column, string value)
            {
                var output = _ctx.AddIntermediateVariable(column.Type, column.Name);
                _ctx.CreateNode("Identity", value, output, _ctx.GetNodeName("Identity"), "");
            }
        }
    }
}
