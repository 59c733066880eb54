using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Microsoft.ML.Layers.Tests.Serialization;
using PureHDF;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Robustness
{
    /// <summary>
    /// Models and files the red-team tests corrupt, built by the tests themselves (shared with the in-process limits tests).
    /// </summary>
    internal static class RobustnessFixtures
    {
        /// <summary>
        /// A two-layer MLP on 4 features with named layers, so that a model built in another process has the same weight names.
        /// </summary>
        public static Sequential SmallMlp(int seed)
        {
            manual_seed(seed);
            return new Sequential(new Layer[]
            {
                new InputLayer(shape: new Shape(4)), new Dense(3, activation: "relu", name: "hidden"), new Dense(2, name: "out"),
            }, name: "mlp");
        }

        /// <summary>An input of width 3 followed by <paramref name="count"/> Identity layers.</summary>
        public static Sequential SequentialOfIdentities(int count)
        {
            var layers = new Layer[count + 1];
            layers[0] = new InputLayer(shape: new Shape(3));
            for (int i = 1; i < layers.Length; i++)
                layers[i] = new Identity(name: $"identity_{i}");   // explicit: other tests may reset the name counters
            return new Sequential(layers);
        }

        /// <summary>
        /// <see cref="SequentialOfIdentities"/> of 20,000 layers, saved once per test run (by whichever test needs it first).
        /// </summary>
        public static readonly Lazy<byte[]> SavedSequentialOfIdentities20000 = new(() =>
        {
            using var model = SequentialOfIdentities(20_000);
            return Saved(model);
        });

        /// <summary>
        /// <see cref="FunctionalChain"/> of 10,000 layers saved once per test run, with the time saving took.
        /// </summary>
        public static readonly Lazy<(byte[] Bytes, TimeSpan Saving)> SavedFunctionalChain10000 = new(() =>
        {
            using var model = FunctionalChain(10_000);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            return (Saved(model), clock.Elapsed);
        });

        /// <summary>A functional model: an input of width 3 through a chain of <paramref name="count"/> Identity layers.</summary>
        public static Model FunctionalChain(int count)
        {
            var input = Input.Create(3, name: "x");
            var x = input;
            for (int i = 0; i < count; i++)
                x = new Identity(name: $"identity_{i}").Apply(x);   // explicit: other tests may reset the name counters
            return new Model(input, x, name: "chain");
        }

        /// <summary>A model saved to bytes.</summary>
        public static byte[] Saved(Model model)
        {
            using var stream = new MemoryStream();
            model.Save(stream);
            return stream.ToArray();
        }

        /// <summary>
        /// A Keras 3 <c>.keras</c> archive as Keras writes it (config.json, metadata.json, model.weights.h5): a Sequential of
        /// Dense(3 -> 4, relu) and Dense(4 -> 2) with seeded weights, for 3 input features.
        /// </summary>
        public static byte[] Keras3Archive()
        {
            // Keras 3's own spelling, written with single quotes for readability.
            const string policy =
                "{'module': 'keras', 'class_name': 'DTypePolicy', 'config': {'name': 'float32'}, 'registered_name': null}";
            static string Dense(string name, int units, string activation, int inputs) =>
                $"{{'module': 'keras.layers', 'class_name': 'Dense', 'config': {{'name': '{name}', 'trainable': true, 'dtype': {policy}, "
                + $"'units': {units}, 'activation': '{activation}', 'use_bias': true, "
                + "'kernel_initializer': {'module': 'keras.initializers', 'class_name': 'GlorotUniform', 'config': {'seed': null}, "
                + "'registered_name': null}, 'bias_initializer': {'module': 'keras.initializers', 'class_name': 'Zeros', 'config': {}, "
                + "'registered_name': null}, 'kernel_regularizer': null, "
                + "'bias_regularizer': null, 'kernel_constraint': null, 'bias_constraint': null}, 'registered_name': null, "
                + $"'build_config': {{'input_shape': [null, {inputs}]}}}}";
            string config = ("{'module': 'keras', 'class_name': 'Sequential', 'config': {'name': 'sequential', 'trainable': true, "
                + $"'dtype': {policy}, 'layers': [{{'module': 'keras.layers', 'class_name': 'InputLayer', 'config': {{'batch_shape': "
                + "[null, 3], 'dtype': 'float32', 'sparse': false, 'name': 'input_layer'}, 'registered_name': null}, "
                + Dense("dense", 4, "relu", 3) + ", " + Dense("dense_1", 2, "linear", 4) + "]}, 'registered_name': null}")
                .Replace('\'', '"');
            var random = new Random(3);
            float[,] Matrix(int rows, int columns)
            {
                var values = new float[rows, columns];
                for (int i = 0; i < rows; i++)
                {
                    for (int j = 0; j < columns; j++)
                        values[i, j] = (float)(random.NextDouble() - 0.5);
                }
                return values;
            }
            float[] Vector(int length) => Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            var weights = new H5File
            {
                ["layers"] = new H5Group
                {
                    ["input_layer"] = new H5Group { ["vars"] = new H5Group() },
                    ["dense"] = new H5Group { ["vars"] = new H5Group { ["0"] = Matrix(3, 4), ["1"] = Vector(4) } },
                    ["dense_1"] = new H5Group { ["vars"] = new H5Group { ["0"] = Matrix(4, 2), ["1"] = Vector(2) } },
                },
            };
            string h5 = Path.GetTempFileName();
            try
            {
                weights.Write(h5);
                using var result = new MemoryStream();
                using (var zip = new ZipArchive(result, ZipArchiveMode.Create, leaveOpen: true))
                {
                    using (var writer = new StreamWriter(zip.CreateEntry("metadata.json").Open()))
                        writer.Write("""{"keras_version": "3.6.0", "date_saved": "2026-11-25@10:00:00"}""");
                    using (var writer = new StreamWriter(zip.CreateEntry("config.json").Open()))
                        writer.Write(config);
                    // Keras writes its archives uncompressed (ZIP_STORED): the weights' bytes lie in the file as they are.
                    zip.CreateEntryFromFile(h5, "model.weights.h5", CompressionLevel.NoCompression);
                }
                return result.ToArray();
            }
            finally
            {
                File.Delete(h5);
            }
        }

        /// <summary>
        /// A copy of <paramref name="zip"/> whose entry <paramref name="name"/> holds <paramref name="head"/> followed by
        /// <paramref name="zeros"/> zero bytes, streamed through the compressor (1 GB of zeros becomes 1 MB, in half a second).
        /// </summary>
        public static byte[] ZipBomb(byte[] zip, string name, byte[] head, long zeros)
        {
            using var source = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
            using var result = new MemoryStream();
            using (var target = new ZipArchive(result, ZipArchiveMode.Create, leaveOpen: true))
            {
                foreach (var entry in source.Entries)
                {
                    using var write = target.CreateEntry(entry.FullName, CompressionLevel.Optimal).Open();
                    if (entry.FullName != name)
                    {
                        using var read = entry.Open();
                        read.CopyTo(write);
                        continue;
                    }
                    write.Write(head);
                    var block = new byte[1 << 20];
                    for (long left = zeros; left > 0; left -= block.Length)
                        write.Write(block, 0, (int)Math.Min(left, block.Length));
                }
            }
            return result.ToArray();
        }

        /// <summary>A copy of <paramref name="zip"/> whose headers (local and central) lie that entry <paramref name="name"/>
        /// inflates to <paramref name="declaredSize"/> bytes (for entries under 4 GiB, without zip64 fields).</summary>
        public static byte[] WithDeclaredSize(byte[] zip, string name, uint declaredSize)
        {
            var bytes = (byte[])zip.Clone();
            int central = ModelIntegrityTests.CentralEntry(bytes, name);
            int local = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(central + 42));
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(central + 24), declaredSize);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(local + 22), declaredSize);
            return bytes;
        }
    }
}
