using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Estimators;
using Microsoft.ML.Layers.TestFramework;
using Xunit;

namespace Microsoft.ML.Layers.Estimators.Tests.Trainers
{
    /// <summary>
    /// Issue 14: ML.NET does not check its zip's CRC-32, so the network stream carries a SHA-256 of its own. A bit flipped
    /// anywhere in that stream (rewritten with a correct zip CRC) fails the load or scores exactly as before.
    /// </summary>
    public sealed class NetworkStreamIntegrityTests
    {
        [Fact]
        public void SeededBitFlipsInTheNetworkStreamFailOrScoreTheSame()
        {
            var ml = new MLContext(seed: 1);
            var rows = Enumerable.Range(0, 40).Select(i => new NeuralNetworkTrainerTests.Row
            {
                Features = new[] { i % 7 / 7f, i % 3 / 3f, i % 5 / 5f, (i % 11) / 11f },
                Target = i % 7,
            }).ToArray();
            var data = ml.Data.LoadFromEnumerable(rows);
            var model = ml.Regression.Trainers.NeuralNetwork(new Dense(1), labelColumnName: "Target").Fit(data);
            using var saved = new MemoryStream();
            ml.Model.Save(model, data.Schema, saved);
            var original = saved.ToArray();
            var expected = model.Transform(data).GetColumn<float>("Score").ToArray();
            string entryName = ZipBytes.EntryNames(original).Single(n => n.EndsWith("NeuralNetwork.bin", StringComparison.Ordinal));
            var stream = ZipBytes.ReadEntry(original, entryName);

            var random = new Random(14);
            int failed = 0;
            for (int i = 0; i < 60; i++)
            {
                long bit = random.NextInt64(stream.Length * 8L);
                var flipped = (byte[])stream.Clone();
                flipped[bit / 8] ^= (byte)(1 << (int)(bit % 8));
                ITransformer loaded;
                try
                {
                    loaded = new MLContext().Model.Load(new MemoryStream(ZipBytes.WithEntry(original, entryName, flipped)), out _);
                }
                catch (Exception e)
                {
                    Assert.True(Chain(e).Any(x => x is FormatException), $"bit {bit}: {e}");
                    failed++;
                    continue;
                }
                Assert.Equal(expected, loaded.Transform(data).GetColumn<float>("Score").ToArray());
            }
            // Only the 8-byte tag leaves the payload unchecked (the stream then reads as one written before the hash).
            Assert.True(failed >= 55, $"only {failed} of 60 flips failed");
        }

        [Fact]
        public void LoadOptionsReachMLNetsModelLoadThroughAScope()
        {
            var ml = new MLContext(seed: 1);
            var rows = Enumerable.Range(0, 20).Select(i => new NeuralNetworkTrainerTests.Row
            {
                Features = new[] { i / 20f, i % 3 / 3f, 0.5f, i % 2 },
                Target = i % 4,
            }).ToArray();
            var data = ml.Data.LoadFromEnumerable(rows);
            var model = ml.Regression.Trainers.NeuralNetwork(new Dense(1), labelColumnName: "Target", epochs: 1).Fit(data);
            using var saved = new MemoryStream();
            ml.Model.Save(model, data.Schema, saved);
            var bytes = saved.ToArray();

            Exception error;
            using (ModelLoadOptions.BeginScope(new ModelLoadOptions { MaxJsonEntryBytes = 10 }))
                error = Assert.ThrowsAny<Exception>(() => new MLContext().Model.Load(new MemoryStream(bytes), out _));

            var format = Chain(error).OfType<FormatException>().FirstOrDefault();
            Assert.True(format is not null, $"no FormatException in {error}");
            Assert.Contains("MaxJsonEntryBytes", format!.Message);
            var loaded = new MLContext().Model.Load(new MemoryStream(bytes), out _);
            Assert.Equal(model.Transform(data).GetColumn<float>("Score"), loaded.Transform(data).GetColumn<float>("Score"));
        }

        private static System.Collections.Generic.IEnumerable<Exception> Chain(Exception? e)
        {
            for (; e is not null; e = e.InnerException)
                yield return e;
        }
    }
}
