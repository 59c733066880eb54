using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Microsoft.ML.Layers
{
    /// <summary>Keras's <c>model.summary()</c> table: layer and type, output shape, parameter count, and for functional models the layers
    /// each one is connected to.</summary>
    internal static class ModelSummary
    {
        public static string Render(Model model, int width)
        {
            bool functional = model.Graph is not null;
            var rows = Rows(model, functional).ToList();
            var columns = functional ? new[] { "Layer (type)", "Output Shape", "Param #", "Connected to" }
                : new[] { "Layer (type)", "Output Shape", "Param #" };
            var widths = columns.Select((c, i) => Math.Max(c.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length)) + 2).ToArray();
            int total = Math.Max(width, widths.Sum());

            var text = new StringBuilder();
            text.AppendLine($"Model: \"{model.Name}\"");
            text.AppendLine(new string('_', total));
            text.AppendLine(Line(columns, widths));
            text.AppendLine(new string('=', total));
            for (int i = 0; i < rows.Count; i++)
            {
                text.AppendLine(Line(rows[i], widths));
                text.AppendLine(i == rows.Count - 1 ? new string('=', total) : new string('_', total));
            }
            if (rows.Count == 0)
                text.AppendLine(new string('=', total));

            var weights = model.Weights;
            long trainable = model.TrainableWeights.Sum(w => w.numel());
            long all = weights.Sum(w => w.numel());
            long trainableBytes = model.TrainableWeights.Sum(w => w.numel() * w.ElementSize);
            long allBytes = weights.Sum(w => w.numel() * w.ElementSize);
            text.AppendLine($"Total params: {Count(all)} ({Bytes(allBytes)})");
            text.AppendLine($"Trainable params: {Count(trainable)} ({Bytes(trainableBytes)})");
            text.AppendLine($"Non-trainable params: {Count(all - trainable)} ({Bytes(allBytes - trainableBytes)})");
            text.AppendLine(new string('_', total));
            return text.ToString();
        }

        private static IEnumerable<string[]> Rows(Model model, bool functional)
        {
            var sequentialShapes = model is Sequential sequential ? sequential.LayerOutputShapes : null;
            var layers = model.Layers;
            for (int i = 0; i < layers.Count; i++)
            {
                var layer = layers[i];
                string name = $"{layer.Name} ({layer.GetType().Name})";
                string shape = sequentialShapes is not null && i < sequentialShapes.Count ? sequentialShapes[i].ToString()
                    : OutputShape(model, layer);
                string parameters = layer.Built ? Count(layer.CountParams()) : "0 (unbuilt)";
                if (!functional)
                {
                    yield return new[] { name, shape, parameters };
                    continue;
                }
                var nodes = model.Graph!.Nodes.Where(n => n.Layer == layer).ToList();
                string connected = string.Join(", ", nodes.SelectMany(n => n.Inputs).Select(t =>
                {
                    var info = KerasTensor.Info(t);
                    return $"{info.Node!.Layer.Name}[{info.Node.Index}][{info.OutputIndex}]";
                }));
                yield return new[] { name, shape, parameters, connected.Length == 0 ? "-" : connected };
            }
        }

        private static string OutputShape(Model model, Layer layer)
        {
            if (model.Graph is FunctionalGraph graph)
            {
                var outputs = layer is InputLayer input ? new[] { input.Output }
                    : graph.Nodes.Where(n => n.Layer == layer).SelectMany(n => n.Outputs).ToArray();
                var shapes = outputs.Select(o => KerasTensor.ShapeOf(o).ToString()).Distinct().ToList();
                return shapes.Count == 1 ? shapes[0] : shapes.Count == 0 ? "?" : "multiple";
            }
            if (!layer.Built || layer.BuildShapes is null)
                return "?";
            try
            {
                return layer.ComputeOutputShape(layer.BuildShapes.Select(s => s.With(0, Shape.Unknown)).ToList()).ToString();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                return "?";
            }
        }

        private static string Line(IReadOnlyList<string> cells, int[] widths)
            => " " + string.Concat(cells.Select((c, i) => c.PadRight(widths[i]))).TrimEnd();

        private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

        private static string Bytes(long bytes)
        {
            string[] units = { "B", "KB", "MB", "GB" };
            double value = bytes;
            int unit = 0;
            while (value >= 1024 && unit < units.Length - 1)
            {
                value /= 1024;
                unit++;
            }
            return value.ToString("0.00", CultureInfo.InvariantCulture) + " " + units[unit];
        }
    }
}
