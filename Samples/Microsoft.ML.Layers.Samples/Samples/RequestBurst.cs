using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Microsoft.ML.Layers.Samples
{
    /// <summary>
    /// A bounded burst of requests to one route over loopback: <c>count</c> POSTs, <c>concurrency</c> in flight at a time,
    /// each answer compared with the offline score of the same row, each request timed on the client (send to answer read).
    /// </summary>
    public static class RequestBurst
    {
        /// <summary>|answer - offline| may be at most this, relative to the score (absolute below 1).</summary>
        public const double Tolerance = 1e-5;

        public static bool Run(HttpClient client, string route, TaxiTrip[] rows, float[] expected, int count, int concurrency)
        {
            // A short unmeasured warm-up: the first requests pay for JIT compilation and for filling the connection pool.
            Send(client, route, rows, expected, Math.Min(count, 4 * concurrency), concurrency);
            var clock = Stopwatch.StartNew();
            var (latencies, matched, worst) = Send(client, route, rows, expected, count, concurrency);
            double seconds = clock.Elapsed.TotalSeconds;
            Array.Sort(latencies);
            var ms = (double q) => Percentile(latencies, q).ToString("0.000", CultureInfo.InvariantCulture);
            Console.WriteLine($"route {route}: {matched}/{count} answers matched offline scoring (largest difference " +
                $"{worst.ToString("G3", CultureInfo.InvariantCulture)}); latency p50 {ms(0.50)} ms, p99 {ms(0.99)} ms; " +
                $"{(count / seconds).ToString("0", CultureInfo.InvariantCulture)} requests/s with {concurrency} concurrent");
            return matched == count;
        }

        private static (double[] Latencies, int Matched, double Worst) Send(HttpClient client, string route, TaxiTrip[] rows,
            float[] expected, int count, int concurrency)
        {
            var latencies = new double[count];
            int matched = 0, mismatched = 0;
            long worstBits = 0;
            var options = new ParallelOptions { MaxDegreeOfParallelism = concurrency };
            Parallel.ForEachAsync(Enumerable.Range(0, count), options, async (i, cancel) =>
            {
                int row = i % rows.Length;
                var start = Stopwatch.GetTimestamp();
                using var response = await client.PostAsJsonAsync(route, rows[row], cancel);
                response.EnsureSuccessStatusCode();
                var answer = await response.Content.ReadFromJsonAsync<TaxiFarePrediction>(cancel)
                    ?? throw new InvalidOperationException($"{route}: an empty answer for row {row}.");
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                double difference = Math.Abs(answer.Score - (double)expected[row]);
                if (difference <= Tolerance * Math.Max(1, Math.Abs(expected[row])))
                    Interlocked.Increment(ref matched);
                else if (Interlocked.Increment(ref mismatched) <= 10)
                    Console.WriteLine($"  {route}: row {row} answered {answer.Score:R}, offline scoring gave {expected[row]:R}");
                long bits = BitConverter.DoubleToInt64Bits(difference);
                long seen;
                while ((seen = Interlocked.Read(ref worstBits)) < bits && Interlocked.CompareExchange(ref worstBits, bits, seen) != seen)
                {
                }
            }).GetAwaiter().GetResult();
            return (latencies, matched, BitConverter.Int64BitsToDouble(worstBits));
        }

        /// <summary>The nearest-rank percentile of sorted values.</summary>
        private static double Percentile(double[] sorted, double quantile)
            => sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
