using System;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.Layers.Samples
{
    /// <summary>One Boston housing row: the median home value (in $1000s) and 13 numeric features.</summary>
    public sealed class House
    {
        [LoadColumn(0)]
        public float MedianHomeValue { get; set; }

        [LoadColumn(1, 13)]
        [VectorType(13)]
        public float[] Features { get; set; } = Array.Empty<float>();

        /// <summary>housing.txt split 80/20, or a generated stand-in with a known non-linear value function.</summary>
        public static (IDataView Train, IDataView Test) Load(SampleRun run)
        {
            var ml = run.ML;
            var files = run.RealFiles("housing.txt");
            IDataView data;
            if (files is null)
            {
                var random = new Random(3);
                data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 500).Select(_ =>
                {
                    var x = Enumerable.Range(0, 13).Select(_ => (float)random.NextDouble()).ToArray();
                    return new House { Features = x, MedianHomeValue = 20 + 10 * x[0] - 8 * x[1] * x[2] + 5 * MathF.Sin(3 * x[3]) + (float)random.NextDouble() };
                }).ToArray());
            }
            else
            {
                data = ml.Data.LoadFromTextFile<House>(files[0], separatorChar: '\t', hasHeader: true);
            }
            var split = ml.Data.TrainTestSplit(data, testFraction: 0.2, seed: 1);
            return (split.TrainSet, split.TestSet);
        }
    }
}
