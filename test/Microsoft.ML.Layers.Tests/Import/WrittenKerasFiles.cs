using System;
using System.IO;

namespace Microsoft.ML.Layers.Tests.Import
{
    /// <summary>
    /// The base of tests that write Keras files themselves (Keras 1 and Keras 3 layouts, which the reference set lacks):
    /// a temporary folder per test class, and reproducible weight values.
    /// </summary>
    public abstract class WrittenKerasFiles : IDisposable
    {
        protected WrittenKerasFiles(string prefix) => Folder = Directory.CreateTempSubdirectory(prefix).FullName;

        /// <summary>The temporary folder, deleted after the tests.</summary>
        protected string Folder { get; }

        /// <inheritdoc />
        public void Dispose()
        {
            Directory.Delete(Folder, recursive: true);
            GC.SuppressFinalize(this);
        }

        /// <summary>A matrix of values in [-0.5, 0.5) drawn from <paramref name="seed"/>.</summary>
        protected static float[,] Matrix(int rows, int columns, int seed)
        {
            var random = new Random(seed);
            var values = new float[rows, columns];
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < columns; j++)
                    values[i, j] = (float)(random.NextDouble() - 0.5);
            }
            return values;
        }
    }
}
