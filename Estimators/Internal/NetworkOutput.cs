using System.Linq;

namespace Microsoft.ML.Layers.Estimators
{
    /// <summary>
    /// What a network really outputs, read from its structure rather than from a config key: the layer that computes its
    /// (first) output, found through nested Sequential and functional models, and whether that layer ends in a softmax or
    /// sigmoid (then the outputs are probabilities, otherwise logits).
    /// </summary>
    internal static class NetworkOutput
    {
        /// <summary>Nesting deeper than this is not followed (a guard against cycles; real models nest a few levels).</summary>
        private const int MaxDepth = 1000;

        /// <summary>
        /// Whether the network's first output is probabilities: the layer computing it is a <see cref="Softmax"/> layer over the
        /// last axis, an <see cref="ActivationLayer"/> with <c>softmax</c> or <c>sigmoid</c>, or a <see cref="Dense"/>,
        /// <see cref="EinsumDense"/>, convolution or <see cref="SimpleRNN"/> whose activation is one of those.
        /// </summary>
        internal static bool IsProbabilities(Layer network) => OutputLayer(network) is { } layer && EndsInProbabilities(layer);

        /// <summary>
        /// The layer that computes the network's first output: a Sequential's last layer, a functional model's output node's
        /// layer, followed into nested models; the network itself when it is neither (a plain or subclassed layer); null when
        /// the output cannot be traced.
        /// </summary>
        internal static Layer? OutputLayer(Layer network)
        {
            Layer layer = network;
            int outputIndex = 0;
            for (int depth = 0; depth < MaxDepth; depth++)
            {
                switch (layer)
                {
                    case Sequential sequential:
                        var last = sequential.Layers.LastOrDefault();
                        if (last is null)
                            return null;
                        layer = last;
                        outputIndex = 0;
                        break;
                    case Model { Graph: { } graph }:
                        if (outputIndex >= graph.Outputs.Count || !KerasTensor.TryInfo(graph.Outputs[outputIndex], out var info)
                            || info.Node is null)
                            return null;
                        layer = info.Node.Layer;
                        outputIndex = info.OutputIndex;
                        break;
                    default:
                        return layer;
                }
            }
            return null;
        }

        private static bool EndsInProbabilities(Layer layer) => layer switch
        {
            Softmax softmax => softmax.Axis is { Count: 1 } axes && axes[0] is -1 or 1,
            ActivationLayer activation => IsProbabilityFunction(activation.Activation),
            Dense dense => IsProbabilityFunction(dense.Activation),
            EinsumDense einsum => IsProbabilityFunction(einsum.Activation),
            BaseConvolution convolution => IsProbabilityFunction(convolution.Activation),
            // SimpleRNN's output is activation(...); LSTM's and GRU's mix it with gates, so theirs are not probabilities.
            SimpleRNN rnn => IsProbabilityFunction(rnn.Activation),
            _ => false,
        };

        /// <summary>By name, so <c>Activations.Softmax</c>, <c>Activations.Get("softmax")</c> and <c>"softmax"</c> are the same.</summary>
        private static bool IsProbabilityFunction(Activation? activation) => activation?.Name is "softmax" or "sigmoid";
    }
}
