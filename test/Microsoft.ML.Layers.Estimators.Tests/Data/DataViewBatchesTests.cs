using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Estimators.Tests.Data
{
    public sealed class DataViewBatchesTests
    {
        private sealed class Row
        {
            [VectorType(3)]
            public float[] Features { get; set; } = Array.Empty<float>();

            public float Target { get; set; }

            public bool Flag { get; set; }

            public string Class { get; set; } = "";

            public float[] Sequence { get; set; } = Array.Empty<float>();

            public string Text { get; set; } = "";
        }

        private static IDataView Data(MLContext ml, int rows, float nanAt = -1) => ml.Data.LoadFromEnumerable(Enumerable.Range(0, rows).Select(i => new Row
        {
            Features = new[] { i, i + 0.5f, i == nanAt ? float.NaN : -i },
            Target = i * 2,
            Flag = i % 2 == 0,
            Class = "c" + (i % 3),
            Sequence = Enumerable.Range(0, i % 3 + 1).Select(j => (float)(j + 1)).ToArray(),
            Text = "t",
        }));

        [Fact]
        public void FixedVectorsBecomeContiguousBatchesOfTheRequestedSize()
        {
            var ml = new MLContext(1);
            var data = Data(ml, 7);
            var features = InputColumn.Bind(data.Schema, "Features");
            var label = LabelColumn.Bind(data.Schema, "Target", NeuralNetworkTask.Regression);

            var batches = new DataViewBatches(data, new[] { features }, label, batchSize: 3, checkFinite: true).ToList();

            Assert.Equal(new long[] { 3, 3, 1 }, batches.Select(b => b.Size));
            Assert.Equal(new float[] { 3, 3.5f, -3, 4, 4.5f, -4, 5, 5.5f, -5 }, batches[1].Inputs[0].data<float>().ToArray());
            Assert.Equal(new long[] { 3, 3 }, batches[1].Inputs[0].shape);
            Assert.Equal(new float[] { 6, 8, 10 }, batches[1].Targets[0].data<float>().ToArray());
            Assert.Equal(new long[] { 3, 1 }, batches[1].Targets[0].shape);
        }

        [Fact]
        public void NativeShufflingGivesEveryRowOnceInANewOrderEachEpochReproducibly()
        {
            var ml = new MLContext(1);
            string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mllayers-shuffle-{Guid.NewGuid():N}.idv");
            try
            {
                using (var stream = System.IO.File.Create(path))
                    ml.Data.SaveAsBinary(Data(ml, 300), stream);
                var data = ml.Data.LoadFromBinary(path);
                Assert.True(data.CanShuffle);
                var features = InputColumn.Bind(data.Schema, "Features");
                var label = LabelColumn.Bind(data.Schema, "Target", NeuralNetworkTask.Regression);
                using var scope = NewDisposeScope();
                // The target is twice the row index: reading it back gives the order of the rows.
                float[][] Epochs(int seed)
                {
                    var batches = new DataViewBatches(data, new[] { features }, label, 32, checkFinite: true, shuffleSeed: seed);
                    return Enumerable.Range(0, 2).Select(_ => batches.SelectMany(b => b.Targets[0].data<float>().ToArray()).ToArray()).ToArray();
                }

                var first = Epochs(5);
                var again = Epochs(5);

                var all = Enumerable.Range(0, 300).Select(i => 2f * i).ToArray();
                Assert.All(first, epoch => Assert.Equal(all, epoch.OrderBy(v => v).ToArray()));
                Assert.NotEqual(all, first[0]);
                Assert.NotEqual(first[0], first[1]);
                Assert.Equal(first[0], again[0]);
                Assert.Equal(first[1], again[1]);
            }
            finally
            {
                System.IO.File.Delete(path);
            }
        }

        [Fact]
        public void VariableLengthVectorsArePaddedPerBatchWithAMask()
        {
            var ml = new MLContext(1);
            var data = Data(ml, 3);
            var sequence = InputColumn.Bind(data.Schema, "Sequence");

            var batch = Assert.Single(new DataViewBatches(data, new[] { sequence }, null, batchSize: 8, checkFinite: true));

            Assert.True(sequence.IsVariableLength);
            Assert.Equal(new float[] { 1, 0, 0, 1, 2, 0, 1, 2, 3 }, batch.Inputs[0].data<float>().ToArray());
            var mask = KerasMask.Get(batch.Inputs[0])!;
            Assert.Equal(new[] { true, false, false, true, true, false, true, true, true }, mask.data<bool>().ToArray());
        }

        [Fact]
        public void KeyLabelsBecomeZeroBasedClassIndicesSizedByTheKeyCount()
        {
            var ml = new MLContext(1);
            var data = ml.Transforms.Conversion.MapValueToKey("Label", "Class").Fit(Data(ml, 5)).Transform(Data(ml, 5));
            var label = LabelColumn.Bind(data.Schema, "Label", NeuralNetworkTask.MulticlassClassification);

            var batch = Assert.Single(new DataViewBatches(data, new[] { InputColumn.Bind(data.Schema, "Features") }, label, 16, true));

            Assert.Equal(3, label.ClassCount);
            // Classes c0, c1, c2, c0, c1 in order of appearance: keys 1, 2, 3, 1, 2.
            Assert.Equal(new long[] { 0, 1, 2, 0, 1 }, batch.Targets[0].data<long>().ToArray());
        }

        [Fact]
        public void KeyFeaturesKeepTheirRawValues()
        {
            var ml = new MLContext(1);
            var data = ml.Transforms.Conversion.MapValueToKey("ClassKey", "Class").Fit(Data(ml, 4)).Transform(Data(ml, 4));
            var key = InputColumn.Bind(data.Schema, "ClassKey");

            var batch = Assert.Single(new DataViewBatches(data, new[] { key }, null, 16, true));

            Assert.True(key.IsIntegral);
            Assert.Equal(new long[] { 1, 2, 3, 1 }, batch.Inputs[0].data<long>().ToArray());
        }

        [Fact]
        public void ANonFiniteFeatureInTrainingNamesTheColumnTheRowAndTheFix()
        {
            var ml = new MLContext(1);
            var data = Data(ml, 6, nanAt: 4);
            var batches = new DataViewBatches(data, new[] { InputColumn.Bind(data.Schema, "Features") }, null, 4, checkFinite: true);

            var error = Assert.Throws<InvalidOperationException>(() => batches.ToList());

            Assert.Contains("'Features'", error.Message);
            Assert.Contains("row 4", error.Message);
            Assert.Contains("ReplaceMissingValues", error.Message);
        }

        [Fact]
        public void ATextColumnIsRefusedNamingItsTypeAndTheFix()
        {
            var ml = new MLContext(1);
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => InputColumn.Bind(Data(ml, 1).Schema, "Text"));

            Assert.Contains("'Text'", error.Message);
            Assert.Contains("String", error.Message);
            Assert.Contains("MapValueToKey", error.Message);
        }

        [Fact]
        public void AMissingColumnListsThePresentOnes()
        {
            var ml = new MLContext(1);
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => InputColumn.Bind(Data(ml, 1).Schema, "Pixels"));

            Assert.Contains("'Pixels'", error.Message);
            Assert.Contains("Features", error.Message);
        }

        [Theory]
        [InlineData(NeuralNetworkTask.Regression, "Flag", "Single")]
        [InlineData(NeuralNetworkTask.BinaryClassification, "Target", "Boolean")]
        [InlineData(NeuralNetworkTask.MulticlassClassification, "Class", "MapValueToKey")]
        public void ALabelOfTheWrongTypeForTheTaskIsRefused(NeuralNetworkTask task, string column, string expected)
        {
            var ml = new MLContext(1);
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => LabelColumn.Bind(Data(ml, 1).Schema, column, task));

            Assert.Contains($"'{column}'", error.Message);
            Assert.Contains(expected, error.Message);
        }
    }
}
