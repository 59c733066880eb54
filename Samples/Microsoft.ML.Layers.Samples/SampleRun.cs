using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Callbacks;
using Microsoft.ML.Layers.Estimators;

namespace Microsoft.ML.Layers.Samples
{
    /// <summary>
    /// What every sample shares: where the data and outputs are, the quick mode, progress and the training curve, the
    /// side-by-side table with ML.NET's trainers, and the save-reload-compare check.
    /// </summary>
    public sealed class SampleRun
    {
        private readonly List<(string Trainer, string Metric, double Value, double Seconds, string Also)> _results = new();

        public SampleRun(string name, string? dataDirectory, bool quick, string outputDirectory)
        {
            Name = name;
            DataDirectory = dataDirectory;
            Quick = quick;
            OutputDirectory = outputDirectory;
            Directory.CreateDirectory(outputDirectory);
        }

        /// <summary>The sample's command name (<c>digits</c>, <c>adult</c>, ...).</summary>
        public string Name { get; }

        /// <summary>The folder of the real data sets, or null when none was found.</summary>
        public string? DataDirectory { get; }

        /// <summary>Fewer epochs and rows, for CI.</summary>
        public bool Quick { get; }

        /// <summary>Where the model zip, the training curve and the check files go.</summary>
        public string OutputDirectory { get; }

        /// <summary>
        /// With <c>--distributed</c>: the data-parallel strategy (one replica per process started by mpirun) the network
        /// trainers use; null otherwise.
        /// </summary>
        public DistributionStrategy? Distribution { get; init; }

        /// <summary>Whether this process prints the comparison and writes files: always, except on replicas other than 0.</summary>
        public bool IsMainProcess => Distribution is null || Distribution.ReplicaId == 0;

        /// <summary>The ML.NET context; its seed makes the run reproducible.</summary>
        public MLContext ML { get; } = new(seed: 1);

        /// <summary>The per-epoch values of the last neural network training (for the curve).</summary>
        public List<IReadOnlyDictionary<string, double>> Curve { get; } = new();

        /// <summary>The real files when they are all present (their paths), or null after saying the stand-in is used.</summary>
        public string[]? RealFiles(params string[] fileNames)
        {
            var paths = fileNames.Select(f => DataDirectory is null ? null : Path.Combine(DataDirectory, f)).ToArray();
            if (paths.All(p => p is not null && File.Exists(p)))
            {
                Console.WriteLine($"Data: {string.Join(", ", fileNames)} from {DataDirectory}");
                return paths!;
            }
            Console.WriteLine($"Data: {string.Join(", ", fileNames)} not found (looked in {DataDirectory ?? "../shared/data"}; pass --data DIR). " +
                "Using a small generated stand-in: its metrics say nothing about the real task.");
            return null;
        }

        /// <summary>
        /// A data set with separate train and test files: each file through <paramref name="load"/> when both are present,
        /// else <paramref name="trainRows"/> and <paramref name="testRows"/> generated stand-in rows (seeds 1 and 2).
        /// </summary>
        public (IDataView Train, IDataView Test) TrainAndTest<TRow>(string trainFile, string testFile, Func<string, IDataView> load,
            Func<int, int, TRow[]> generate, int trainRows, int testRows) where TRow : class
        {
            var files = RealFiles(trainFile, testFile);
            return files is null
                ? (ML.Data.LoadFromEnumerable(generate(trainRows, 1)), ML.Data.LoadFromEnumerable(generate(testRows, 2)))
                : (load(files[0]), load(files[1]));
        }

        /// <summary>Epochs for the run: the full count, or a few in quick mode.</summary>
        public int Epochs(int full, int quick = 2) => Quick ? quick : full;

        /// <summary>
        /// A callback printing each epoch (loss, metrics, validation) as training goes, and recording it for the curve.
        /// </summary>
        public Callback Progress(int epochs)
        {
            Curve.Clear();
            return new LambdaCallback(onEpochEnd: (epoch, logs) =>
            {
                Curve.Add(logs.ToDictionary(p => p.Key, p => p.Value));
                Console.WriteLine($"  epoch {epoch + 1,3}/{epochs}  " + string.Join("  ", logs.Select(p => $"{p.Key} {p.Value.ToString("0.0000", CultureInfo.InvariantCulture)}")));
            });
        }

        /// <summary>Runs and times a training; records the metric in the comparison table.</summary>
        public T Train<T>(string trainer, Func<T> fit, Func<T, double> metric, string metricName)
            => Train(trainer, fit, model => (metric(model), ""), metricName);

        /// <summary>
        /// Runs and times a training; records the metric in the comparison table with <c>Also</c>, other metrics of the same
        /// evaluation shown beside it (e.g. <c>accuracy 0.8512</c>).
        /// </summary>
        public T Train<T>(string trainer, Func<T> fit, Func<T, (double Value, string Also)> metrics, string metricName)
        {
            Console.WriteLine($"Training {trainer}...");
            var clock = Stopwatch.StartNew();
            var model = fit();
            double seconds = clock.Elapsed.TotalSeconds;
            var (value, also) = metrics(model);
            _results.Add((trainer, metricName, value, seconds, also));
            Console.WriteLine($"  {trainer}: {metricName} {value.ToString("0.0000", CultureInfo.InvariantCulture)}{(also.Length > 0 ? ", " + also : "")} in {seconds:0.0} s");
            return model;
        }

