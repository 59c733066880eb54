using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Estimators.Data;
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
        public void PrefetchingGivesTheSameBatchesInTheSameOrder()
        {
            var ml = new MLContext(1);
            var data = Data(ml, 1000);
            var inputs = new[] { InputColumn.Bind(data.Schema, "Features"), InputColumn.Bind(data.Schema, "Sequence") };
            var label = LabelColumn.Bind(data.Schema, "Target", NeuralNetworkTask.Regression);
            using var scope = NewDisposeScope();

            var plain = new DataViewBatches(data, inputs, label, batchSize: 64, checkFinite: true).ToList();
            var prefetched = new DataViewBatches(data, inputs, label, batchSize: 64, checkFinite: true, prefetch: true).ToList();

            Assert.Equal(plain.Select(b => b.Size), prefetched.Select(b => b.Size));
            foreach (var (a, b) in plain.Zip(prefetched))
            {
                Assert.True(a.Inputs[0].allclose(b.Inputs[0], 0, 0));
                Assert.True(a.Inputs[1].allclose(b.Inputs[1], 0, 0));
                Assert.True(KerasMask.Get(a.Inputs[1])!.eq(KerasMask.Get(b.Inputs[1])!).all().item<bool>());
                Assert.True(a.Targets[0].allclose(b.Targets[0], 0, 0));
            }
        }

        [Fact]
        public void PrefetchingReportsANonFiniteFeatureWithItsRowAndStopsCleanlyWhenTheCallerStopsEarly()
        {
            var ml = new MLContext(1);
            var data = Data(ml, 500, nanAt: 300);
            var features = InputColumn.Bind(data.Schema, "Features");
            var label = LabelColumn.Bind(data.Schema, "Target", NeuralNetworkTask.Regression);
            using var scope = NewDisposeScope();

            var error = Assert.Throws<InvalidOperationException>(() => new DataViewBatches(data, new[] { features }, label, 32, checkFinite: true, prefetch: true).ToList());
            var first = new DataViewBatches(data, new[] { features }, label, 32, checkFinite: true, prefetch: true).Take(2).ToList();

            Assert.Contains("at row 300", error.Message);
            Assert.Equal(new long[] { 32, 32 }, first.Select(b => b.Size));
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
