using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.Layers.Benchmarks
{
    /// <summary>
    /// Streaming only (issue 18): the raw TorchSharp loop, the trainer streaming a binary IDV, and a bare shuffled cursor pass
    /// over the same file (the floor of reading: getters only, no tensors, no training), interleaved in rounds. Quicker than
    /// the full training section, so it can be repeated to give a range.
    /// </summary>
    public static class StreamingReport
    {
        public static IEnumerable<(string Name, string Value)> Run()
        {
            var benchmark = new TrainingThroughputBenchmarks();
            benchmark.Setup();
            try
            {
                var data = benchmark.Data;
                var variants = new (string Name, Action Run)[]
                {
                    ("(a) raw TorchSharp loop", benchmark.RawTorchSharp),
                    ("(c) trainer, in-memory IDataView", benchmark.TrainerInMemory),
                    ("(d) trainer, streaming binary IDV, read on the training thread", () => benchmark.Stream(prefetch: false)),
                    ("(d') trainer, streaming binary IDV, next batch read on a reader thread", () => benchmark.Stream(prefetch: true)),
                    ("(r) shuffled cursor pass only, no training", () => CursorPass(data.FromIdvFile, BenchmarkSettings.Epochs)),
                    ("(s) sequential cursor pass only, no training", () => CursorPass(data.FromIdvFile, BenchmarkSettings.Epochs, shuffled: false)),
                };
                int rounds = BenchmarkSettings.Quick ? 2 : 7;
                var medians = Interleaved.MedianMilliseconds(variants.Select(v => v.Run).ToList(), rounds, collectFirst: true);
                double rows = BenchmarkSettings.Rows * (double)BenchmarkSettings.Epochs;
                for (int v = 0; v < variants.Length; v++)
                {
                    yield return ($"{variants[v].Name}: rows/s (ratio to (a)), µs/row, median of {rounds} interleaved rounds",
                        $"{rows / (medians[v] / 1e3):N0}  ({medians[0] / medians[v]:0.00})  {medians[v] * 1e3 / rows:0.00}");
                }
            }
            finally
            {
                benchmark.Cleanup();
            }
        }

        /// <summary>Reads every row's features and label through a randomly ordered cursor, <paramref name="epochs"/> times.</summary>
        private static void CursorPass(IDataView data, int epochs, bool shuffled = true)
        {
            for (int epoch = 0; epoch < epochs; epoch++)
            {
                var features = data.Schema["Features"];
                var label = data.Schema["Label"];
                using var cursor = data.GetRowCursor(new[] { features, label }, shuffled ? new Random(epoch + 1) : null);
                var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
                var getLabel = cursor.GetGetter<float>(label);
                var buffer = default(VBuffer<float>);
                float y = 0, sum = 0;
                while (cursor.MoveNext())
                {
                    getFeatures(ref buffer);
                    getLabel(ref y);
                    sum += buffer.GetValues()[0] + y;
                }
                GC.KeepAlive(sum);
            }
        }
    }
}
