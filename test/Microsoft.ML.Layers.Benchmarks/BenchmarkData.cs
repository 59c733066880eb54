using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Benchmarks
{
    /// <summary>One generated row: 64 features and a regression target.</summary>
    public sealed class Row
    {
        [VectorType(64)]
        public float[] Features { get; set; } = Array.Empty<float>();

        public float Label { get; set; }
    }

    /// <summary>The generated data set every benchmark uses, in each form a user would hold it.</summary>
    public sealed class BenchmarkData : IDisposable
    {
        public BenchmarkData(int rows, int features = 64, int seed = 7)
        {
            var random = new Random(seed);
            Rows = Enumerable.Range(0, rows).Select(_ =>
            {
                var x = Enumerable.Range(0, features).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
                float target = MathF.Sin(3 * x[0]) + x[1] * x[2] - 0.5f * x[3] + 0.1f * (float)(random.NextDouble() - 0.5);
                return new Row { Features = x, Label = target };
            }).ToArray();
            X = tensor(Rows.SelectMany(r => r.Features).ToArray()).reshape(rows, features).DetachFromDisposeScope();
            Y = tensor(Rows.Select(r => r.Label).ToArray()).reshape(rows, 1).DetachFromDisposeScope();
            ML = new MLContext(seed: 1);
            InMemory = ML.Data.LoadFromEnumerable(Rows);
            IdvPath = Path.Combine(Path.GetTempPath(), $"mllayers-bench-{Guid.NewGuid():N}.idv");
            using (var stream = File.Create(IdvPath))
                ML.Data.SaveAsBinary(InMemory, stream);
            FromIdvFile = ML.Data.LoadFromBinary(IdvPath);
        }

        public Row[] Rows { get; }

        public Tensor X { get; }

        public Tensor Y { get; }

        public MLContext ML { get; }

        /// <summary>The rows as an in-memory IDataView (its row count is known).</summary>
        public IDataView InMemory { get; }

        /// <summary>The same rows written to and read back from a binary IDV file.</summary>
        public IDataView FromIdvFile { get; }

        public string IdvPath { get; }

        public void Dispose()
        {
            X.Dispose();
            Y.Dispose();
            File.Delete(IdvPath);
        }
    }
}
