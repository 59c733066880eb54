using System;
using System.Linq;
using Microsoft.ML.Layers.Estimators;
using Microsoft.ML.Layers.Optimizers;

namespace Microsoft.ML.Layers.Samples
{
    /// <summary>
    /// The seed's <see cref="SimpleDense"/> layer, written as a user would, inside an ML.NET regression pipeline on the
    /// housing data: trained, evaluated, saved to the ML.NET .zip and loaded again in the same run (the layer's
    /// [RegisterLayer] lets the loader find it), predictions compared; ML.NET's SDCA and FastTree alongside.
    /// </summary>
    public static class CustomLayerSample
    {
        public static bool Run(SampleRun run)
        {
            var ml = run.ML;
            var (train, test) = House.Load(run);
            var normalize = ml.Transforms.NormalizeMeanVariance("Features");
            double RSquared(ITransformer model) => ml.Regression.Evaluate(model.Transform(test), labelColumnName: "MedianHomeValue").RSquared;

            int epochs = run.Epochs(150, quick: 30);
            // Two SimpleDense layers with a built-in activation layer between them: the custom and built-in layers mix freely.
            var network = new Sequential(new SimpleDense(32), new ActivationLayer("relu"), new SimpleDense(1));
            var model = run.Train("NeuralNetwork (SimpleDense x2)", () => normalize.Append(ml.Regression.Trainers.NeuralNetwork(network,
                new NeuralNetworkOptions { LabelColumnName = "MedianHomeValue", Epochs = epochs, BatchSize = 16, LearningRate = 3e-3f, Callbacks = new[] { run.Progress(epochs) } }))
                .Fit(train), RSquared, "R-squared");
            run.WriteCurve("loss");

            run.Train("Sdca (ML.NET)", () => normalize.Append(ml.Regression.Trainers.Sdca("MedianHomeValue")).Fit(train), RSquared, "R-squared");
            run.Train("FastTree (ML.NET)", () => normalize.Append(ml.Regression.Trainers.FastTree("MedianHomeValue",
                numberOfTrees: run.Quick ? 20 : 100)).Fit(train), RSquared, "R-squared");
            run.PrintComparison();

            var layers = model.LastTransformer.Model.Network.Layers;
            Console.WriteLine($"The trained network's layers: {string.Join(", ", layers.Select(l => $"{l.Name} ({l.GetType().Name})"))}");
            bool reloaded = run.SaveReloadAndCompare(model, train.Schema, test, "Score");
            return OnnxRoundTrip.Check(run, model, test, "Score") && reloaded;
        }
    }
}
