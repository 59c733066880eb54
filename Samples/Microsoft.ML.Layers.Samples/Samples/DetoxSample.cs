using System;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Estimators;
using Microsoft.ML.Layers.Optimizers;

namespace Microsoft.ML.Layers.Samples
{
    /// <summary>
    /// Toxic comment classification on raw text: ML.NET normalizes and tokenizes the comments and maps words to keys, a
    /// variable-length key vector per comment; the network embeds them (key 0, unknown words and padding, masked), reads
    /// them with an LSTM and ends with one logit. ML.NET's FeaturizeText (n-grams) with SDCA logistic regression alongside.
    /// </summary>
    public static class DetoxSample
    {
        public static bool Run(SampleRun run)
        {
            var ml = run.ML;
            var (train, test) = Comment.Load(run);
            var auc = run.AucAndAccuracy(test);
            int comments = test.GetColumn<bool>("Label").Count();
            Console.WriteLine($"Note: the test set has only {comments} comments, so one comment moves the accuracy by {100.0 / comments:0} points: " +
                "read the metrics below as a smoke check, not a comparison.");

            var tokens = ml.Transforms.Text.NormalizeText("Normalized", "Text")
                .Append(ml.Transforms.Text.TokenizeIntoWords("Words", "Normalized"))
                .Append(ml.Transforms.Conversion.MapValueToKey("Tokens", "Words"));

            int epochs = run.Epochs(25, quick: 3);
            var network = run.Train("NeuralNetwork (Embedding + LSTM)", () => run.FitNetwork(tokens, schema =>
            {
                // Keys are 1..n for the training words; the Embedding has one more row for 0, the masked missing key.
                int vocabulary = SampleRun.KeyCount(schema, "Tokens");
                return ml.BinaryClassification.Trainers.NeuralNetwork(new Sequential(new Embedding(vocabulary + 1, 16, maskZero: true), new LSTM(16), new Dense(1)),
                    new NeuralNetworkOptions { FeatureColumnNames = new[] { "Tokens" }, Epochs = epochs, BatchSize = 16, LearningRate = 5e-3f, Callbacks = new[] { run.Progress(epochs) } });
            }, train), auc, "AUC");
            run.WriteCurve("accuracy");

            run.Train("SdcaLogistic on FeaturizeText (ML.NET)", () => ml.Transforms.Text.FeaturizeText("Features", "Text")
                .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression()).Fit(train), auc, "AUC");
            run.PrintComparison();

            bool reloaded = run.SaveReloadAndCompare(network, train.Schema, test, "Probability");
            // Masks have no ONNX form: the export says so, naming the layer.
            OnnxRoundTrip.ShowRefusal(((System.Collections.Generic.IEnumerable<ITransformer>)network).Last() is NeuralNetworkPredictionTransformer trained
                ? trained.Model.Network : throw new InvalidOperationException("The detox pipeline ends with its network."));
            return reloaded;
        }
    }
}
