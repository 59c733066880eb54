using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Layers;
using Microsoft.ML.Layers.Estimators;

// The digits sample: optdigits (8x8 images of handwritten digits) with a small CNN inside an ML.NET pipeline, trained,
// evaluated on the held-out file, saved to an ML.NET model zip, reloaded, and checked to score the same. Reads
// ../shared/data when present (or --data DIR); otherwise runs on a small generated stand-in and says so.
string? dataDirectory = args.SkipWhile(a => a != "--data").Skip(1).FirstOrDefault()
    ?? new[] { Path.Combine("..", "shared", "data"), Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "..", "shared", "data") }
        .Select(Path.GetFullPath).FirstOrDefault(Directory.Exists);
bool quick = args.Contains("--quick");

var ml = new MLContext(seed: 1);
IDataView train, test;
string trainFile = dataDirectory is null ? "" : Path.Combine(dataDirectory, "optdigits-train.csv");
if (File.Exists(trainFile))
{
    Console.WriteLine($"Data: optdigits from {Path.GetFullPath(dataDirectory!)}");
    train = ml.Data.LoadFromTextFile<Digit>(trainFile, separatorChar: ',');
    test = ml.Data.LoadFromTextFile<Digit>(Path.Combine(dataDirectory!, "optdigits-test.csv"), separatorChar: ',');
}
else
{
    Console.WriteLine("Data: ../shared/data not found (pass --data DIR); using a small generated stand-in of noisy digit-like strokes.");
    train = ml.Data.LoadFromEnumerable(Digit.Generate(1500, seed: 1));
    test = ml.Data.LoadFromEnumerable(Digit.Generate(500, seed: 2));
}

var network = new Sequential(
    new Reshape(8, 8, 1),
    new Conv2D(32, kernelSize: 3, padding: "same", activation: "relu"),
    new MaxPooling2D(2),
    new Flatten(),
    new Dense(64, activation: "relu"),
    new Dense(10));
var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", "Number")
    .Append(ml.Transforms.NormalizeMinMax("Features"))
    .Append(ml.MulticlassClassification.Trainers.NeuralNetwork(network,
        new NeuralNetworkOptions { Epochs = quick ? 3 : 15, BatchSize = 64, LearningRate = 2e-3f }));

ml.Log += (_, e) => { if (e.Message.Contains("Epoch ")) Console.WriteLine("  " + e.Message.Substring(e.Message.IndexOf("Epoch ", StringComparison.Ordinal))); };
var clock = Stopwatch.StartNew();
var model = pipeline.Fit(train);
Console.WriteLine($"Trained in {clock.Elapsed.TotalSeconds:0.0} s");

var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
Console.WriteLine($"Test micro-accuracy: {metrics.MicroAccuracy:0.0000}, macro-accuracy: {metrics.MacroAccuracy:0.0000}");

string path = Path.Combine(Path.GetTempPath(), "mllayers-digits.zip");
ml.Model.Save(model, train.Schema, path);
var loaded = new MLContext().Model.Load(path, out _);
var before = model.Transform(test).GetColumn<uint>("PredictedLabel").ToArray();
var after = loaded.Transform(test).GetColumn<uint>("PredictedLabel").ToArray();
Console.WriteLine($"Saved to {path}; the reloaded model predicts the same labels: {before.SequenceEqual(after)}");
return before.SequenceEqual(after) ? 0 : 1;

/// <summary>One optdigits row: 64 pixel intensities (0..16) and the digit.</summary>
public sealed class Digit
{
    /// <summary>The 64 pixel intensities, row by row.</summary>
    [LoadColumn(0, 63)]
    [VectorType(64)]
    public float[] Features { get; set; } = Array.Empty<float>();

    /// <summary>The digit, 0 to 9.</summary>
    [LoadColumn(64)]
    public float Number { get; set; }

    /// <summary>A stand-in when the real files are absent: each digit is a fixed stroke pattern plus noise.</summary>
    public static Digit[] Generate(int count, int seed)
    {
        var random = new Random(seed);
        var patterns = Enumerable.Range(0, 10).Select(d => Enumerable.Range(0, 64).Select(p => (float)((p * (d + 3) + d * 7) % 17 > 8 ? 16 : 0)).ToArray()).ToArray();
        return Enumerable.Range(0, count).Select(i => new Digit
        {
            Number = i % 10,
            Features = patterns[i % 10].Select(v => Math.Clamp(v + (float)(random.NextDouble() * 8 - 4), 0, 16)).ToArray(),
        }).ToArray();
    }
}
