using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Recurrent
{
    /// <summary>The recurrent family inside models: names, saving, functional graphs with several outputs.</summary>
    public sealed class RecurrentModelTests : IDisposable
    {
        private readonly string _directory = Path.Combine(Path.GetTempPath(), "mllayers-rnn-" + Guid.NewGuid().ToString("N"));

        public RecurrentModelTests() => Directory.CreateDirectory(_directory);

        public void Dispose() => Directory.Delete(_directory, recursive: true);

        [Fact]
        public void DefaultNamesAreKerasSnakeCaseClassNames()
        {
            Assert.Matches(new Regex("^simple_rnn(_[0-9]+)?$"), new SimpleRNN(1).Name);
            Assert.Matches(new Regex("^lstm(_[0-9]+)?$"), new LSTM(1).Name);
            Assert.Matches(new Regex("^gru(_[0-9]+)?$"), new GRU(1).Name);
            Assert.Matches(new Regex("^bidirectional(_[0-9]+)?$"), new Bidirectional(new GRU(1)).Name);
            Assert.Matches(new Regex("^time_distributed(_[0-9]+)?$"), new TimeDistributed(new Dense(1)).Name);
        }

        [Fact]
        public void ASequentialModelWithBidirectionalAndTimeDistributedLayersSavesAndLoads()
        {
            manual_seed(3);
            var model = new Sequential(
                new InputLayer(shape: new Shape(6, 2)),
                new Bidirectional(new LSTM(4, returnSequences: true)),
                new TimeDistributed(new Dense(3)),
                new GRU(2));
            var x = randn(5, 6, 2);
            string path = Path.Combine(_directory, "rnn.zip");

            model.Save(path);
            var loaded = Model.Load(path);

            Assert.Equal(model.GetWeights().Count, loaded.GetWeights().Count);
            Assert.True(model.Predict(x).equal(loaded.Predict(x)).all().item<bool>());
        }

        [Fact]
        public void AFunctionalModelCanUseTheStatesAnLstmReturns()
        {
            manual_seed(4);
            var input = Input.Create(new Shape(7, 3));
            var outputs = new LSTM(5, returnState: true).ApplyAll(input);
            var model = new Model(new[] { input }, new[] { outputs[0], outputs[2] });
            var x = randn(2, 7, 3);

            var predictions = model.PredictAll(new[] { x });

            Assert.Equal(new long[] { 2, 5 }, predictions[0].shape);
            Assert.Equal(new long[] { 2, 5 }, predictions[1].shape);
            Assert.False(predictions[0].allclose(predictions[1]), "the output is h, the second output c");
        }
    }
}
