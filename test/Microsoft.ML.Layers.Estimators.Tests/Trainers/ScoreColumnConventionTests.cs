using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace Microsoft.ML.Layers.Estimators.Tests.Trainers
{
    /// <summary>ML.NET's own trainers are the oracle: the neural network's output columns must look exactly like theirs.</summary>
    public sealed class ScoreColumnConventionTests
    {
        private static string Describe(DataViewSchema schema, params string[] columns) => string.Join("\n", DescribeColumns(schema, columns));

        private static IEnumerable<string> DescribeColumns(DataViewSchema schema, params string[] columns)
            => columns.Select(name =>
            {
                var column = schema[name];
                var annotations = column.Annotations.Schema.OrderBy(a => a.Name, StringComparer.Ordinal).Select(a =>
                {
                    string? value = a.Type switch
                    {
                        TextDataViewType => Read<ReadOnlyMemory<char>>(column, a.Name).ToString(),
                        BooleanDataViewType => Read<bool>(column, a.Name).ToString(),
                        NumberDataViewType n when n.RawType == typeof(uint) => Read<uint>(column, a.Name).ToString(),
                        VectorDataViewType => string.Join("|", Read<VBuffer<ReadOnlyMemory<char>>>(column, a.Name).DenseValues()),
                        _ => a.Type.ToString(),
                    };
                    return $"{a.Name}:{a.Type}={value}";
                });
                return $"{name} {column.Type}: {string.Join("; ", annotations)}";
            });

        private static T Read<T>(DataViewSchema.Column column, string annotation)
        {
            T value = default!;
            column.Annotations.GetValue(annotation, ref value);
            return value;
        }

        private static IDataView Data(MLContext ml) => ml.Data.LoadFromEnumerable(Enumerable.Range(0, 60).Select(i => new NeuralNetworkTrainerTests.Row
        {
            Features = new[] { i % 7 / 7f, i % 3 / 3f, i % 5 / 5f, 0.5f },
            Target = i % 7,
            Positive = i % 2 == 0,
            Class = "c" + (i % 3),
        }));

        [Fact]
        public void RegressionColumnsMatchSdca()
        {
            var ml = new MLContext(seed: 1);
            var data = Data(ml);
            var reference = ml.Regression.Trainers.Sdca("Target").Fit(data).Transform(data);
            var ours = ml.Regression.Trainers.NeuralNetwork(new Dense(1), labelColumnName: "Target").Fit(data).Transform(data);

            Assert.Equal(Describe(reference.Schema, "Score"), Describe(ours.Schema, "Score"));
        }

        [Fact]
        public void BinaryColumnsMatchCalibratedSdca()
        {
            var ml = new MLContext(seed: 1);
            var data = Data(ml);
            var reference = ml.BinaryClassification.Trainers.SdcaLogisticRegression("Positive").Fit(data).Transform(data);
            var ours = ml.BinaryClassification.Trainers.NeuralNetwork(new Dense(1), labelColumnName: "Positive").Fit(data).Transform(data);

            Assert.Equal(Describe(reference.Schema, "Score", "Probability", "PredictedLabel"), Describe(ours.Schema, "Score", "Probability", "PredictedLabel"));
        }

        [Fact]
        public void MulticlassColumnsMatchSdcaMaximumEntropy()
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Transforms.Conversion.MapValueToKey("Label", "Class").Fit(Data(ml)).Transform(Data(ml));
            var reference = ml.MulticlassClassification.Trainers.SdcaMaximumEntropy().Fit(data).Transform(data);
            var ours = ml.MulticlassClassification.Trainers.NeuralNetwork(new Dense(3)).Fit(data).Transform(data);

            Assert.Equal(Describe(reference.Schema, "Score", "PredictedLabel"), Describe(ours.Schema, "Score", "PredictedLabel"));
        }
    }
}
