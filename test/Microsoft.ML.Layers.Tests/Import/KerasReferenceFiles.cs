using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.TestFramework;
using PureHDF;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Import
{
    /// <summary>
    /// The files of <c>../shared/keras-reference</c>, read directly with PureHDF (not through the importer): the models,
    /// the inputs they were run on, and Keras's own predictions and per-layer activations.
    /// </summary>
    internal static class KerasReferenceFiles
    {
        public static string Root => RepositoryLayout.KerasReferenceDirectory;

        /// <summary>Every <c>examples/**/*_model.h5</c> whose inputs file holds Keras's predictions, relative to examples/.</summary>
        public static IEnumerable<object[]> ExamplesWithPredictions()
        {
            string examples = Path.Combine(Root, "examples");
            if (!Directory.Exists(examples))
                return new[] { new object[] { "(keras-reference absent)" } };
            return Directory.GetFiles(examples, "*_model.h5", SearchOption.AllDirectories)
                .Where(m => HasPredictions(InputsAndOutputsOf(m)))
                .Select(m => Path.GetRelativePath(examples, m))
                .OrderBy(m => m, StringComparer.Ordinal)
                .Select(m => new object[] { m })
                .ToList();
        }

        /// <summary>The 452 tf.keras model files of <c>tfkeras/</c>, in ordinal order.</summary>
        public static List<string> TfKerasModels()
            => Directory.GetFiles(Path.Combine(Root, "tfkeras")).OrderBy(f => f, StringComparer.Ordinal).ToList();

        public static string Example(string relative) => Path.Combine(Root, "examples", relative);

        public static string InputsAndOutputsOf(string modelPath) => modelPath.Replace("_model.h5", "_inputs_and_outputs.h5", StringComparison.Ordinal);

        private static bool HasPredictions(string path)
        {
            if (!File.Exists(path))
                return false;
            using var file = H5File.OpenRead(path);
            return file.LinkExists("predictions");
        }

        /// <summary>The datasets of one group of an inputs-and-outputs file, by name, as float32 tensors.</summary>
        public static Dictionary<string, Tensor> Group(string path, string group)
        {
            using var file = H5File.OpenRead(path);
            if (!file.LinkExists(group))
                return new Dictionary<string, Tensor>();
            return file.Group(group).Children().OfType<IH5Dataset>().ToDictionary(d => d.Name, ReadFloat32);
        }

        /// <summary>The model input names listed in the file's <c>inputs</c> attribute, in order.</summary>
        public static IReadOnlyList<string> InputNames(string path)
        {
            using var file = H5File.OpenRead(path);
            var json = JsonNode.Parse(file.Attribute("inputs").Read<string>())!;
            return json["inputs"]!.AsArray().Select(n => (string)n!).ToList();
        }

        public static Tensor ReadFloat32(IH5Dataset dataset)
        {
            var shape = dataset.Space.Dimensions.Select(d => (long)d).ToArray();
            return dataset.Type.Size == 8 ? tensor(dataset.Read<double[]>()).reshape(shape).to(ScalarType.Float32) : tensor(dataset.Read<float[]>()).reshape(shape);
        }

        /// <summary>Reads a little-endian float64 or float32 C-order <c>.npy</c> file (NumPy format version 1).</summary>
        public static Tensor ReadNpy(string path)
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
                throw new InvalidDataException($"{path} is not a .npy file.");
            int headerLength = BitConverter.ToUInt16(bytes, 8);
            string header = Encoding.ASCII.GetString(bytes, 10, headerLength);
            if (header.Contains("'fortran_order': True", StringComparison.Ordinal))
                throw new InvalidDataException($"{path}: Fortran order is not read here.");
            string shapeText = header[(header.IndexOf('(') + 1)..header.IndexOf(')')];
            var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
            int offset = 10 + headerLength;
            if (header.Contains("'<f8'", StringComparison.Ordinal))
            {
                var values = new double[(bytes.Length - offset) / 8];
                Buffer.BlockCopy(bytes, offset, values, 0, values.Length * 8);
                return tensor(values).reshape(shape);
            }
            if (header.Contains("'<f4'", StringComparison.Ordinal))
            {
                var values = new float[(bytes.Length - offset) / 4];
                Buffer.BlockCopy(bytes, offset, values, 0, values.Length * 4);
                return tensor(values).reshape(shape);
            }
            throw new InvalidDataException($"{path}: dtype not read here ({header}).");
        }
    }
}
