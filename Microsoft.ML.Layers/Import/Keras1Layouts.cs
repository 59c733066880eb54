using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Import
{
    /// <summary>
    /// Keras 1 stored each recurrent gate's weights separately: LSTM as W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o,
    /// b_o and GRU as W_z, U_z, b_z, W_r, U_r, b_r, W_h, U_h, b_h. Keras 2 (and this library) concatenate them per kind
    /// (kernel, recurrent kernel, bias) in the gate order i, f, c, o and z, r, h. Other layers' weights kept their layout.
    /// </summary>
    internal static class Keras1Layouts
    {
        public static List<Tensor> Convert(Layer layer, List<Tensor> values, string? file)
        {
            // The recurrent layer may be wrapped (Bidirectional holds two, TimeDistributed one); each holds its gates in turn.
            var recurrent = Recurrent(layer).ToList();
            if (recurrent.Count == 0)
                return values;
            var result = new List<Tensor>();
            int offset = 0;
            foreach (var (gates, order) in recurrent)
            {
                int perLayer = 3 * gates;
                if (offset + perLayer > values.Count)
                    throw new KerasImportException($"Keras 1 stores {perLayer} arrays per recurrent layer; the file holds {values.Count}.",
                        file, layer.Name);
                var chunk = values.Skip(offset).Take(perLayer).ToList();
                // chunk[3g + k]: gate g (file order), kind k (0 kernel, 1 recurrent kernel, 2 bias); concatenate in Keras 2's order.
                for (int kind = 0; kind < 3; kind++)
                    result.Add(cat(order.Select(g => chunk[3 * g + kind]).ToArray(), kind == 2 ? 0 : 1));
                foreach (var v in chunk)
                    v.Dispose();
                offset += perLayer;
            }
            result.AddRange(values.Skip(offset));
            return result;
        }

        /// <summary>The recurrent layers inside <paramref name="layer"/>: their gate count and, per Keras 2 gate, its Keras 1
        /// position.</summary>
        private static IEnumerable<(int Gates, int[] Order)> Recurrent(Layer layer)
        {
            switch (layer)
            {
                // Keras 1 LSTM gate order i, c, f, o; Keras 2 wants i, f, c, o.
                case LSTM:
                    yield return (4, new[] { 0, 2, 1, 3 });
                    break;
                case GRU:
                    yield return (3, new[] { 0, 1, 2 });
                    break;
                default:
                    foreach (var inner in layer.Sublayers.SelectMany(Recurrent))
                        yield return inner;
                    break;
            }
        }
    }
}
