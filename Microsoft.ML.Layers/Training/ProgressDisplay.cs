using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Keras's training output for <c>verbose</c>: 1 draws a progress bar per epoch on a terminal (one line per epoch when
    /// the output is redirected); 2 writes one line per epoch; 0 writes nothing.
    /// </summary>
    internal sealed class ProgressDisplay
    {
        private readonly int _verbose;
        private readonly TextWriter _output;
        private readonly bool _interactive;
        private readonly int _epochs;
        private readonly Stopwatch _epochClock = new();
        private long _lastDraw;

        public ProgressDisplay(int verbose, int epochs, TextWriter? output = null)
        {
            if (verbose is < 0 or > 2)
                throw new ArgumentOutOfRangeException(nameof(verbose), $"`verbose` must be 0, 1 or 2. Received: verbose={verbose}");
            _verbose = verbose;
            _epochs = epochs;
            _output = output ?? Console.Out;
            _interactive = output is null && !Console.IsOutputRedirected && verbose == 1;
        }

        public void EpochBegin(int epoch)
        {
            _epochClock.Restart();
            _lastDraw = 0;
            if (_verbose > 0 && _interactive)
                _output.WriteLine($"Epoch {epoch + 1}/{_epochs}");
        }

        public void BatchEnd(int batch, int? steps, IReadOnlyDictionary<string, double> logs)
        {
            if (!_interactive)
                return;
            long now = _epochClock.ElapsedMilliseconds;
            if (now - _lastDraw < 100 && batch + 1 != steps)
                return;
            _lastDraw = now;
            string bar = steps is int total ? Bar(batch + 1, total) + " " : "";
            _output.Write($"\r{batch + 1}/{(steps?.ToString(CultureInfo.InvariantCulture) ?? "Unknown")} " +
                $"{bar}{Timing(batch + 1)}{Logs(logs)}   ");
        }

        public void EpochEnd(int epoch, int batches, int? steps, IReadOnlyDictionary<string, double> logs)
        {
            if (_verbose == 0)
                return;
            string line = $"{batches}/{steps ?? batches} " +
                $"{(_interactive && steps is int total ? Bar(batches, total) + " " : "")}{Timing(batches)}{Logs(logs)}";
            if (_interactive)
                _output.WriteLine("\r" + line + "   ");
            else
                _output.WriteLine($"Epoch {epoch + 1}/{_epochs} - " + line);
        }

        private string Timing(int batches)
        {
            double seconds = _epochClock.Elapsed.TotalSeconds;
            double perStep = batches == 0 ? 0 : seconds * 1000 / batches;
            return $"{Math.Round(seconds).ToString(CultureInfo.InvariantCulture)}s " +
                $"{perStep.ToString("0", CultureInfo.InvariantCulture)}ms/step";
        }

        private static string Logs(IReadOnlyDictionary<string, double> logs)
            => string.Concat(logs.OrderBy(p => p.Key.StartsWith("val_", StringComparison.Ordinal))
                .ThenBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => $" - {p.Key}: {p.Value.ToString("0.0000", CultureInfo.InvariantCulture)}"));

        private static string Bar(int done, int total)
        {
            const int width = 20;
            int filled = total == 0 ? width : (int)((long)done * width / total);
            return new string('━', filled) + new string('─', width - filled);
        }
    }
}
