using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Benchmarks
{
    /// <summary>
    /// Issue 18: LSTM and GRU layers (batch 64, 100 steps, 128 -> 256, return_sequences) against the same computation written
    /// directly with TorchSharp's <c>nn.LSTM</c>/<c>nn.GRU</c>: inference (no grad) and forward+backward, with and without a
    /// right-padded mask (random lengths; the raw side packs the sequence). Interleaved rounds in one process; ratio = raw time /
    /// our time (1.0 = raw speed).
    /// </summary>
    internal static class RecurrentBenchmarks
    {
        private const int Batch = 64, Steps = 100, Features = 128, Units = 256;

        public static IEnumerable<(string Name, string Value)> Run()
        {
            manual_seed(7);
            var x = randn(Batch, Steps, Features);
            var lengthArray = Enumerable.Range(0, Batch).Select(_ => (long)Random.Shared.Next(1, Steps + 1)).ToArray();
            var lengths = tensor(lengthArray);
            var mask = arange(Steps).unsqueeze(0) < lengths.unsqueeze(1);
            int rounds = BenchmarkSettings.Quick ? 3 : 15;
            foreach (string kind in new[] { "LSTM", "GRU" })
            {
                RecurrentLayer layer = kind == "LSTM" ? new LSTM(Units, returnSequences: true) : new GRU(Units, returnSequences: true);
                layer.EnsureBuilt(new Shape(Batch, Steps, Features));
                nn.Module raw = kind == "LSTM" ? nn.LSTM(Features, Units, batchFirst: true) : nn.GRU(Features, Units, batchFirst: true);
                Tensor RawForward(bool masked)
                {
                    if (!masked)
                        return raw is TorchSharp.Modules.LSTM l ? l.call(x).Item1 : ((TorchSharp.Modules.GRU)raw).call(x).Item1;
                    using var packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first: true, enforce_sorted: false);
                    var output = raw is TorchSharp.Modules.LSTM lstm ? lstm.call(packed).Item1
                        : ((TorchSharp.Modules.GRU)raw).call(packed).Item1;
                    using (output)
                        return nn.utils.rnn.pad_packed_sequence(output, batch_first: true, total_length: Steps).Item1;
                }
                foreach (bool masked in new[] { false, true })
                {
                    foreach (bool train in new[] { false, true })
                    {
                        void Ours()
                        {
                            using var scope = NewDisposeScope();
                            if (!train)
                            {
                                using var noGrad = no_grad();
                                layer.Apply(x, false, masked ? mask : null);
                                return;
                            }
                            layer.Apply(x, true, masked ? mask : null).sum().backward();
                        }
                        void Raw()
                        {
                            using var scope = NewDisposeScope();
                            if (!train)
                            {
                                using var noGrad = no_grad();
                                RawForward(masked);
                                return;
                            }
                            RawForward(masked).sum().backward();
                        }
                        var medians = Interleaved.MedianMilliseconds(new Action[] { Raw, Ours }, rounds);
                        double target = masked ? 0.6 : train ? 0.8 : 0.9;
                        string name = $"{kind} {(train ? "forward+backward" : "inference")}{(masked ? ", right-padded mask" : "")}: " +
                            $"raw ms / ours ms (ratio, target >= {target:0.0}), median of {rounds} interleaved rounds";
                        yield return (name, $"{medians[0]:0.0} / {medians[1]:0.0}  ({medians[0] / medians[1]:0.00})");
                    }
                }
                raw.Dispose();
            }
        }
    }
}
