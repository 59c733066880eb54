using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace Microsoft.ML.Layers.TestFramework
{
    /// <summary>
    /// The project's rebuild of ML.NET's unpublished <c>TestEstimatorCore</c>, run on every estimator and transformer here:
    /// the output schema an estimator promises (<c>GetOutputSchema</c>) is what <c>Fit(...).Transform(...)</c> delivers,
    /// annotations included; invalid input fails eagerly in <c>GetOutputSchema</c>, <c>Fit</c> and <c>Transform</c> with
    /// <see cref="ArgumentOutOfRangeException"/> or <see cref="InvalidOperationException"/>; <c>Model.Save</c> then
    /// <c>Load</c> in a fresh context gives the same schema and the same values; the row mapper's input schema is the data's.
    /// </summary>
    public static class EstimatorCheck
    {
        /// <summary>Runs every check; <paramref name="invalidInput"/> is data the estimator must reject (null to skip those checks).</summary>
        public static ITransformer Run<TTransformer>(MLContext ml, IEstimator<TTransformer> estimator, IDataView validInput, IDataView? invalidInput = null)
            where TTransformer : class, ITransformer
        {
            ArgumentNullException.ThrowIfNull(ml);
            ArgumentNullException.ThrowIfNull(estimator);
            ArgumentNullException.ThrowIfNull(validInput);

            var promised = estimator.GetOutputSchema(SchemaShape.Create(validInput.Schema));
            var transformer = estimator.Fit(validInput);
            var output = transformer.Transform(validInput);
            CheckSchemaMatches(promised, output.Schema);
            Assert.Equal(SchemaShape.Create(transformer.GetOutputSchema(validInput.Schema)).Select(Describe), SchemaShape.Create(output.Schema).Select(Describe));

            if (transformer.IsRowToRowMapper)
            {
                var mapper = transformer.GetRowToRowMapper(validInput.Schema);
                Assert.True(ReferenceEquals(validInput.Schema, mapper.InputSchema) || SameColumns(validInput.Schema, mapper.InputSchema),
                    "The row mapper's input schema is not the data's schema.");
            }

            if (invalidInput is not null)
            {
                AssertRejects(() => estimator.GetOutputSchema(SchemaShape.Create(invalidInput.Schema)), "GetOutputSchema");
                AssertRejects(() => estimator.Fit(invalidInput), "Fit");
                AssertRejects(() => transformer.Transform(invalidInput), "Transform");
            }

            string path = Path.Combine(Path.GetTempPath(), $"estimator-check-{Guid.NewGuid():N}.zip");
            try
            {
                ml.Model.Save(transformer, validInput.Schema, path);
                var loaded = new MLContext().Model.Load(path, out var loadedInputSchema);
                Assert.True(SameColumns(validInput.Schema, loadedInputSchema), "The loaded model's input schema differs from the data's.");
                var reloaded = loaded.Transform(validInput);
                Assert.Equal(SchemaShape.Create(output.Schema).Select(Describe), SchemaShape.Create(reloaded.Schema).Select(Describe));
                Assert.Equal(Values(output), Values(reloaded));
            }
            finally
            {
                File.Delete(path);
            }
            return transformer;
        }

        private static void CheckSchemaMatches(SchemaShape promised, DataViewSchema actual)
        {
            foreach (var column in promised)
            {
                var found = actual.GetColumnOrNull(column.Name);
                Assert.True(found is not null, $"GetOutputSchema promised column '{column.Name}', which Transform does not produce.");
                var shape = SchemaShape.Create(actual).First(c => c.Name == column.Name);
                Assert.True(column.Kind == shape.Kind && column.ItemType.Equals(shape.ItemType) && column.IsKey == shape.IsKey,
                    $"Column '{column.Name}': promised {Describe(column)}, delivered {Describe(shape)}.");
                var promisedAnnotations = column.Annotations.Select(a => a.Name).OrderBy(n => n, StringComparer.Ordinal);
                var actualAnnotations = shape.Annotations.Select(a => a.Name).OrderBy(n => n, StringComparer.Ordinal);
                Assert.True(promisedAnnotations.SequenceEqual(actualAnnotations),
                    $"Column '{column.Name}': promised annotations [{string.Join(", ", promisedAnnotations)}], delivered [{string.Join(", ", actualAnnotations)}].");
            }
        }

        private static void AssertRejects(Action action, string where)
        {
            var error = Record.Exception(action);
            Assert.True(error is ArgumentOutOfRangeException or InvalidOperationException,
                $"{where} on invalid input must throw ArgumentOutOfRangeException or InvalidOperationException eagerly; it threw {error?.GetType().Name ?? "nothing"}.");
        }

        private static bool SameColumns(DataViewSchema a, DataViewSchema b)
            => a.Count == b.Count && a.Zip(b).All(p => p.First.Name == p.Second.Name && p.First.Type.Equals(p.Second.Type));

        private static string Describe(SchemaShape.Column column)
            => $"{column.Name}:{column.Kind}:{column.ItemType}:{(column.IsKey ? "key" : "")}:[{string.Join(",", column.Annotations.Select(a => a.Name).OrderBy(n => n, StringComparer.Ordinal))}]";

        private static IReadOnlyList<string> Values(IDataView data)
        {
            var preview = data.Preview(maxRows: 200);
            return preview.RowView.Select(row => string.Join("|", row.Values.Select(v => v.Value switch
            {
                VBuffer<float> vector => string.Join(",", vector.DenseValues()),
                VBuffer<ReadOnlyMemory<char>> text => string.Join(",", text.DenseValues()),
                var value => value?.ToString(),
            }))).ToList();
        }
    }
}
