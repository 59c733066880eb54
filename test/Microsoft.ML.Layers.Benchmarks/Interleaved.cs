using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace Microsoft.ML.Layers.Benchmarks
{
    /// <summary>
    /// Interleaved rounds: every variant once per round, so that all of them see the same machine (this machine's speed
    /// drifts over minutes; BenchmarkDotNet runs each benchmark's iterations back to back, so its ratios carry the drift).
    /// </summary>
    internal static class Interleaved
    {
        /// <summary>Runs each variant once to warm up, then <paramref name="rounds"/> rounds of all of them in turn (a full
        /// collection before each run when <paramref name="collectFirst"/>); returns each variant's median milliseconds.</summary>
        public static double[] MedianMilliseconds(IReadOnlyList<Action> variants, int rounds, bool collectFirst = false)
        {
            var times = variants.Select(_ => new List<double>()).ToArray();
            foreach (var run in variants)
                run();
            for (int round = 0; round < rounds; round++)
            {
                for (int v = 0; v < variants.Count; v++)
                {
                    if (collectFirst)
                        GC.Collect();
                    var clock = Stopwatch.StartNew();
                    variants[v]();
                    times[v].Add(clock.Elapsed.TotalMilliseconds);
                }
            }
            return times.Select(Median).ToArray();
        }

        /// <summary>The median (the upper one of an even count).</summary>
        public static double Median(IEnumerable<double> values)
        {
            var sorted = values.OrderBy(v => v).ToList();
            return sorted[sorted.Count / 2];
        }
    }
}