        /// <summary>A binary classifier's AUC on <paramref name="test"/>, with its accuracy beside it.</summary>
        public Func<ITransformer, (double Value, string Also)> AucAndAccuracy(IDataView test) => model =>
        {
            var metrics = ML.BinaryClassification.Evaluate(model.Transform(test));
            return (metrics.AreaUnderRocCurve, $"accuracy {metrics.Accuracy.ToString("0.0000", CultureInfo.InvariantCulture)}");
        };

        /// <summary>
        /// Fits the preparation on the training rows, then the network trainer on the prepared rows, validating each epoch on
        /// the prepared <paramref name="validation"/> rows when given (ML.NET's pattern for validation data). The trainer is
        /// made from the prepared schema, so that the network can be sized from it (key counts, vector sizes).
        /// </summary>
        public ITransformer FitNetwork(IEstimator<ITransformer> prepare, Func<DataViewSchema, NeuralNetworkTrainer> trainer, IDataView train, IDataView? validation = null)
        {
            var prepared = prepare.Fit(train);
            var network = trainer(prepared.GetOutputSchema(train.Schema));
            return prepared.Append(network.Fit(prepared.Transform(train), validation is null ? null : prepared.Transform(validation)));
        }

        /// <summary>How many values a key column (or a vector of keys) has: key values are 1..count, 0 is missing.</summary>
        public static int KeyCount(DataViewSchema schema, string column)
        {
            var type = schema[column].Type;
            var item = type is VectorDataViewType vector ? vector.ItemType : type;
            return checked((int)((KeyDataViewType)item).Count);
        }

        /// <summary>Prints the side-by-side table: trainer, metric (on the held-out data), training seconds, other metrics.</summary>
        public void PrintComparison()
        {
            Console.WriteLine();
            Console.WriteLine($"{"trainer",-40} {"metric",-16} {"value",8} {"train s",8}  {(_results.Any(r => r.Also.Length > 0) ? "also" : "")}".TrimEnd());
            foreach (var (trainer, metric, value, seconds, also) in _results)
                Console.WriteLine($"{trainer,-40} {metric,-16} {value.ToString("0.0000", CultureInfo.InvariantCulture),8} {seconds.ToString("0.0", CultureInfo.InvariantCulture),8}  {also}".TrimEnd());
            Console.WriteLine();
        }

        /// <summary>
        /// Saves the model zip, reloads it in a fresh MLContext, scores the held-out data with both and compares the score
        /// column exactly. Also writes what a test needs to repeat the check in another process: the held-out data as a
        /// binary IDataView and the original scores, one per line.
        /// </summary>
        public bool SaveReloadAndCompare(ITransformer model, DataViewSchema inputSchema, IDataView test, string scoreColumn)
        {
            string path = Path.Combine(OutputDirectory, $"{Name}.zip");
            ML.Model.Save(model, inputSchema, path);
            var reloaded = new MLContext(seed: 1).Model.Load(path, out _);
            var original = Scores(model.Transform(test), scoreColumn);
            var again = Scores(reloaded.Transform(test), scoreColumn);
            bool same = original.SequenceEqual(again);

            using (var stream = File.Create(Path.Combine(OutputDirectory, $"{Name}.test.idv")))
                ML.Data.SaveAsBinary(test, stream);
            File.WriteAllLines(Path.Combine(OutputDirectory, $"{Name}.scores.txt"),
                new[] { scoreColumn }.Concat(original.Select(s => s.ToString("R", CultureInfo.InvariantCulture))));
            Console.WriteLine($"Saved the model to {path}; reloaded, it scores the {original.Length} held-out values the same: {same}");
            return same;
        }

        /// <summary>A score column (a number or a vector per row) as one flat array.</summary>
        public static float[] Scores(IDataView scored, string column)
        {
            var type = scored.Schema[column].Type;
            return type is VectorDataViewType
                ? scored.GetColumn<float[]>(column).SelectMany(v => v).ToArray()
                : scored.GetColumn<float>(column).ToArray();
        }

        /// <summary>
        /// Writes the training curve (loss and one metric per epoch, training and validation) as a PNG; a sample that trains
        /// several networks names each curve by its <paramref name="variant"/>.
        /// </summary>
        public void WriteCurve(string metric, string? variant = null)
        {
            if (Curve.Count == 0)
                return;
            string name = variant is null ? Name : $"{Name}-{variant}";
            string path = Path.Combine(OutputDirectory, $"{name}.curve.png");
            TrainingCurve.Write(path, $"{name}: training curve", Curve, metric);
            Console.WriteLine($"Training curve: {path}");
        }
    }
}
