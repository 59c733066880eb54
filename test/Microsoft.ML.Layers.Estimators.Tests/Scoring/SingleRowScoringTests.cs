using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Estimators.Tests.Scoring
{
    /// <summary>
    /// The single-row path (PredictionEngine: preallocated row tensors, inference mode, <c>Sequential.ApplyVerified</c>)
    /// computes what the batch path computes for a batch of that one row, bit for bit, reuses its buffers, and keeps
    /// every check of Apply for each new input shape.
    /// </summary>
    public sealed class SingleRowScoringTests
    {
        public sealed class Row
        {
            [VectorType(4)]
            public float[] Features { get; set; } = Array.Empty<float>();

            [VectorType(2)]
            public float[] Extra { get; set; } = Array.Empty<float>();

            public float Target { get; set; }

            public bool Positive { get; set; }

            public string Class { get; set; } = "";
        }

        public sealed class RegressionOutput
        {
            public float Score { get; set; }
        }

        public sealed class BinaryOutput
        {
            public float Score { get; set; }

            public float Probability { get; set; }

            public bool PredictedLabel { get; set; }
        }

        public sealed class MulticlassOutput
        {
            public float[] Score { get; set; } = Array.Empty<float>();

            public uint PredictedLabel { get; set; }
        }

        public sealed class TokenRow
        {
            [VectorType]
            public int[] Tokens { get; set; } = Array.Empty<int>();

            public float Target { get; set; }
        }

        private static Row[] Rows(int count, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(_ =>
            {
                var x = Enumerable.Range(0, 4).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
                var extra = new[] { (float)random.NextDouble(), (float)random.NextDouble() };
                return new Row
                {
                    Features = x, Extra = extra, Target = 2 * x[0] - x[1] + extra[0], Positive = x[0] + x[1] > 0,
                    Class = x[0] > 0.3 ? "high" : x[0] < -0.3 ? "low" : "mid",
                };
            }).ToArray();
        }

        private static Sequential Network(int outputs) => new(new Dense(16, activation: "relu"), new Dense(outputs));

        private static NeuralNetworkOptions Options(string label) => new() { LabelColumnName = label, Epochs = 2, LearningRate = 0.01f };

        /// <summary>Each row scored alone by the batch path (Transform of a one-row view): the computation of the old single-row
        /// path.</summary>
        private static T[] AloneThroughTransform<T>(MLContext ml, ITransformer model, Row[] rows, Func<IDataView, T> read)
            => rows.Select(r => read(model.Transform(ml.Data.LoadFromEnumerable(new[] { r })))).ToArray();

        [Fact]
        public void RegressionScoresEqualTheBatchPathBitForBit()
        {
            var ml = new MLContext(seed: 1);
            var rows = Rows(60, 1);
            var model = ml.Regression.Trainers.NeuralNetwork(Network(1), Options("Target")).Fit(ml.Data.LoadFromEnumerable(rows));
            var engine = ml.Model.CreatePredictionEngine<Row, RegressionOutput>(model);

            var predicted = rows.Select(r => engine.Predict(r).Score).ToArray();

            Assert.Equal(AloneThroughTransform(ml, model, rows, v => v.GetColumn<float>("Score").Single()), predicted);
            var batch = model.Transform(ml.Data.LoadFromEnumerable(rows)).GetColumn<float>("Score").ToArray();
            Assert.All(predicted.Zip(batch), p => Assert.Equal(p.Second, p.First, 5));
        }

        [Fact]
        public void BinaryScoresProbabilitiesAndLabelsEqualTheBatchPathBitForBit()
        {
            var ml = new MLContext(seed: 1);
            var rows = Rows(60, 2);
            var model = ml.BinaryClassification.Trainers.NeuralNetwork(Network(1), Options("Positive"))
                .Fit(ml.Data.LoadFromEnumerable(rows));
            var engine = ml.Model.CreatePredictionEngine<Row, BinaryOutput>(model);

            var predicted = rows.Select(r => engine.Predict(r)).Select(p => (p.Score, p.Probability, p.PredictedLabel)).ToArray();

            var alone = AloneThroughTransform(ml, model, rows, v => (v.GetColumn<float>("Score").Single(),
                v.GetColumn<float>("Probability").Single(), v.GetColumn<bool>("PredictedLabel").Single()));
            Assert.Equal(alone, predicted);
        }

        [Fact]
        public void MulticlassScoresAndKeysEqualTheBatchPathBitForBit()
        {
            var ml = new MLContext(seed: 1);
            var rows = Rows(60, 3);
            var model = ml.Transforms.Conversion.MapValueToKey("Label", "Class")
                .Append(ml.MulticlassClassification.Trainers.NeuralNetwork(Network(3), Options("Label")))
                .Fit(ml.Data.LoadFromEnumerable(rows));
            var engine = ml.Model.CreatePredictionEngine<Row, MulticlassOutput>(model);

            var predicted = rows.Select(r => engine.Predict(r)).Select(p => (string.Join(",", p.Score), p.PredictedLabel)).ToArray();

            var alone = AloneThroughTransform(ml, model, rows, v => (string.Join(",", v.GetColumn<float[]>("Score").Single()),
                v.GetColumn<uint>("PredictedLabel").Single()));
            Assert.Equal(alone, predicted);
            Assert.Contains(predicted, p => p.PredictedLabel != predicted[0].PredictedLabel);
        }

        [Fact]
        public void AMultiInputNetworkScoresEqualTheBatchPathBitForBit()
        {
            var ml = new MLContext(seed: 1);
            var rows = Rows(60, 4);
            var features = Input.Create(4, name: "Features");
            var extra = Input.Create(2, name: "Extra");
            var hidden = new Dense(8, activation: "relu").Apply(new Concatenate().Apply(new[] { features, extra }));
            var network = new Model(new[] { features, extra }, new[] { new Dense(1).Apply(hidden) });
            var options = Options("Target");
            options.FeatureColumnNames = new[] { "Features", "Extra" };
            var model = ml.Regression.Trainers.NeuralNetwork(network, options).Fit(ml.Data.LoadFromEnumerable(rows));
            var engine = ml.Model.CreatePredictionEngine<Row, RegressionOutput>(model);

            var predicted = rows.Select(r => engine.Predict(r).Score).ToArray();

            Assert.Equal(AloneThroughTransform(ml, model, rows, v => v.GetColumn<float>("Score").Single()), predicted);
        }

        [Fact]
        public void EnginesWhoseRowsChangeShapeScoreEachRowAsTheBatchPathDoes()
        {
            // Variable-length token rows: the input shape changes from row to row and between two engines used in turn.
            var ml = new MLContext(seed: 1);
            var rows = Enumerable.Range(0, 40).Select(i => new TokenRow
            {
                Tokens = Enumerable.Range(0, 1 + i % 5).Select(t => 1 + (i * 7 + t) % 9).ToArray(),
                Target = i % 5,
            }).ToArray();
            var network = new Sequential(new Embedding(10, 4), new GlobalAveragePooling1D(), new Dense(1));
            var options = new NeuralNetworkOptions { LabelColumnName = "Target", FeatureColumnNames = new[] { "Tokens" }, Epochs = 2 };
            var model = ml.Regression.Trainers.NeuralNetwork(network, options).Fit(ml.Data.LoadFromEnumerable(rows));
            var first = ml.Model.CreatePredictionEngine<TokenRow, RegressionOutput>(model);
            var second = ml.Model.CreatePredictionEngine<TokenRow, RegressionOutput>(model);

            var predicted = rows.Select((r, i) => (i % 2 == 0 ? first : second).Predict(r).Score).ToArray();

            var alone = rows.Select(r => model.Transform(ml.Data.LoadFromEnumerable(new[] { r })).GetColumn<float>("Score").Single());
            Assert.Equal(alone, predicted);
        }

        [Fact]
        public void PredictAfterWarmUpCreatesOnlyTheForwardPassTensors()
        {
            var ml = new MLContext(seed: 1);
            var rows = Rows(50, 5);
            var model = ml.Regression.Trainers.NeuralNetwork(Network(1), Options("Target")).Fit(ml.Data.LoadFromEnumerable(rows));
            var engine = ml.Model.CreatePredictionEngine<Row, RegressionOutput>(model);
            var network = (Sequential)model.Model.Network;
            engine.Predict(rows[0]);
            var stats = DisposeScopeManager.Statistics;
            long createdOutside = stats.CreatedOutsideScopeCount, createdInside = stats.CreatedInScopeCount;

            for (int i = 0; i < 1000; i++)
                engine.Predict(rows[i % rows.Length]);
            long perPredict = (stats.CreatedInScopeCount - createdInside) / 1000;
            Assert.Equal(createdOutside, stats.CreatedOutsideScopeCount);

            // The same network's verified forward pass alone, on a prepared tensor: Predict adds no tensor to it (no input
            // tensor per row, no copy of the output).
            using var input = tensor(rows[0].Features, new long[] { 1, 4 });
            long forward;
            using (inference_mode())
            {
                using (NewDisposeScope())
                    network.ApplyVerified(input);
                long before = stats.CreatedInScopeCount;
                using (NewDisposeScope())
                    network.ApplyVerified(input);
                forward = stats.CreatedInScopeCount - before;
            }
            Assert.Equal(forward, perPredict);
        }

        [Fact]
        public void ManyPredictionsKeepLiveTensorsFlat()
        {
            var ml = new MLContext(seed: 1);
            var rows = Rows(50, 6);
            var model = ml.BinaryClassification.Trainers.NeuralNetwork(Network(1), Options("Positive"))
                .Fit(ml.Data.LoadFromEnumerable(rows));
            var engine = ml.Model.CreatePredictionEngine<Row, BinaryOutput>(model);
            engine.Predict(rows[0]);
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

            for (int i = 0; i < 100_000; i++)
                engine.Predict(rows[i % rows.Length]);

            Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }

        [Fact]
        public void ApplyVerifiedEqualsApplyAndChecksEveryNewShape()
        {
            using var network = new Sequential(new InputLayer(new Shape(-1, 4)), new Dense(8, activation: "relu"), new Dense(2));
            using var one = randn(1, 4);
            using var three = randn(3, 4);
            using var wrong = randn(1, 5);
            using var noGrad = no_grad();
            foreach (var x in new[] { one, one, three, one, three, three })
            {
                using var scope = NewDisposeScope();
                Assert.Equal(network.Apply(x).data<float>().ToArray(), network.ApplyVerified(x).data<float>().ToArray());
            }

            // A shape never verified goes through the input specs again (the guard before the native matmul): the library's
            // error naming the layer, the expected and the received axis, not libtorch's.
            using (NewDisposeScope())
                network.ApplyVerified(one);
            var error = Assert.ThrowsAny<Exception>(() => network.ApplyVerified(wrong));
            Assert.Contains("dense", error.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("5", error.Message);
        }

        [Fact]
        public void ApplyVerifiedKeepsMasksAndCastsOfNetworksThatNeedThem()
        {
            // A value-dependent mask (maskZero) and a float64 input cast to float32: every call is a full Apply.
            using var masked = new Sequential(new Embedding(10, 3, maskZero: true), new GlobalAveragePooling1D(), new Dense(1));
            using var plain = new Sequential(new Dense(4), new Dense(1));
            using var noGrad = no_grad();
            foreach (var tokens in new[] { new long[] { 1, 2, 0, 0 }, new long[] { 3, 0, 0, 0 }, new long[] { 4, 5, 6, 7 } })
            {
                using var scope = NewDisposeScope();
                var x = tensor(tokens, new long[] { 1, 4 });
                Assert.Equal(masked.Apply(x).data<float>().ToArray(), masked.ApplyVerified(x).data<float>().ToArray());
            }
            foreach (var dtype in new[] { ScalarType.Float64, ScalarType.Float64, ScalarType.Float32, ScalarType.Float64 })
            {
                using var scope = NewDisposeScope();
                var x = ones(1, 3, dtype: dtype).mul(0.5);
                var expected = plain.Apply(x);
                var actual = plain.ApplyVerified(x);
                Assert.Equal(expected.dtype, actual.dtype);
                Assert.Equal(expected.to(ScalarType.Float64).data<double>().ToArray(),
                    actual.to(ScalarType.Float64).data<double>().ToArray());
            }
        }

        private sealed class LossAdding : Layer
        {
            protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
            {
                AddLoss(inputs.abs().mean());
                return inputs * 2;
            }
        }

        [Fact]
        public void ApplyVerifiedKeepsTheLossBookkeepingOfLayersThatAddLosses()
        {
            using var network = new Sequential(new InputLayer(new Shape(-1, 3)), new Dense(4), new LossAdding());
            using var x = ones(1, 3);
            using var noGrad = no_grad();
            for (int i = 0; i < 5; i++)
            {
                using var scope = NewDisposeScope();
                Assert.Equal(network.Apply(x).data<float>().ToArray(), network.ApplyVerified(x).data<float>().ToArray());
                // The losses of the last outermost call only: one, not one per call.
                Assert.Single(network.Losses);
            }
        }

        [Fact]
        public void ApplyVerifiedOnManyThreadsWithChangingShapesEqualsApply()
        {
            using var network = new Sequential(new InputLayer(new Shape(-1, 4)), new Dense(16, activation: "relu"), new Dense(3));
            var batches = Enumerable.Range(1, 4).Select(rows => randn(rows, 4).DetachFromDisposeScope()).ToArray();
            float[][] expected;
            using (no_grad())
            {
                expected = batches.Select(b =>
                {
                    using var s = NewDisposeScope();
                    return network.Apply(b).data<float>().ToArray();
                }).ToArray();
            }

            var failures = new int[8];
            Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
            {
                using var noGrad = no_grad();
                for (int i = 0; i < 300; i++)
                {
                    int b = (t + i) % batches.Length;
                    using var scope = NewDisposeScope();
                    if (!network.ApplyVerified(batches[b]).data<float>().ToArray().SequenceEqual(expected[b]))
                        failures[t]++;
                }
            });

            Assert.All(failures, f => Assert.Equal(0, f));
            foreach (var b in batches)
                b.Dispose();
        }
    }
}
