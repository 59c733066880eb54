using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.Layers.Losses;
using Microsoft.ML.Layers.Optimizers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Samples
{
    /// <summary>
    /// The digits model the Keras way, without an ML.NET pipeline: tensors, <c>Summary()</c>, <c>Compile</c>, <c>Fit</c>
    /// with a validation split, <c>Evaluate</c>, <c>Save</c> and <c>Model.Load</c>. ML.NET's SDCA maximum entropy trains on the
    /// same rows for comparison.
    /// </summary>
    public static class KerasStyleSample
    {
        public static bool Run(SampleRun run)
        {
            var ml = run.ML;
            var (trainView, testView) = Digit.Load(run);
            var (xTrain, yTrain) = Tensors(ml, trainView);
            var (xTest, yTest) = Tensors(ml, testView);

            var model = Digit.Network();
            // The network ends with logits (no softmax), as Keras users write it with from_logits=True.
            model.Compile(new Adam(2e-3), new SparseCategoricalCrossentropyLoss(fromLogits: true), new[] { "accuracy" });
            model.EnsureBuilt(new Shape(-1, 64));
            model.Summary();

            int epochs = run.Epochs(15);
            run.Train("Sequential.Fit (small CNN)", () =>
            {
                // Pixels 0..16 scaled to 0..1; 10% of the rows validate each epoch.
                model.Fit(xTrain, yTrain, batchSize: 64, epochs: epochs, validationSplit: 0.1, callbacks: new[] { run.Progress(epochs) }, verbose: 0);
                return model;
            }, m => m.EvaluateAll(xTest, yTest)["accuracy"], "accuracy");
            run.WriteCurve("accuracy");

            var prepare = ml.Transforms.Conversion.MapValueToKey("Label", "Number").Append(ml.Transforms.NormalizeMinMax("Features"));
            run.Train("SdcaMaximumEntropy (ML.NET)", () => prepare.Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: run.Quick ? 5 : null)).Fit(trainView),
                m => ml.MulticlassClassification.Evaluate(m.Transform(testView)).MicroAccuracy, "micro-accuracy");
            run.PrintComparison();

            // This library's own model file: a zip with the Keras-layout config and safetensors weights.
            string path = Path.Combine(run.OutputDirectory, $"{run.Name}.zip");
            model.Save(path);
            using var reloaded = Model.Load(path);
            var original = model.Predict(xTest).data<float>().ToArray();
            var again = reloaded.Predict(xTest).data<float>().ToArray();
            bool same = original.SequenceEqual(again);
            using (var stream = File.Create(Path.Combine(run.OutputDirectory, $"{run.Name}.test.idv")))
                ml.Data.SaveAsBinary(testView, stream);
            File.WriteAllLines(Path.Combine(run.OutputDirectory, $"{run.Name}.scores.txt"),
                new[] { "Predict" }.Concat(original.Select(s => s.ToString("R", CultureInfo.InvariantCulture))));
            Console.WriteLine($"Saved the model to {path}; Model.Load gives the same {original.Length} predicted values: {same}");
            return same;
        }

        /// <summary>The features scaled to [0, 1] as a (rows, 64) tensor, and the digits as int64 labels.</summary>
        private static (Tensor X, Tensor Y) Tensors(MLContext ml, IDataView data)
        {
            var rows = ml.Data.CreateEnumerable<Digit>(data, reuseRowObject: false).ToArray();
            var x = tensor(rows.SelectMany(r => r.Features).ToArray()).reshape(rows.Length, 64) / 16f;
            var y = tensor(rows.Select(r => (long)r.Number).ToArray());
            return (x, y);
        }
    }
}
