using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Estimators;

namespace Microsoft.ML.Layers.Benchmarks
{
    /// <summary>
    /// Issue 18: the detox sample's network (Embedding(maskZero) + LSTM(16) + Dense(1), batch 16, on the 250 tokenized
    /// comments) trained by the NeuralNetwork trainer, seconds per epoch with the LSTM on its C# time loop (before) and on
    /// libtorch's fused kernel (after), interleaved rounds in one process.
    /// </summary>
    internal static class DetoxEpochBenchmark
    {
        private sealed class Comment
        {
            [LoadColumn(0)] public bool Label { get; set; }

            [LoadColumn(1)] public string Text { get; set; } = "";
        }

        public static IEnumerable<(string Name, string Value)> Run()
        {
            string? dataDirectory = Reports.FindSharedData();
            string file = dataDirectory is null ? "" : Path.Combine(dataDirectory, "wikipedia-detox-250-line-data.tsv");
            if (!File.Exists(file))
            {
                yield return ("detox epoch", "skipped: ../shared/data/wikipedia-detox-250-line-data.tsv not found");
                yield break;
            }
            var ml = new MLContext(seed: 1);
            var comments = ml.Data.LoadFromTextFile<Comment>(file, hasHeader: true, allowQuoting: true);
            var tokens = ml.Transforms.Text.NormalizeText("Normalized", "Text")
                .Append(ml.Transforms.Text.TokenizeIntoWords("Words", "Normalized"))
                .Append(ml.Transforms.Conversion.MapValueToKey("Tokens", "Words"));
            var tokenized = ml.Data.Cache(tokens.Fit(comments).Transform(comments));
            int vocabulary = (int)((KeyDataViewType)((VectorDataViewType)tokenized.Schema["Tokens"].Type).ItemType).Count;
            int epochs = BenchmarkSettings.Quick ? 1 : 5, rounds = BenchmarkSettings.Quick ? 1 : 5;

            void Train(bool native)
            {
                // The trainer fits a fresh copy of the network: the switch applies to the layers created during Fit.
                RecurrentLayer.NativeByDefault = native;
                var trainer = ml.BinaryClassification.Trainers.NeuralNetwork(
                    new Sequential(new Embedding(vocabulary + 1, 16, maskZero: true), new LSTM(16), new Dense(1)),
                    new NeuralNetworkOptions { FeatureColumnNames = new[] { "Tokens" }, Epochs = epochs, BatchSize = 16, LearningRate = 5e-3f });
                var trained = trainer.Fit(tokenized);
                var lstm = (LSTM)((Sequential)trained.Model.Network).Layers[1];
                if (native != lstm.LastCallWasNative)
                    throw new InvalidOperationException($"The detox LSTM ran {(lstm.LastCallWasNative ? "native" : "on the time loop")}, not as asked.");
            }

            var medians = Interleaved.MedianMilliseconds(new Action[] { () => Train(false), () => Train(true) }, rounds);
            RecurrentLayer.NativeByDefault = true;
            double b = medians[0] / 1e3 / epochs, a = medians[1] / 1e3 / epochs;
            yield return ($"detox sample's network, s/epoch: time loop (before) / fused kernel (after) (speed-up), median of {rounds} interleaved rounds",
                $"{b:0.000} / {a:0.000}  ({b / a:0.0}x)");
        }
    }
}
