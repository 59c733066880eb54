using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;
using Xunit.Sdk;

namespace Microsoft.ML.Layers.Estimators.Tests.Onnx
{
    /// <summary>
    /// Converts a fitted ML.NET pipeline with ML.NET's own <c>ConvertToOnnx</c>, runs the file in ONNX Runtime on the same rows
    /// and compares with ML.NET's <c>Transform</c>; then scores the file inside ML.NET with <c>ApplyOnnxModel</c> and compares
    /// again.
    /// </summary>
    internal static class PipelineOnnx
    {
        /// <summary>Absolute tolerance of the float columns; a relative 1e-5 is added for large values (taxi fares).</summary>
        public const double Tolerance = 1e-5;

        public static byte[] Convert(MLContext ml, ITransformer model, IDataView data)
        {
            using var stream = new MemoryStream();
            ml.Model.ConvertToOnnx(model, data, stream);
            return stream.ToArray();
        }

        /// <summary>
        /// Asserts that the ONNX conversion of <paramref name="model"/> computes <paramref name="columns"/> as ML.NET's
        /// <c>Transform</c> does on <paramref name="rows"/>, in ONNX Runtime and through <c>ApplyOnnxModel</c>. Returns the largest
        /// difference of the float columns.
        /// </summary>
        public static double AssertSameScores(MLContext ml, ITransformer model, IDataView rows, params string[] columns)
        {
            var onnx = Convert(ml, model, rows);
            var scored = model.Transform(rows);
            int count = 0;
            using (var cursor = rows.GetRowCursor(Array.Empty<DataViewSchema.Column>()))
            {
                while (cursor.MoveNext())
                    count++;
            }
            using var session = new InferenceSession(onnx);
            var inputs = session.InputMetadata.Keys.Select(name => Input(rows, name, count)).ToList();
            // ConvertToOnnx names the output of column C "C.output" (and adds outputs of its own, such as "mlnet.*.unusedOutput").
            var outputNames = session.OutputNames.ToList();
            var outputOf = columns.ToDictionary(c => c, c => outputNames.SingleOrDefault(o => o == c + ".output")
                ?? throw new XunitException($"The ONNX graph has no output for column '{c}'; outputs: {string.Join(", ", outputNames)}."));
            using var results = session.Run(inputs);
            double worst = 0;
            foreach (var name in columns)
            {
                var column = scored.Schema[name];
                var result = results.Single(r => r.Name == outputOf[name]);
                worst = Math.Max(worst, Compare($"ONNX Runtime '{result.Name}'", column, scored, result.Value));
            }

            string path = Path.Combine(Path.GetTempPath(), $"mllayers-onnx-{Guid.NewGuid():N}.onnx");
            try
            {
                File.WriteAllBytes(path, onnx);
                var applied = ml.Transforms.ApplyOnnxModel(path).Fit(rows).Transform(rows);
                foreach (var name in columns)
                {
                    var column = scored.Schema[name];
                    // ApplyOnnxModel names a column after its ONNX output, without the ".output" ConvertToOnnx appends.
                    var onnxName = outputOf[name];
                    var onnxColumn = applied.Schema.GetColumnOrNull(onnxName)
                        ?? applied.Schema[onnxName.EndsWith(".output", StringComparison.Ordinal) ? onnxName[..^".output".Length]
                            : onnxName];
                    worst = Math.Max(worst, Compare($"ApplyOnnxModel '{onnxColumn.Name}'", column, scored,
                        ReadAsArray(applied, onnxColumn)));
                }
            }
            finally
            {
                File.Delete(path);
            }
            return worst;
        }

        private static double Compare(string what, DataViewSchema.Column column, IDataView scored, object actual)
        {
            var item = column.Type.GetItemType();
            if (item == NumberDataViewType.Single)
            {
                var expected = Values<float>(scored, column);
                var values = Flat<float>(actual);
                Assert.Equal(expected.Length, values.Length);
                double worst = 0;
                for (int i = 0; i < expected.Length; i++)
                {
                    double difference = Math.Abs(expected[i] - values[i]);
                    if (!(difference <= Tolerance + Tolerance * Math.Abs(expected[i])))
                        throw new XunitException($"{what}: value {i} is {values[i]}, ML.NET's '{column.Name}' is {expected[i]}.");
                    worst = Math.Max(worst, difference);
                }
                return worst;
            }
            if (item == BooleanDataViewType.Instance)
                Assert.Equal(Values<bool>(scored, column), Flat<bool>(actual));
            else if (item is KeyDataViewType)
                Assert.Equal(Values<uint>(scored, column), Flat<uint>(actual));
            else if (item == TextDataViewType.Instance)
                Assert.Equal(Values<ReadOnlyMemory<char>>(scored, column).Select(v => v.ToString()), Flat<string>(actual));
            else
                throw new XunitException($"{what}: column '{column.Name}' of type {column.Type} is not compared.");
            return 0;
        }

        private static T[] Flat<T>(object value) => value switch
        {
            DenseTensor<T> tensor => tensor.Buffer.ToArray(),
            T[] array => array,
            string[] strings when typeof(T) == typeof(string) => (T[])(object)strings,
            _ => throw new XunitException($"Expected {typeof(T).Name} values, received {value.GetType().Name}."),
        };

        /// <summary>A column's values as a flat array (ApplyOnnxModel's columns are vectors, even of one value).</summary>
        private static object ReadAsArray(IDataView data, DataViewSchema.Column column)
        {
            var item = column.Type.GetItemType();
            if (item == NumberDataViewType.Single)
                return Values<float>(data, column);
            if (item == BooleanDataViewType.Instance)
                return Values<bool>(data, column);
            if (item == NumberDataViewType.UInt32 || item is KeyDataViewType)
                return Values<uint>(data, column);
            if (item == TextDataViewType.Instance)
                return Values<ReadOnlyMemory<char>>(data, column).Select(v => v.ToString()).ToArray();
            throw new XunitException($"ApplyOnnxModel column '{column.Name}' has type {column.Type}, not read by this check.");
        }

        public static T[] Values<T>(IDataView data, DataViewSchema.Column column)
            => column.Type is VectorDataViewType
                ? data.GetColumn<VBuffer<T>>(column).SelectMany(v => v.DenseValues()).ToArray()
                : data.GetColumn<T>(column).ToArray();

        /// <summary>The graph input <paramref name="name"/> read from the column of that name: (rows, values per row).</summary>
        private static NamedOnnxValue Input(IDataView data, string name, int rows)
        {
            var column = data.Schema[name];
            int width = column.Type is VectorDataViewType vector ? vector.Size : 1;
            var dims = new[] { rows, width };
            var item = column.Type.GetItemType();
            if (item == NumberDataViewType.Single)
                return NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(Values<float>(data, column), dims));
            if (item == BooleanDataViewType.Instance)
                return NamedOnnxValue.CreateFromTensor(name, new DenseTensor<bool>(Values<bool>(data, column), dims));
            if (item == TextDataViewType.Instance)
                return NamedOnnxValue.CreateFromTensor(name, new DenseTensor<string>(
                    Values<ReadOnlyMemory<char>>(data, column).Select(v => v.ToString()).ToArray(), dims));
            throw new XunitException($"Input column '{name}' of type {column.Type} is not fed by this check.");
        }
    }
}
