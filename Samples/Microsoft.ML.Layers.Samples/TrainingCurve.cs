using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Layers.Samples
{
    /// <summary>
    /// Draws the loss (left axis) and a metric (right axis) per epoch, for training and, when present, validation, with
    /// ScottPlot.
    /// </summary>
    public static class TrainingCurve
    {
        public static void Write(string path, string title, IReadOnlyList<IReadOnlyDictionary<string, double>> epochs, string metric)
        {
            var plot = new ScottPlot.Plot();
            double[] x = Enumerable.Range(1, epochs.Count).Select(e => (double)e).ToArray();
            foreach (var (series, rightAxis) in new[] { ("loss", false), ("val_loss", false), (metric, true), ("val_" + metric, true) })
            {
                if (!epochs.All(e => e.ContainsKey(series)))
                    continue;
                var line = plot.Add.Scatter(x, epochs.Select(e => e[series]).ToArray());
                line.LegendText = series;
                if (rightAxis)
                    line.Axes.YAxis = plot.Axes.Right;
            }
            plot.Title(title);
            plot.XLabel("epoch");
            plot.YLabel("loss");
            plot.Axes.Right.Label.Text = metric;
            plot.ShowLegend();
            plot.SavePng(path, 900, 560);
        }
    }
}
