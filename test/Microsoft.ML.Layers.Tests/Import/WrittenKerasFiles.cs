using System;
using System.IO;
using System.IO.Compression;
using PureHDF;

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

        /// <summary>Writes a Keras 3 <c>.keras</c> archive (<c>metadata.json</c>, <c>config.json</c>, <c>model.weights.h5</c>) into
        /// the folder; returns its path.</summary>
        protected string WriteKeras3Archive(string name, string config, H5File weights, string kerasVersion)
        {
            string h5 = Path.Combine(Folder, name + ".weights.h5");
            weights.Write(h5);
            string path = Path.Combine(Folder, name + ".keras");
            using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
            {
                using (var writer = new StreamWriter(zip.CreateEntry("metadata.json").Open()))
                    writer.Write($$"""{"keras_version": "{{kerasVersion}}", "date_saved": "2026-11-25@10:00:00"}""");
                using (var writer = new StreamWriter(zip.CreateEntry("config.json").Open()))
                    writer.Write(config);
                zip.CreateEntryFromFile(h5, "model.weights.h5");
            }
            return path;
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
