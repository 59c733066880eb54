using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Layers.Distributed;
using Microsoft.ML.Layers.Samples;

// The samples: one console app, a sub-command per sample. `--help` lists them; no command runs `digits`.
var samples = new (string Name, string Description, Func<SampleRun, bool> Run)[]
{
    ("digits", "optdigits 8x8 images: a small CNN in an ML.NET pipeline, vs SDCA and LightGBM", DigitsSample.Run),
    ("adult", "census income (binary): one-hot and embedded categorical columns, vs SDCA, L-BFGS and LightGBM", AdultSample.Run),
    ("taxi", "taxi fare regression with ML.NET's categorical and normalization transforms, vs SDCA and FastTree", TaxiSample.Run),
    ("detox", "text classification: ML.NET tokenizer, keys, Embedding(maskZero) and LSTM, vs SDCA on n-grams", DetoxSample.Run),
    ("custom-layer", "a user-written SimpleDense layer in a pipeline, saved and reloaded from the .zip", CustomLayerSample.Run),
    ("keras-style", "the digits model with Compile/Fit/Evaluate and Summary(), no ML.NET pipeline", KerasStyleSample.Run),
    ("serve", "the taxi pipeline in an ASP.NET Core API: PredictionEngine pool and ONNX Runtime routes", ServeSample.Run),
};

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine("Usage: dotnet run --project Samples/Microsoft.ML.Layers.Samples -c Release -- [sample] [--quick] [--data DIR] [--output DIR]");
    Console.WriteLine();
    Console.WriteLine("Samples:");
    foreach (var (name, description, _) in samples)
        Console.WriteLine($"  {name,-14} {description}");
    Console.WriteLine();
    Console.WriteLine("Options:");
    Console.WriteLine("  --quick        fewer epochs and rows (what CI runs)");
    Console.WriteLine("  --data DIR     the folder of the data sets (default: ../shared/data beside the repository)");
    Console.WriteLine("  --output DIR   where the model .zip and the training-curve PNG go (default: the temp folder's mllayers-samples)");
    Console.WriteLine("  --distributed  digits: data-parallel training on MPI, one replica per process started by");
    Console.WriteLine("                 mpirun -np N dotnet Microsoft.ML.Layers.Samples.dll digits --distributed (docs/distributed.md)");
    Console.WriteLine("  serve: --model ZIP (serve a saved pipeline), --requests N [--concurrency C] (a checked burst, then exit)");
    Console.WriteLine("Without the data sets a sample runs on a small generated stand-in and says so.");
    return 0;
}

string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
var optionValues = new[] { Option("--data"), Option("--output"), Option("--model"), Option("--requests"), Option("--concurrency") };
var commands = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal) && !optionValues.Contains(a)).ToList();
string command = commands.FirstOrDefault() ?? "digits";
var sample = samples.FirstOrDefault(s => s.Name == command);
if (sample.Run is null)
{
    Console.Error.WriteLine($"Unknown sample '{command}'. Samples: {string.Join(", ", samples.Select(s => s.Name))} (see --help).");
    return 2;
}

string? dataDirectory = Option("--data")
    ?? new[] { Path.Combine("..", "shared", "data"), Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "..", "shared", "data") }
        .Select(Path.GetFullPath).FirstOrDefault(Directory.Exists);
string output = Path.GetFullPath(Option("--output") ?? Path.Combine(Path.GetTempPath(), "mllayers-samples"));
bool distributed = args.Contains("--distributed");
if (distributed && sample.Name != "digits")
{
    Console.Error.WriteLine($"--distributed: only the digits sample trains data-parallel; received '{sample.Name}'.");
    return 2;
}
using var strategy = distributed ? new DataParallel() : null;
string rankNote = strategy is null ? "" : $" (rank {strategy.ReplicaId} of {strategy.ReplicaCount}, data-parallel on {Mpi.Implementation})";
Console.WriteLine($"Sample '{sample.Name}': {sample.Description}{(args.Contains("--quick") ? " (quick mode)" : "")}{rankNote}");
bool ok = sample.Run(new SampleRun(sample.Name, dataDirectory is null ? null : Path.GetFullPath(dataDirectory), args.Contains("--quick"), output)
{
    Distribution = strategy,
});
if (strategy is not null)
    Mpi.Finalize();
return ok ? 0 : 1;
